import Foundation
import Testing
import StrataTestSupport
import StrataQuery

/// A range query must give, at every step, what an instant query at that
/// time gives: the whole-range sweeps (moving window indices, subquery
/// alignment, per-step matching) against single-step evaluation.
@Suite struct RangeInstantConsistencyTests {
    static let expressions = [
        "m", "m offset 1m", "m @ 300", "rate(c[1m])", "increase(c[2m])", "delta(m[3m])", "irate(c[1m])",
        "idelta(m[2m])", "deriv(m[5m])", "predict_linear(m[5m], 60)", "holt_winters(m[5m], 0.3, 0.6)",
        "changes(m[5m])", "resets(c[5m])", "avg_over_time(m[2m])", "min_over_time(m[2m])", "max_over_time(m[2m])",
        "sum_over_time(m[2m])", "count_over_time(m[90s])", "stddev_over_time(m[3m])", "stdvar_over_time(m[3m])",
        "last_over_time(m[1m])", "present_over_time(m[1m])", "quantile_over_time(0.3, m[4m])",
        "absent_over_time(m{k=\"0\"}[30s])", "sum by (k) (m)", "avg without (k) (m)", "count(m)", "max(m)", "min(m)",
        "stddev(m)", "quantile(0.7, m)", "count_values(\"v\", round(m))", "group by (k) (m)",
        "m > 5", "m > bool 5", "m + on(k) group_left c", "m and c", "m or c", "m unless on(k) c{k=\"1\"}",
        "-m", "abs(m) * 2 - 1", "clamp(m, 2, 8)", "round(m, 0.5)", "scalar(m{k=\"0\"}) + m",
        "vector(time())", "timestamp(m)", "hour(m)", "label_replace(m, \"x\", \"$1\", \"k\", \"(.*)\")",
        "histogram_quantile(0.5, h)", "sum_over_time(m[2m:20s])", "max_over_time(rate(c[1m])[3m:30s])",
        "rate(c[2m:15s] offset 30s)", "absent(nonexistent)", "absent(m{k=\"0\"})", "time() - timestamp(m)",
    ]

    @Test func rangeEqualsInstantAtEachStep() async throws {
        let tmp = try TempDirectory("consistency")
        defer { tmp.remove() }
        let db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
        var rng = WorkloadRandom(seed: 7)
        var app = db.appender()
        for k in 0..<3 {
            var counter = 0.0
            for i in 0..<80 {
                let t = Int64(i) * 10_000 + Int64(k) * 1_000
                // Gaps, a staleness marker and NaN now and then.
                let r = rng.next() % 20
                if r == 0 { continue }
                let v: Double = r == 1 ? Double(bitPattern: 0x7ff0_0000_0000_0002) : (r == 2 ? .nan : Double(rng.next() % 100) / 10)
                try app.append(Labels(["__name__": "m", "k": "\(k)"]), t, v)
                counter = rng.next() % 30 == 0 ? 0 : counter + Double(rng.next() % 50)
                try app.append(Labels(["__name__": "c", "k": "\(k)"]), t, counter)
            }
        }
        for (b, le) in ["0.1", "1", "10", "+Inf"].enumerated() {
            for i in 0..<80 {
                try app.append(Labels(["__name__": "h", "le": le]), Int64(i) * 10_000, Double(i * (b + 1)))
            }
        }
        _ = try await app.commit()
        let engine = QueryEngine(storage: db)
        let start: Int64 = 35_000, end: Int64 = 760_000, step: Int64 = 27_000
        for q in Self.expressions {
            let expr = try parsePromQL(q)
            guard case .matrix(let m) = try engine.rangeQuery(expr, start: start, end: end, step: step) else {
                Issue.record("\(q): not a matrix"); continue
            }
            var t = start
            while t <= end {
                var fromRange: [Labels: Double] = [:]
                for s in m { if let i = s.timestamps.firstIndex(of: t) { fromRange[s.labels] = s.values[i] } }
                var fromInstant: [Labels: Double] = [:]
                switch try engine.instantQuery(expr, at: t) {
                case .vector(let v): for s in v { fromInstant[s.labels] = s.value }
                case .scalar(_, let v): fromInstant[Labels()] = v
                default: Issue.record("\(q): unexpected instant type")
                }
                let same = fromRange.count == fromInstant.count && fromRange.allSatisfy { l, v in
                    guard let w = fromInstant[l] else { return false }
                    return v.bitPattern == w.bitPattern || (v.isNaN && w.isNaN)
                }
                #expect(same, "\(q) at \(t): range \(fromRange) instant \(fromInstant)")
                t += step
            }
        }
        try? db.close()
    }
}
