import Foundation
import Testing
import StrataTestSupport
@testable import StrataServer

/// Issue #4, item 6: every expression of `corpus.txt` must give the same
/// answer from Strata as from a real Prometheus 2.42 holding the same data,
/// as instant queries at several times and as range queries over several
/// start/end/step combinations.
///
/// Debugging: `STRATA_DIFF_FILTER=<substring>` runs only the expressions that
/// contain it; `STRATA_DIFF_REPORT=<file>` writes every difference there.
@Suite(.serialized) struct DifferentialTests {
    /// A query of one expression: instant at `time`, or range.
    struct QuerySpec: CustomStringConvertible {
        var path: String
        var params: [(String, String)]
        var isInstant: Bool { path == "/api/v1/query" }
        var description: String {
            (isInstant ? "instant" : "range") + " " + params.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
        }
    }

    /// Evaluation times relative to the dataset's `t0` (ms).
    static func specs(t0: Int64) -> [QuerySpec] {
        let m: Int64 = 60_000
        func instant(_ t: Int64) -> QuerySpec { QuerySpec(path: "/api/v1/query", params: [("time", PromTime.format(t0 + t))]) }
        func range(_ a: Int64, _ b: Int64, _ step: String) -> QuerySpec {
            QuerySpec(path: "/api/v1/query_range", params: [("start", PromTime.format(t0 + a)), ("end", PromTime.format(t0 + b)), ("step", step)])
        }
        return [
            instant(30 * m),                 // inside the data, aligned
            instant(47 * m + 13_457),        // unaligned, fractional seconds
            instant(82 * m),                 // after the last sample, inside the lookback
            instant(88 * m),                 // beyond the lookback: selectors are empty
            instant(-1 * m),                 // before the first sample
            instant(26 * m + 30_000),        // exactly 5 m after two_samples' last sample (closed lookback)
            range(-5 * m, 85 * m, "60"),     // covers before, during and after the data
            range(10 * m + 7_500, 70 * m, "47"),   // unaligned start, step that does not divide the range
            range(60 * m, 60 * m, "15"),     // a single step
            range(-24 * 60 * m, 120 * m, "600"),   // a very long range
            range(20 * m, 40 * m, "5s"),     // a fine step
        ]
    }

