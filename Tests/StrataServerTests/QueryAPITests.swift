import Foundation
import Testing
@testable import StrataServer

private let t0: Int64 = 1_764_374_400_000
private let staleNaN = Double(bitPattern: 0x7ff0_0000_0000_0002)

@Suite struct QueryAPITests {
    /// Exact bytes of Prometheus 2.x answers (RECIPES): timestamps in seconds
    /// with 3 decimals when not whole, values as Go formats them.
    @Test func rangeQueryShapeIsPrometheusExact() async throws {
        try await withServer { s in
            _ = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([
                (labels: [("__name__", "shape"), ("a", "x\"y")], samples: [
                    (t0, 0.000001), (t0 + 15_050, 1e-7), (t0 + 30_000, 1e21), (t0 + 45_000, 123456789012),
                ]),
            ]))
            let r = try await HTTP.get(HTTP.url(s.base, "/api/v1/query_range", [
                ("query", "shape"), ("start", "1764374400"), ("end", "1764374445.5"), ("step", "15.05"),
            ]))
            #expect(r.status == 200)
            #expect(r.text == #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"shape","a":"x\"y"},"values":[[1764374400,"0.000001"],[1764374415.050,"1e-07"],[1764374430.100,"1e+21"],[1764374445.150,"123456789012"]]}]}}"#)
        }
    }

    @Test func lookbackIsClosedAtBothEndsAndStalenessHides() async throws {
        try await withServer { s in
            _ = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([
                (labels: [("__name__", "lb")], samples: [(t0, 1), (t0 + 600_000, 2), (t0 + 615_000, staleNaN)]),
            ]))
            // Exactly 5 m after the sample: still visible; 1 ms later: gone.
            #expect(try await instant(s, "lb", at: t0 + 300_000).map(\.1) == ["1"])
            #expect(try await instant(s, "lb", at: t0 + 300_001).isEmpty)
            #expect(try await instant(s, "lb", at: t0 + 600_000).map(\.1) == ["2"])
            // After the staleness marker the series is hidden at once.
            #expect(try await instant(s, "lb", at: t0 + 615_000).isEmpty)
            // Markers never appear in raw output.
            let r = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "lb[20m]"), ("time", "1764375100")]))
            #expect(r.text.contains("\"values\":[[1764374400,\"1\"],[1764375000,\"2\"]]"), "\(r.text)")
            // Range selectors cover [t−d, t], closed at both ends (Prometheus 2.x).
            let edge = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "lb[10m]"), ("time", "1764375000")]))
            #expect(edge.text.contains("[[1764374400,\"1\"],[1764375000,\"2\"]]"), "\(edge.text)")
        }
    }

    @Test func postFormWorksLikeGet() async throws {
        try await withServer { s in
            _ = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([(labels: [("__name__", "pf")], samples: [(t0, 7)])]))
            let r = try await HTTP.postForm(s.base + "/api/v1/query", [("query", "pf"), ("time", "1764374400")])
            #expect(r.text == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"pf"},"value":[1764374400,"7"]}]}}"#)
        }
    }

    @Test func badParametersAreBadData() async throws {
        try await withServer { s in
            let cases: [(String, [(String, String)], String)] = [
                ("/api/v1/query", [("query", "sum(")], "invalid parameter \"query\": 1:5: parse error"),
                ("/api/v1/query", [("query", "up"), ("time", "yesterday")], "invalid parameter \"time\": Invalid time value for 'time': cannot parse \"yesterday\" to a valid timestamp"),
                ("/api/v1/query_range", [("query", "up"), ("start", "10"), ("end", "5"), ("step", "1")], "end timestamp must not be before start time"),
                ("/api/v1/query_range", [("query", "up"), ("start", "0"), ("end", "5"), ("step", "0")], "zero or negative query resolution step widths are not accepted"),
                ("/api/v1/query_range", [("query", "up"), ("start", "0"), ("end", "100000"), ("step", "1")], "exceeded maximum resolution of 11,000 points per timeseries"),
                ("/api/v1/query_range", [("query", "up"), ("end", "5"), ("step", "1")], "invalid parameter \"start\""),
                ("/api/v1/series", [], "no match[] parameter provided"),
                ("/api/v1/series", [("match[]", "sum(up)")], "invalid parameter \"match[]\""),
            ]
            for (path, q, fragment) in cases {
                let r = try await HTTP.get(HTTP.url(s.base, path, q))
                #expect(r.status == 400, "\(path) \(q)")
                #expect(r.errorType == "bad_data")
                #expect(r.error?.contains(fragment) == true, "\(path) \(q): \(r.error ?? "")")
            }
        }
    }

    @Test func seriesLabelsAndValues() async throws {
        try await withServer { s in
            _ = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([
                (labels: [("__name__", "m1"), ("env", "prod"), ("job", "api")], samples: [(t0, 1)]),
                (labels: [("__name__", "m1"), ("env", "dev"), ("job", "api")], samples: [(t0, 1)]),
                (labels: [("__name__", "m2"), ("zone", "z1")], samples: [(t0 + 3_600_000, 1)]),
            ]))
            var r = try await HTTP.get(HTTP.url(s.base, "/api/v1/series", [("match[]", "m1"), ("match[]", "{zone=\"z1\"}")]))
            #expect(r.text == #"{"status":"success","data":[{"__name__":"m1","env":"dev","job":"api"},{"__name__":"m1","env":"prod","job":"api"},{"__name__":"m2","zone":"z1"}]}"#)
            // Time range restricts series.
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/series", [("match[]", "{__name__=~\"m.\"}"), ("start", "1764374400"), ("end", "1764374460")]))
            #expect((r.data as? [Any])?.count == 2)
            r = try await HTTP.get(s.base + "/api/v1/labels")
            #expect(r.text == #"{"status":"success","data":["__name__","env","job","zone"]}"#)
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/labels", [("match[]", "m2")]))
            #expect(r.text == #"{"status":"success","data":["__name__","zone"]}"#)
            r = try await HTTP.get(s.base + "/api/v1/label/env/values")
            #expect(r.text == #"{"status":"success","data":["dev","prod"]}"#)
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/label/__name__/values", [("match[]", "{env=\"dev\"}")]))
            #expect(r.text == #"{"status":"success","data":["m1"]}"#)
        }
    }

    @Test func flushStatusMetricsAndHealth() async throws {
        try await withServer { s in
            _ = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([(labels: [("__name__", "fl"), ("i", "1")], samples: [(t0, 1), (t0 + 1000, 2)])]))
            var r = try await HTTP.request(s.base + "/api/v1/admin/tsdb/flush", method: .POST)
            #expect(r.status == 200)
            #expect(r.text.contains("\"samples\":2"))
            r = try await HTTP.get(s.base + "/api/v1/status/tsdb")
            #expect(r.status == 200)
            let data = r.data as? [String: Any]
            #expect((data?["blocks"] as? [Any])?.count == 1)
            #expect(data?["headStats"] != nil)
            // Still queryable from the block.
            #expect(try await instant(s, "fl", at: t0 + 1000).map(\.1) == ["2"])
            r = try await HTTP.get(s.base + "/metrics")
            #expect(r.status == 200)
            for name in ["strata_samples_ingested_total{protocol=\"remote_write\"} 2", "strata_head_series", "strata_wal_bytes_written_total",
                         "strata_http_request_duration_seconds_bucket{handler=\"/api/v1/write\",code=\"204\""] {
                #expect(r.text.contains(name), "\(name)")
            }
            #expect(try await HTTP.get(s.base + "/-/healthy").status == 200)
            #expect(try await HTTP.get(s.base + "/-/ready").status == 200)
        }
    }
}
