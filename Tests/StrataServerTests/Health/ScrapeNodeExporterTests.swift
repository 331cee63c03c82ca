import Foundation
import StrataStorage
import StrataTestSupport
import Testing
@testable import StrataServer

/// Scraping real exporters: Debian's prometheus-node-exporter, and Strata's
/// own `/metrics` (self-scrape) with the host metrics beside it.
@Suite(.serialized) struct ScrapeNodeExporterTests {
    @Test func scrapesARealNodeExporter() async throws {
        let tmp = try TempDirectory("strata-node-scrape")
        defer { tmp.remove() }
        let nodePort = PeerProcess.freePort()
        let node = try PeerProcess("prometheus-node-exporter", ["--web.listen-address=127.0.0.1:\(nodePort)"], logTo: tmp.sub("node.log"))
        defer { node.stop() }
        // Generous waits: on a loaded CI machine node_exporter's first answer
        // and a 1 s scrape can take several seconds (these are waits, not timing checks).
        try await waitUntil(timeout: .seconds(120), "node_exporter ready") {
            try await HTTP.get("http://127.0.0.1:\(nodePort)/metrics").status == 200
        }
        try await withServer({ cfg in
            cfg.monitoring.selfScrape = false
            cfg.monitoring.hostMetrics = false
            cfg.targets = [TargetSpec(id: "node", url: "http://127.0.0.1:\(nodePort)", intervalMs: 3000, timeoutMs: 3000, source: .config)]
        }) { s in
            let db = s.server.db
            // Three scrapes in, every series carries job and instance.
            try await waitUntil(timeout: .seconds(180), "three successful scrapes") {
                (TSDB.samples(db, "up", ["job": "node"]).first?.vs.filter { $0 == 1 }.count ?? 0) >= 3
            }
            let instance = "127.0.0.1:\(nodePort)"
            let cpu = TSDB.samples(db, "node_cpu_seconds_total")
            #expect(!cpu.isEmpty)
            #expect(cpu.allSatisfy { $0.labels["job"] == "node" && $0.labels["instance"] == instance && $0.labels["mode"] != nil })
            let scraped = TSDB.samples(db, "scrape_samples_scraped", ["job": "node"]).first?.vs.last ?? 0
            #expect(scraped > 100)
            let duration = TSDB.samples(db, "scrape_duration_seconds", ["job": "node"]).first?.vs.last ?? -1
            // A successful scrape finished within its timeout.
            #expect(duration > 0 && duration <= 3.5)
            // Histograms and summaries arrive as their _bucket/_sum/_count series.
            #expect(!TSDB.samples(db, "go_gc_duration_seconds", ["quantile": "0.5"]).isEmpty)
            #expect(!TSDB.samples(db, "go_gc_duration_seconds_count").isEmpty)
            // Queryable through PromQL like any data.
            let q = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "count(up{job=\"node\"} == 1)")]))
            #expect(q.text.contains("\"1\""), "\(q.text)")
            let status = s.server.monitor.target("node")?.status
            #expect(status?.state == .healthy || status?.state == .degraded)
            #expect((status?.samples ?? 0) > 100)
        }
    }

    /// A fresh server scrapes itself (job="strata") and records the host's
    /// CPU, memory, disk and fds, with no configuration.
    @Test func selfScrapeAndHostMetricsByDefault() async throws {
        try await withServer({ cfg in
            // Both are on by default in `strata serve`; TestServer turns them off.
            cfg.monitoring.selfScrape = true
            cfg.monitoring.hostMetrics = true
            cfg.monitoring.selfScrapeIntervalMs = 200
            cfg.monitoring.hostMetricsIntervalMs = 200
        }) { s in
            let db = s.server.db
            try await waitUntil(timeout: .seconds(120), "self-scrape") {
                TSDB.samples(db, "up", ["job": "strata"]).first?.vs.last == 1
                    && !TSDB.samples(db, "strata_head_series", ["job": "strata"]).isEmpty
            }
            #expect(TSDB.samples(db, "up", ["job": "strata"]).first?.labels["instance"] == "127.0.0.1:\(s.port)")
            try await waitUntil(timeout: .seconds(120), "host metrics") {
                !TSDB.samples(db, "process_open_fds", ["job": "strata"]).isEmpty
            }
            let modes = Set(TSDB.samples(db, "strata_host_cpu_seconds_total").compactMap { $0.labels["mode"] })
            #expect(modes.isSuperset(of: ["user", "system", "idle"]))
            #expect((TSDB.samples(db, "strata_host_memory_total_bytes").first?.vs.last ?? 0) > 1_048_576)
            #expect((TSDB.samples(db, "strata_host_memory_available_bytes").first?.vs.last ?? 0) > 0)
            #expect((TSDB.samples(db, "strata_host_disk_size_bytes").first?.vs.last ?? 0) > 0)
            #expect((TSDB.samples(db, "process_open_fds").first?.vs.last ?? 0) > 3)
            #expect((TSDB.samples(db, "process_resident_memory_bytes").first?.vs.last ?? 0) > 1_048_576)
            let health = try await HTTP.get(s.base + "/api/v1/health")
            #expect(health.text.contains(#""id":"strata""#))
        }
    }
}
