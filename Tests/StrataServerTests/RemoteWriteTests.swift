import Foundation
import Testing
import StrataCodec
@testable import StrataServer

private let t0: Int64 = 1_764_374_400_000

/// Instant query returning `[(labels, value string)]`.
func instant(_ s: TestServer, _ q: String, at t: Int64) async throws -> [([String: String], String)] {
    let r = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", q), ("time", PromNumber.formatTimestamp(t))]))
    #expect(r.status == 200, "\(r.text)")
    let result = (r.data as? [String: Any])?["result"] as? [[String: Any]] ?? []
    return result.map { e in
        let metric = e["metric"] as? [String: String] ?? [:]
        let value = (e["value"] as? [Any])?[1] as? String ?? "?"
        return (metric, value)
    }
}

@Suite struct RemoteWriteTests {
    @Test func acceptsAndServesSamples() async throws {
        try await withServer { s in
            let body = HTTP.remoteWriteBody([
                (labels: [("__name__", "rw_test"), ("job", "a")], samples: [(t0, 1), (t0 + 15_000, 2.5)]),
                (labels: [("__name__", "rw_test"), ("job", "b")], samples: [(t0, .nan), (t0 + 15_000, .infinity)]),
                (labels: [("__name__", "rw_neg"), ("job", "c")], samples: [(t0 + 15_000, -.infinity)]),
            ])
            let r = try await HTTP.remoteWrite(s.base, body)
            #expect(r.status == 204)
            let got = try await instant(s, "{__name__=~\"rw_.*\"}", at: t0 + 15_000)
            #expect(got.map(\.1) == ["-Inf", "2.5", "+Inf"])
            #expect(got.map { $0.0["job"] ?? "" } == ["c", "a", "b"])
            let nan = try await instant(s, "rw_test{job=\"b\"}", at: t0)
            #expect(nan.map(\.1) == ["NaN"])
        }
    }

    @Test func metadataOnlyRequestIsAccepted() async throws {
        try await withServer { s in
            // WriteRequest { metadata = 3 { type = 1: COUNTER(1), metric_family_name = 2: "x" } }
            let proto: [UInt8] = [0x1a, 0x05, 0x08, 0x01, 0x12, 0x01, UInt8(ascii: "x")]
            var body: [UInt8] = []
            Snappy.compress(proto, into: &body)
            let r = try await HTTP.remoteWrite(s.base, body)
            #expect(r.status == 204)
        }
    }

    @Test func malformedBodiesAreBadRequests() async throws {
        try await withServer { s in
            // Not snappy at all.
            var r = try await HTTP.remoteWrite(s.base, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
            #expect(r.status == 400)
            #expect(r.errorType == "bad_data")
            // Valid snappy around a truncated protobuf (field 1, length 50, 2 bytes of data).
            var body: [UInt8] = []
            Snappy.compress([0x0a, 50, 1, 2], into: &body)
            r = try await HTTP.remoteWrite(s.base, body)
            #expect(r.status == 400)
            #expect(r.error?.contains("remote write body") == true)
            // A 7-byte body that declares a 4 GiB (2³² − 1 bytes, snappy's maximum) decoded
            // size: refused before allocating.
            r = try await HTTP.remoteWrite(s.base, [0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 0x00])
            #expect(r.status == 413)
            #expect(r.errorType == "too_large")
            let m = try await HTTP.get(s.base + "/metrics")
            #expect(m.text.contains("strata_limit_hits_total{limit=\"max_decoded_bytes\"} 1"))
        }
    }

    @Test func invalidLabelsAreRefusedNamingTheSeries() async throws {
        try await withServer { s in
            let cases: [([(String, String)], String)] = [
                ([("__name__", "ok"), ("bad-name", "x")], "invalid label name \"bad-name\""),
                ([("__name__", "ok"), ("z", "1"), ("a", "2")], "not sorted"),
                ([("__name__", "ok"), ("a", "1"), ("a", "2")], "duplicate label name \"a\""),
                ([("job", "x")], "missing metric name"),
                ([("__name__", "1bad")], "invalid"),
            ]
            for (labels, fragment) in cases {
                let r = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([(labels: labels, samples: [(t0, 1)])]))
                #expect(r.status == 400, "\(labels)")
                #expect(r.error?.contains(fragment) == true, "\(labels): \(r.error ?? "")")
            }
            // Nothing from those requests was stored.
            let series = try await HTTP.get(HTTP.url(s.base, "/api/v1/series", [("match[]", "{__name__=~\".+\"}")]))
            #expect((series.data as? [Any])?.isEmpty == true)
        }
    }

    @Test func outOfOrderAndFutureSamplesAreRefusedButTheRestIsStored() async throws {
        try await withServer { s in
            var r = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([
                (labels: [("__name__", "ooo")], samples: [(t0 + 60_000, 1)]),
            ]))
            #expect(r.status == 204)
            let future = Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000
            r = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([
                (labels: [("__name__", "ooo")], samples: [(t0, 2)]),                   // older than the newest
                (labels: [("__name__", "fut")], samples: [(future, 3)]),               // an hour ahead
                (labels: [("__name__", "fine")], samples: [(t0, 4)]),
            ]))
            #expect(r.status == 400)
            #expect(r.error?.contains("out of order sample for series ooo{}") == true, "\(r.error ?? "")")
            #expect(r.error?.contains("fut{}") == true)
            #expect(r.error?.contains("in the future") == true)
            let fine = try await instant(s, "fine", at: t0)
            #expect(fine.map(\.1) == ["4"])
            let m = try await HTTP.get(s.base + "/metrics")
            #expect(m.text.contains("strata_samples_rejected_total{reason=\"out_of_order\"} 1"))
            #expect(m.text.contains("strata_samples_rejected_total{reason=\"too_far_in_future\"} 1"))
        }
    }

    @Test func identicalDuplicateIsAcceptedConflictingIsNot() async throws {
        try await withServer { s in
            let body = HTTP.remoteWriteBody([(labels: [("__name__", "dup")], samples: [(t0, 1)])])
            #expect(try await HTTP.remoteWrite(s.base, body).status == 204)
            #expect(try await HTTP.remoteWrite(s.base, body).status == 204)
            let r = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([(labels: [("__name__", "dup")], samples: [(t0, 2)])]))
            #expect(r.status == 400)
            #expect(r.error?.contains("duplicate sample") == true)
        }
    }

    @Test func bodyOverTheLimitIs413() async throws {
        try await withServer({ $0.limits.maxBodyBytes = 1024 }) { s in
            let big = HTTP.remoteWriteBody((0..<200).map { i in
                (labels: [("__name__", "big"), ("i", "\(i)")], samples: [(t0, Double(i))])
            })
            #expect(big.count > 1024)
            let r = try await HTTP.remoteWrite(s.base, big)
            #expect(r.status == 413)
            #expect(r.errorType == "too_large")
        }
    }

    @Test func seriesLimitIsAClearError() async throws {
        try await withServer({ $0.limits.maxSeries = 2 }) { s in
            let r = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody((0..<3).map { i in
                (labels: [("__name__", "lim"), ("i", "\(i)")], samples: [(t0, 1)])
            }))
            #expect(r.status == 400)
            #expect(r.error?.contains("series limit of 2") == true)
        }
    }
}
