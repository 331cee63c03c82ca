import Foundation
import Testing
import StrataCodec
import StrataIngest
import StrataTestSupport
@testable import StrataServer

/// Remote read: a real Prometheus 2.42 (Debian) uses Strata as remote
/// storage and answers queries from data that only Strata holds; plus the
/// protocol's bad-input cases over a socket.
@Suite(.serialized) struct RemoteReadTests {
    @Test func prometheusReadsThroughStrata() async throws {
        let tmp = try TempDirectory("strata-remote-read")
        defer { tmp.remove() }
        try await withServer { strata in
            // Data only Strata has: two series, 10 minutes at 15 s, ending a minute ago.
            let end = Int64(Date().timeIntervalSince1970) * 1000 / 15_000 * 15_000 - 60_000
            let start = end - 600_000
            let samples = stride(from: start, through: end, by: 15_000).map { ($0, Double(($0 - start) / 15_000)) }
            let r = try await HTTP.remoteWrite(strata.base, HTTP.remoteWriteBody([
                (labels: [("__name__", "rr_metric"), ("job", "a")], samples: samples),
                (labels: [("__name__", "rr_metric"), ("job", "b")], samples: samples.map { ($0.0, $0.1 * 2) }),
            ]))
            #expect(r.status == 204)
            let promPort = PeerProcess.freePort()
            try """
            global:
              scrape_interval: 15s
            remote_read:
              - url: http://127.0.0.1:\(strata.port)/api/v1/read
                read_recent: true
            """.write(toFile: tmp.sub("prometheus.yml"), atomically: true, encoding: .utf8)
            let prom = try PeerProcess("prometheus", [
                "--config.file=\(tmp.sub("prometheus.yml"))", "--storage.tsdb.path=\(tmp.sub("prom-data"))",
                "--web.listen-address=127.0.0.1:\(promPort)",
            ], logTo: tmp.sub("prometheus.log"))
            defer { prom.stop() }
            let promBase = "http://127.0.0.1:\(promPort)"
            try await waitUntil(timeout: .seconds(30), "prometheus ready") { try await HTTP.get(promBase + "/-/ready").status == 200 }
            let params = [("query", "sum by (job) (rr_metric)"), ("start", String(start / 1000)), ("end", String(end / 1000)), ("step", "60")]
            let theirs = try await HTTP.get(HTTP.url(promBase, "/api/v1/query_range", params))
            let ours = try await HTTP.get(HTTP.url(strata.base, "/api/v1/query_range", params))
            #expect(theirs.status == 200)
            let result = (theirs.data as? [String: Any])?["result"] as? [[String: Any]] ?? []
            #expect(result.count == 2, "\(theirs.text)")
            // Prometheus computed the answer from what it read through Strata: the same as Strata's own.
            #expect(PrometheusPeerTests.points(theirs) == PrometheusPeerTests.points(ours))
            let raw = try await HTTP.get(HTTP.url(promBase, "/api/v1/query", [("query", "rr_metric{job=\"b\"}[10m]"), ("time", String(end / 1000))]))
            let values = (((raw.data as? [String: Any])?["result"] as? [[String: Any]])?.first?["values"] as? [[Any]]) ?? []
            #expect(values.count == 41)
        }
    }

    @Test func badRequestsAreRefused() async throws {
        try await withServer { s in
            let headers = [("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy")]
            var r = try await HTTP.request(s.base + "/api/v1/read", method: .POST, body: [0xff, 0xff, 0xff], headers: headers)
            #expect(r.status == 400)
            #expect(r.errorType == "bad_data")
            // A query whose regex is invalid.
            var req: [UInt8] = []
            ReadRequest(queries: [.init(startTimestampMs: 0, endTimestampMs: 1, matchers: [.init(.regexMatch, "job", "(")])]).encode(into: &req)
            var body: [UInt8] = []
            Snappy.compress(req, into: &body)
            r = try await HTTP.request(s.base + "/api/v1/read", method: .POST, body: body, headers: headers)
            #expect(r.status == 400)
            #expect(r.error?.contains("invalid matcher") == true)
        }
    }
}