    @Test func corpusAgreesWithPrometheus() async throws {
        let corpus = try DifferentialCorpus.load()
        #expect(corpus.entries.count >= 300)
        let filter = ProcessInfo.processInfo.environment["STRATA_DIFF_FILTER"]
        let entries = corpus.entries.filter { filter == nil || $0.template.contains(filter!) }

        // Recent enough for Prometheus' head, aligned to 15 minutes.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let quarter: Int64 = 15 * 60_000
        let t0 = (now - 95 * 60_000) / quarter * quarter
        let data = DifferentialDataset(t0: t0)

        let tmp = try TempDirectory("strata-differential")
        defer { tmp.remove() }
        let prom = try await PrometheusServer.start(in: tmp.sub("prometheus"))
        defer { prom.stop() }
        // Only the dataset: no self-monitoring series in Strata.
        try await withServer({ cfg in
            cfg.monitoring.selfScrape = false
            cfg.monitoring.hostMetrics = false
        }) { strata in
            try await Self.load(data, into: [prom.base, strata.base])

            let specs = Self.specs(t0: t0)
            var failures: [(entry: DifferentialCorpus.Entry, text: String)] = []
            var compared = 0
            try await withThrowingTaskGroup(of: (DifferentialCorpus.Entry, [String]).self) { group in
                var next = 0
                func submit() {
                    guard next < entries.count else { return }
                    let e = entries[next]
                    next += 1
                    group.addTask {
                        (e, try await Self.compare(e.expression(t0: t0), specs, prometheus: prom.base, strata: strata.base,
                                                   compareMessages: !e.errorTypeOnly))
                    }
                }
                for _ in 0..<4 { submit() }
                while let (entry, diffs) = try await group.next() {
                    compared += 1
                    if !diffs.isEmpty { failures.append((entry, diffs.joined(separator: "\n"))) }
                    submit()
                }
            }
            failures.sort { $0.entry.line < $1.entry.line }
            for (path, params) in Self.apiCases(t0: t0) {
                let p = try await Self.get(HTTP.url(prom.base, path, params))
                let s = try await Self.get(HTTP.url(strata.base, path, params))
                if let diff = Self.envelopeDifference(p, s) {
                    Issue.record(Comment(rawValue: "\(path) \(params): \(diff)"))
                }
            }
            // Status endpoints hold each server's own facts: the same fields
            // with the same JSON types (what Grafana and tools read).
            for path in ["/api/v1/status/buildinfo", "/api/v1/status/runtimeinfo"] {
                let p = try await Self.get(prom.base + path)
                let s = try await Self.get(strata.base + path)
                #expect(s.status == 200 && s.json?["status"] as? String == "success", "\(path): \(s.text)")
                if let diff = Self.shapeDifference(p.data, s.data) {
                    Issue.record(Comment(rawValue: "\(path): \(diff)"))
                }
            }
            for f in failures {
                Issue.record(Comment(rawValue: "corpus.txt:\(f.entry.line): \(f.entry.template)\n\(f.text)"))
            }
            print("differential: \(compared) expressions × \(specs.count) queries, \(failures.count) differ")
            if let path = ProcessInfo.processInfo.environment["STRATA_DIFF_REPORT"] {
                let text = failures.map { "corpus.txt:\($0.entry.line): \($0.entry.template)\n\($0.text)\n" }.joined(separator: "\n")
                try? text.write(toFile: path, atomically: true, encoding: .utf8)
            }
        }
    }

