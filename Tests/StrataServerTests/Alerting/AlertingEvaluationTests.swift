import Foundation
import StrataServer
import StrataStorage
import StrataTestSupport
import Testing
@testable import StrataServer

/// Rule evaluation seen from outside: recording rules write series, a
/// failing rule shows its health and is counted in `/metrics`; routing and
/// mute windows pick receivers.
@Suite struct AlertingEvaluationTests {
    @Test func recordingRulesWriteAndFailuresAreCounted() async throws {
        try await withServer { s in
            try await AlertTest.push(s, "reqs", ["job": "a", "instance": "1"], 3)
            try await AlertTest.push(s, "reqs", ["job": "a", "instance": "2"], 4)
            var r = try await AlertTest.postGroup(s, #"{"name":"rec","interval":"1s","rules":[{"record":"job:reqs:sum","expr":"sum by (job) (reqs)","labels":{"team":"x"}}]}"#)
            #expect(r.status == 201, "\(r.text)")
            // Limit 1, two alerts: the rule fails (Prometheus' group limit).
            r = try await AlertTest.postGroup(s, #"{"name":"limited","interval":"1s","limit":1,"rules":[{"alert":"Many","expr":"reqs > 0"}]}"#)
            #expect(r.status == 201, "\(r.text)")
            try await waitUntil(timeout: .seconds(60), "the recorded series") {
                !TSDB.samples(s.server.db, "job:reqs:sum", ["job": "a", "team": "x"]).isEmpty
            }
            #expect(TSDB.samples(s.server.db, "job:reqs:sum").first?.vs.first == 7)
            try await waitUntil(timeout: .seconds(60), "the failure in /metrics") {
                let prefix = "strata_rule_evaluation_failures_total{rule_group=\"limited\"} "
                let line = try await HTTP.get(s.base + "/metrics").text.split(separator: "\n").first { $0.hasPrefix(prefix) }
                return (line.flatMap { Double($0.dropFirst(prefix.count)) } ?? 0) >= 1
            }
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/rules", [("rule_group[]", "limited")]))
            let rule = (((r.data as? [String: Any])?["groups"] as? [[String: Any]])?.first?["rules"] as? [[String: Any]])?.first
            #expect(rule?["health"] as? String == "err")
            #expect((rule?["lastError"] as? String)?.contains("exceeded limit of 1") == true)
            #expect(try await AlertTest.alerts(s).isEmpty)

            // Deleting the group marks what it wrote stale at once.
            r = try await HTTP.request(s.base + "/api/v1/rules/rec", method: .DELETE)
            #expect(r.status == 200)
            try await waitUntil(timeout: .seconds(60), "a staleness marker") {
                TSDB.samples(s.server.db, "job:reqs:sum").first?.vs.last.map(TSDB.isStale) == true
            }
        }
    }

    @Test func routingBySeverityAndMuteWindows() throws {
        let v = try JSONValue.parse("""
        {"receivers":[{"name":"ops","webhook_url":"http://h/1"},{"name":"all","webhook_url":"http://h/2"}],
         "routes":[{"severity":"critical","receiver":"ops"},{"severity":"*","receiver":"all"}],
         "mute_windows":[{"name":"night","start":1000,"end":2000,"severities":["warning"]}]}
        """)
        let s = try AlertSettings.decode(v)
        #expect(s.receivers(severity: "critical", at: 0).map(\.name) == ["ops", "all"])
        #expect(s.receivers(severity: "warning", at: 0).map(\.name) == ["all"])
        #expect(s.receivers(severity: "warning", at: 1_500_000).isEmpty)
        #expect(s.receivers(severity: "critical", at: 1_500_000).map(\.name) == ["ops", "all"])
        #expect(s.receivers(severity: "warning", at: 2_000_000).map(\.name) == ["all"])
    }

    @Test func backoffDoublesUpToTheCap() {
        #expect((1...6).map { RetryBackoff.delay(attempt: $0, initial: 500, max: 8000) } == [500, 1000, 2000, 4000, 8000, 8000])
        #expect(RetryBackoff.delay(attempt: 200, initial: 500, max: 8000) == 8000)
        #expect(RetryBackoff.classify(status: 204) == .delivered)
        #expect(RetryBackoff.classify(status: 404) == .rejected(status: 404))
        #expect(RetryBackoff.classify(status: 503) == .retry(reason: "HTTP 503"))
    }

    @Test func fingerprintIsStableFNV() {
        // Independent of label insertion order; 16 hex digits.
        let a = AlertPayloads.fingerprint(Labels(["alertname": "X", "instance": "a"]))
        let b = AlertPayloads.fingerprint(Labels(["instance": "a", "alertname": "X"]))
        #expect(a == b && a.count == 16)
        #expect(a != AlertPayloads.fingerprint(Labels(["alertname": "X", "instance": "b"])))
    }
}
