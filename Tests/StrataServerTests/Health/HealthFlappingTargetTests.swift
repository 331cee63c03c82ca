import Foundation
import StrataStorage
import Testing
@testable import StrataServer

/// A target in the test process that the test makes fail and recover:
/// status transitions, `health_update` pushes, and the TSDB side (up,
/// staleness markers, probe series) as Prometheus would write them.
@Suite struct HealthFlappingTargetTests {
    /// Checks every 200 ms with a timeout far above that: the failures the
    /// test looks for come from the target's answers (500, 503), never from
    /// a check that a loaded machine made slow (a timeout would mark the
    /// series stale, and a check slower than 80 % of the timeout degrades).
    static func config(_ flap: FlappingTarget) -> (inout ServeConfig) -> Void {
        { cfg in
            cfg.monitoring.selfScrape = false
            cfg.monitoring.hostMetrics = false
            cfg.targets = [
                TargetSpec(id: "flap", url: "http://127.0.0.1:\(flap.port)/metrics", kind: .prometheus,
                           intervalMs: 200, timeoutMs: 10_000, labels: ["team": "db"], source: .config),
                TargetSpec(id: "flap-probe", url: "http://127.0.0.1:\(flap.port)/probe", kind: .http,
                           intervalMs: 200, timeoutMs: 10_000, source: .config),
            ]
        }
    }

    @Test func scrapeTargetFlapsAndStalenessIsWritten() async throws {
        let flap = try await FlappingTarget.start()
        defer { Task { await flap.stop() } }
        try await withServer(Self.config(flap)) { s in
            let db = s.server.db
            let ws = try await RealtimeTestClient.connect(s.ws("health"))
            @Sendable func status(_ id: String, _ m: RealtimeTestClient.Message) -> String? {
                (m.payload["targets"] as? [[String: Any]])?.first { $0["id"] as? String == id }?["status"] as? String
            }
            // Healthy, with the target's labels on its series (the exposed job kept as exported_job).
            _ = try await ws.first("health_update") { status("flap", $0) == "healthy" }
            let b = TSDB.samples(db, "flap_b")
            #expect(b.count == 1)
            #expect(b.first?.labels["job"] == "flap")
            #expect(b.first?.labels["exported_job"] == "exposed")
            #expect(b.first?.labels["instance"] == "127.0.0.1:\(flap.port)")
            #expect(b.first?.labels["team"] == "db")
            #expect(TSDB.samples(db, "up", ["job": "flap"]).first?.vs.last == 1)
            #expect((TSDB.samples(db, "scrape_samples_scraped", ["job": "flap"]).first?.vs.last ?? 0) == 2)

            // flap_b disappears from the exposition: it gets a staleness marker.
            flap.set(.partial)
            try await waitUntil(timeout: .seconds(20), "flap_b marked stale") {
                TSDB.samples(db, "flap_b").first.map { TSDB.isStale($0.vs.last!) } ?? false
            }
            #expect(TSDB.samples(db, "flap_a").first.map { !TSDB.isStale($0.vs.last!) } == true)

            // The target fails: down, with the error, up = 0 and every series stale.
            let before = ws.messages.count
            flap.set(.failing)
            let down = try await ws.first("health_update", after: before) { status("flap", $0) == "down" }
            let entry = (down.payload["targets"] as? [[String: Any]])?.first { $0["id"] as? String == "flap" }
            #expect((entry?["lastError"] as? String)?.contains("500") == true)
            try await waitUntil(timeout: .seconds(20), "flap_a marked stale and up = 0") {
                TSDB.samples(db, "flap_a").first.map { TSDB.isStale($0.vs.last!) } == true
                    && TSDB.samples(db, "up", ["job": "flap"]).first?.vs.last == 0
            }
            let probeDown = try await ws.first("health_update", after: before) { status("flap-probe", $0) == "down" }
            _ = probeDown
            #expect(TSDB.samples(db, "probe_success", ["job": "flap-probe"]).first?.vs.last == 0)
            #expect(TSDB.samples(db, "probe_http_status_code", ["job": "flap-probe"]).first?.vs.last == 503)

            // It recovers: degraded while the failures are recent, then healthy.
            let recovering = ws.messages.count
            flap.set(.ok)
            _ = try await ws.first("health_update", after: recovering) { status("flap", $0) == "degraded" }
            _ = try await ws.first("health_update", after: recovering) { status("flap", $0) == "healthy" }
            #expect(TSDB.samples(db, "flap_b").first.map { !TSDB.isStale($0.vs.last!) } == true)

            // The same picture over HTTP, with an uptime between 0 and 100 %.
            let h = try await HTTP.get(s.base + "/api/v1/health")
            #expect(h.status == 200)
            let targets = (h.data as? [String: Any])?["targets"] as? [[String: Any]] ?? []
            let flapHealth = targets.first { $0["id"] as? String == "flap" }
            let uptime = (flapHealth?["uptime24h"] as? NSNumber)?.doubleValue ?? -1
            #expect(uptime > 0 && uptime < 100, "uptime \(uptime)")
            #expect((flapHealth?["lastResponseTimeSeconds"] as? NSNumber) != nil)
            #expect(targets.count == 2)
            await ws.close()
        }
    }
}