    /// API requests outside the corpus whose whole answer (status, envelope,
    /// data or error message) must be the same: parameter errors, the
    /// series/label endpoints, format_query, query_exemplars and metadata.
    static func apiCases(t0: Int64) -> [(String, [(String, String)])] {
        let a = PromTime.format(t0), b = PromTime.format(t0 + 3_600_000)
        return [
            ("/api/v1/query", [("query", "up"), ("time", "abc")]),
            ("/api/v1/query", [("query", "up"), ("time", a), ("timeout", "abc")]),
            ("/api/v1/query", [("query", "sum("), ("time", a)]),
            ("/api/v1/query", [("query", ""), ("time", a)]),
            ("/api/v1/query", [("time", a)]),
            ("/api/v1/query_range", [("start", a), ("end", b), ("step", "60")]),
            ("/api/v1/query", [("query", "up"), ("time", "2030-01-01T00:00:00Z")]),
            ("/api/v1/query_range", [("query", "up"), ("end", b), ("step", "60")]),
            ("/api/v1/query_range", [("query", "up"), ("start", "x"), ("end", b), ("step", "60")]),
            ("/api/v1/query_range", [("query", "up"), ("start", a), ("step", "60")]),
            ("/api/v1/query_range", [("query", "up"), ("start", b), ("end", a), ("step", "60")]),
            ("/api/v1/query_range", [("query", "up"), ("start", a), ("end", b)]),
            ("/api/v1/query_range", [("query", "up"), ("start", a), ("end", b), ("step", "0")]),
            ("/api/v1/query_range", [("query", "up"), ("start", a), ("end", b), ("step", "-1")]),
            ("/api/v1/query_range", [("query", "up"), ("start", a), ("end", b), ("step", "1x")]),
            ("/api/v1/query_range", [("query", "up"), ("start", a), ("end", b), ("step", "0.1")]),
            ("/api/v1/query_range", [("query", "up"), ("start", a), ("end", b), ("step", "60"), ("timeout", "x")]),
            ("/api/v1/query_range", [("query", "sum("), ("start", a), ("end", b), ("step", "60")]),
            ("/api/v1/query_range", [("query", "up[5m]"), ("start", a), ("end", b), ("step", "60")]),
            ("/api/v1/query_range", [("query", "\"x\""), ("start", a), ("end", b), ("step", "60")]),
            ("/api/v1/query_range", [("query", "up"), ("start", a), ("end", b), ("step", "1m")]),
            ("/api/v1/series", [("match[]", "up")]),
            ("/api/v1/series", [("match[]", "{__name__=~\"http_.*\", code=\"500\"}"), ("start", a), ("end", b)]),
            ("/api/v1/series", [("match[]", "up"), ("match[]", "node_info")]),
            ("/api/v1/series", []),
            ("/api/v1/series", [("match[]", "sum(up)")]),
            ("/api/v1/series", [("match[]", "{job=~\".*\"}")]),
            ("/api/v1/series", [("match[]", "")]),
            ("/api/v1/series", [("match[]", "up offset 5m")]),
            ("/api/v1/series", [("match[]", "up"), ("start", "abc")]),
            ("/api/v1/series", [("match[]", "{job=\"x\""), ("start", a)]),
            ("/api/v1/labels", []),
            ("/api/v1/labels", [("match[]", "{a=~\".*\"}")]),
            ("/api/v1/labels", [("match[]", "sum(up)")]),
            ("/api/v1/labels", [("start", "abc")]),
            ("/api/v1/label/job/values", [("match[]", "{a=~\".*\"}")]),
            ("/api/v1/label/job/values", [("match[]", "sum(")]),
            ("/api/v1/label/job/values", [("end", "abc")]),
            ("/api/v1/label/bad-name/values", []),
            ("/api/v1/labels", [("match[]", "node_info")]),
            ("/api/v1/label/job/values", []),
            ("/api/v1/label/v/values", [("match[]", "label_test{group=\"odd\"}")]),
            ("/api/v1/label/__name__/values", []),
            ("/api/v1/label/nonexistent/values", []),
            // format_query: Prometheus' Pretty(0) layout and its parse errors.
            ("/api/v1/format_query", [("query", "sum by(job)(rate(http_requests_total{job=\"api-server\",code=~\"5..\"}[5m])) / ignoring(code) group_left sum without(code)(rate(http_requests_total[5m]))")]),
            ("/api/v1/format_query", [("query", "foo offset 5m @ 1000 + bar[1h:5m] # comment")]),
            ("/api/v1/format_query", [("query", "sum(")]),
            ("/api/v1/format_query", []),
            // query_exemplars: no exemplar storage in either, so parameter checks and [].
            ("/api/v1/query_exemplars", [("query", "http_requests_total"), ("start", a), ("end", b)]),
            ("/api/v1/query_exemplars", [("query", "sum(")]),
            ("/api/v1/query_exemplars", [("query", "up"), ("start", "abc")]),
            ("/api/v1/query_exemplars", [("query", "sum("), ("start", "abc")]),
            ("/api/v1/query_exemplars", [("start", a)]),
            ("/api/v1/query_exemplars", [("query", "up"), ("start", b), ("end", a)]),
            // metadata: neither keeps metadata from remote write.
            ("/api/v1/metadata", []),
            ("/api/v1/metadata", [("metric", "http_requests_total")]),
            ("/api/v1/metadata", [("limit", "abc")]),
            ("/api/v1/metadata", [("limit", "0")]),
        ]
    }

    /// Fields of Prometheus' object missing from Strata's or of another
    /// JSON type; nil when every field is there with its type.
    static func shapeDifference(_ prometheus: Any?, _ strata: Any?) -> String? {
        guard let p = prometheus as? [String: Any], let s = strata as? [String: Any] else { return "not objects" }
        func kind(_ v: Any) -> String {
            // Booleans and numbers are both NSNumber after JSONSerialization.
            if v is String { return "string" }
            if v is NSNumber { return "number or bool" }
            if v is [Any] { return "array" }
            if v is [String: Any] { return "object" }
            return "null"
        }
        var out: [String] = []
        for (k, v) in p.sorted(by: { $0.key < $1.key }) {
            guard let w = s[k] else { out.append("missing \(k)"); continue }
            if kind(v) != kind(w) { out.append("\(k): \(kind(w)) instead of \(kind(v))") }
        }
        return out.isEmpty ? nil : out.joined(separator: ", ")
    }

