import Foundation
import Testing
import StrataTestSupport
@testable import StrataServer

/// A real Prometheus 2.42 (Debian) scrapes a real node_exporter every second
/// and remote-writes to Strata; Prometheus' own answers for raw selectors
/// must equal Strata's.
@Suite(.serialized) struct PrometheusPeerTests {
    @Test func remoteWriteFromPrometheusMatchesItsOwnAnswers() async throws {
        let tmp = try TempDirectory("strata-prom-peer")
        defer { tmp.remove() }
        try await withServer { strata in
            let nodePort = PeerProcess.freePort()
            let node = try PeerProcess("prometheus-node-exporter", ["--web.listen-address=127.0.0.1:\(nodePort)"],
                                       logTo: tmp.sub("node.log"))
            defer { node.stop() }
            let promPort = PeerProcess.freePort()
            let config = """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: node
                static_configs:
                  - targets: ['127.0.0.1:\(nodePort)']
            remote_write:
              - url: http://127.0.0.1:\(strata.port)/api/v1/write
                queue_config:
                  batch_send_deadline: 1s
                  max_samples_per_send: 2000
            """
            try config.write(toFile: tmp.sub("prometheus.yml"), atomically: true, encoding: .utf8)
            let prom = try PeerProcess("prometheus", [
                "--config.file=\(tmp.sub("prometheus.yml"))", "--storage.tsdb.path=\(tmp.sub("prom-data"))",
                "--web.listen-address=127.0.0.1:\(promPort)",
            ], logTo: tmp.sub("prometheus.log"))
            defer { prom.stop() }
            let promBase = "http://127.0.0.1:\(promPort)"
            try await waitUntil(timeout: .seconds(30), "prometheus ready") {
                try await HTTP.get(promBase + "/-/ready").status == 200
            }
            let start = Date().timeIntervalSince1970.rounded(.up) + 2
            // Let it scrape for about a minute (the workload, not synchronisation).
            try await Task.sleep(for: .seconds(62))
            let end = start + 55
            // Wait until Prometheus reports that everything up to `end` was sent.
            try await waitUntil(timeout: .seconds(60), "remote write caught up") {
                // Prometheus doesn't scrape itself here: read its own /metrics.
                let m = try await HTTP.get(promBase + "/metrics")
                guard let line = m.text.split(separator: "\n").first(where: {
                    $0.hasPrefix("prometheus_remote_storage_queue_highest_sent_timestamp_seconds{")
                }), let v = line.split(separator: " ").last, let sent = Double(v) else { return false }
                return sent >= end + 1
            }
            let queries = [
                "up", "node_cpu_seconds_total", "node_memory_MemAvailable_bytes", "node_load1",
                "node_network_receive_bytes_total", "scrape_duration_seconds", "scrape_samples_scraped",
                "{__name__=~\"node_filesystem_.*\", fstype!=\"tmpfs\"}", "node_time_seconds",
            ]
            var compared = 0
            for q in queries {
                let params = [("query", q), ("start", String(start)), ("end", String(end)), ("step", "1")]
                let theirs = try await HTTP.get(HTTP.url(promBase, "/api/v1/query_range", params))
                let ours = try await HTTP.get(HTTP.url(strata.base, "/api/v1/query_range", params))
                #expect(theirs.status == 200 && ours.status == 200)
                let a = Self.points(theirs), b = Self.points(ours)
                #expect(!a.isEmpty, "Prometheus returned nothing for \(q)")
                #expect(a.keys.sorted() == b.keys.sorted(), "series differ for \(q)")
                for (k, v) in a {
                    #expect(b[k] == v, "\(q) \(k): values differ")
                    compared += v.count
                }
            }
            print("prometheus peer: compared \(compared) points over \(queries.count) selectors")
            #expect(compared > 1000)
        }
    }

    /// series (labels text) → [(timestamp text, value text)] as the API wrote them.
    static func points(_ r: HTTPResult) -> [String: [String]] {
        var out: [String: [String]] = [:]
        let result = (r.data as? [String: Any])?["result"] as? [[String: Any]] ?? []
        for s in result {
            let metric = (s["metric"] as? [String: String] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            let values = (s["values"] as? [[Any]] ?? []).map { "\($0[0])@\($0[1])" }
            out[metric] = values
        }
        return out
    }
}
