import Foundation
import Testing
import StrataCodec
@testable import StrataServer

/// Issue #7, limits: every limit refuses with a clear 4xx that names it,
/// and is counted in `/metrics` as `strata_limit_hits_total{limit=…}`.
/// One server with small limits; each row sends one request over the limit
/// (and, where it makes sense, one just under it, which must pass).
@Suite(.serialized) struct LimitsMatrixTests {
    static let t0: Int64 = 1_764_374_400_000

    static func configure(_ c: inout ServeConfig) {
        c.limits.maxBodyBytes = 4096
        c.limits.maxDecodedBytes = 2048
        c.limits.maxSeries = 8
        c.limits.labels = .init(maxLabels: 4, maxNameLength: 16, maxValueLength: 32)
        c.query.maxSamples = 50
    }

    struct Row: CustomStringConvertible {
        var limit: String
        var expectedStatus: Int
        /// A word the error message must contain, so the client knows which limit it hit.
        var messageNames: String
        var request: @Sendable (String) async throws -> HTTPResult
        var description: String { limit }
    }

    static func rw(_ series: [[(String, String)]], at t: Int64 = t0) -> [UInt8] {
        HTTP.remoteWriteBody(series.map { (labels: $0, samples: [(t, 1)]) })
    }

    static let rows: [Row] = [
        Row(limit: "max_body_bytes", expectedStatus: 413, messageNames: "limit of 4096 bytes") { base in
            try await HTTP.request(base + "/write", method: .POST, body: Array(repeating: UInt8(ascii: "#"), count: 5000))
        },
        Row(limit: "max_decoded_bytes", expectedStatus: 413, messageNames: "2048") { base in
            // Compresses to far less than the body limit, decodes to more than 2 KiB.
            let value = String(repeating: "v", count: 30)
            return try await HTTP.remoteWrite(base, rw((0..<100).map { [("__name__", "dec"), ("i", "\($0)"), ("v", value)] }))
        },
        Row(limit: "max_labels_per_series", expectedStatus: 400, messageNames: "limit is 4") { base in
            try await HTTP.remoteWrite(base, rw([[("__name__", "lab"), ("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")]]))
        },
        Row(limit: "max_label_name_length", expectedStatus: 400, messageNames: "longer than 16 bytes") { base in
            try await HTTP.remoteWrite(base, rw([[("__name__", "nam"), (String(repeating: "n", count: 17), "x")]]))
        },
        Row(limit: "max_label_value_length", expectedStatus: 400, messageNames: "limit is 32") { base in
            // Through the line protocol too: the same limits whatever the protocol.
            try await HTTP.request(base + "/write?precision=ms", method: .POST,
                                   body: Array("val,host=\(String(repeating: "h", count: 33)) v=1 \(t0)\n".utf8))
        },
        Row(limit: "max_series", expectedStatus: 400, messageNames: "series limit of 8 active series") { base in
            try await HTTP.remoteWrite(base, rw((0..<12).map { [("__name__", "ser"), ("i", "\($0)")] }))
        },
        Row(limit: "query_max_samples", expectedStatus: 422, messageNames: "too many samples") { base in
            try await HTTP.get(HTTP.url(base, "/api/v1/query", [("query", "ser[1h]"), ("time", PromNumber.formatTimestamp(t0))]))
        },
        Row(limit: "query_max_points_per_series", expectedStatus: 400, messageNames: "11,000 points") { base in
            try await HTTP.get(HTTP.url(base, "/api/v1/query_range", [("query", "1"), ("start", "0"), ("end", "12000"), ("step", "1")]))
        },
    ]

    @Test func everyLimitRefusesNamesAndCounts() async throws {
        try await withServer(Self.configure) { s in
            // Under the limits: accepted. 8 series of 7 samples each fill the series limit
            // and give `ser[1h]` 56 samples (over the query limit of 50); one series' 7 are under it.
            for k in 0..<7 {
                let r = try await HTTP.remoteWrite(s.base, Self.rw((0..<8).map { [("__name__", "ser"), ("i", "\($0)")] },
                                                                   at: Self.t0 - Int64(6 - k) * 60_000))
                #expect(r.status == 204, "\(r.text)")
            }
            let under = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "ser{i=\"0\"}[1h]"),
                                                                              ("time", PromNumber.formatTimestamp(Self.t0))]))
            #expect(under.status == 200, "\(under.text)")
            let lab = try await HTTP.remoteWrite(s.base, Self.rw([[("__name__", "ser"), ("i", "0"), ("b", "2"), ("c", "3")]]))
            #expect(lab.status == 400, "a ninth series is over the series limit, not the label limit: \(lab.text)")

            var passed = 0
            for row in Self.rows {
                let r = try await row.request(s.base)
                let ok = r.status == row.expectedStatus && r.text.contains(row.messageNames)
                #expect(r.status == row.expectedStatus, "\(row): \(r.status) \(r.text)")
                #expect(r.text.contains(row.messageNames), "\(row): \(r.text)")
                if ok { passed += 1 }
            }
            let m = try await HTTP.get(s.base + "/metrics")
            for row in Self.rows {
                #expect(m.text.contains("strata_limit_hits_total{limit=\"\(row.limit)\"}"), "\(row) not counted")
            }
            print("limits matrix: \(passed) of \(Self.rows.count) rows pass (\(Self.rows.map(\.limit).joined(separator: ", ")))")
        }
    }
}