    /// Compares two API answers as JSON values; nil when they are equal.
    static func envelopeDifference(_ p: HTTPResult, _ s: HTTPResult) -> String? {
        guard let pj = p.json, let sj = s.json else {
            return "not JSON: prometheus \(p.status) \(p.text.prefix(200)), strata \(s.status) \(s.text.prefix(200))"
        }
        if p.status == s.status && NSDictionary(dictionary: pj).isEqual(to: sj) { return nil }
        return "prometheus \(p.status) \(p.text.prefix(400))\n  strata \(s.status) \(s.text.prefix(400))"
    }

    /// Runs `expr` as every query of `specs` on both servers; the differences, if any.
    static func compare(_ expr: String, _ specs: [QuerySpec], prometheus: String, strata: String,
                        compareMessages: Bool = true) async throws -> [String] {
        var out: [String] = []
        let ordered = expr.hasPrefix("sort(") || expr.hasPrefix("sort_desc(")
        for spec in specs {
            let params = [("query", expr)] + spec.params
            let p = try await Self.get(HTTP.url(prometheus, spec.path, params))
            let s = try await Self.get(HTTP.url(strata, spec.path, params))
            let diffs = AnswerComparison.differences(prometheus: PromAnswer(p), strata: PromAnswer(s),
                                                     ordered: ordered && spec.isInstant, compareMessages: compareMessages)
            if !diffs.isEmpty {
                out.append("  \(spec):\n" + diffs.prefix(8).map { "    " + $0 }.joined(separator: "\n"))
            }
        }
        return out
    }

    /// GET without compression (the shared client's decompression limit
    /// refuses well-compressible answers).
    static func get(_ url: String) async throws -> HTTPResult {
        try await HTTP.request(url, headers: [("Accept-Encoding", "identity")])
    }

    /// Remote-writes the dataset to every server, oldest batch first, then
    /// waits until each one answers with every sample.
    static func load(_ data: DifferentialDataset, into servers: [String]) async throws {
        for batch in data.batches() {
            let body = HTTP.remoteWriteBody(batch)
            for base in servers {
                let r = try await HTTP.remoteWrite(base, body)
                guard r.status == 204 || r.status == 200 else {
                    throw DifferentialError.writeRejected(base, r.status, r.text)
                }
            }
        }
        // Range selectors skip staleness markers.
        let expected = data.series.reduce(0) { n, s in
            n + s.samples.filter { $0.1.bitPattern != DifferentialDataset.staleNaN.bitPattern }.count
        }
        let params = [("query", "{__name__=~\".+\"}[3h]"), ("time", PromTime.format(data.lastTimestamp))]
        for base in servers {
            var last = ""
            do {
                try await waitUntil(timeout: .seconds(30), "\(base) has all \(expected) samples") {
                    let answer = PromAnswer(try await Self.get(HTTP.url(base, "/api/v1/query", params)))
                    last = answer.summary
                    guard case .matrix(let m) = answer else { return false }
                    let points = m.values.reduce(0) { $0 + $1.count }
                    last = "\(points) samples"
                    return points == expected
                }
            } catch {
                throw DifferentialError.incomplete(base, expected: expected, last: last)
            }
        }
    }
}

enum DifferentialError: Error, CustomStringConvertible {
    case writeRejected(String, Int, String)
    case incomplete(String, expected: Int, last: String)
    var description: String {
        switch self {
        case .incomplete(let base, let expected, let last): return "\(base) did not answer with all \(expected) samples; last answer: \(last)"
        case .writeRejected(let base, let status, let text): return "remote write to \(base) failed with \(status): \(text)"
        }
    }
}
