import Foundation
import Testing
import StrataTestSupport
import StrataQuery

/// Splitting series across threads (`QueryLimits.parallelism`) must not
/// change any answer: the same series in the same order, the same values to
/// the bit, the same errors (including the sample limit).
@Suite struct ParallelEvaluationTests {
    static let expressions = [
        "c", "m", "{__name__=~\"c|m\"}", "rate(c[1m])", "increase(c[5m])", "irate(c[2m])", "resets(c[10m])",
        "avg_over_time(m[3m])", "max_over_time(m[10m])", "quantile_over_time(0.9, m[5m])", "changes(m[5m])",
        "sum by (g) (rate(c[1m]))", "count(m)", "topk(3, m)", "absent_over_time(m{i=\"3\"}[5s])", "last_over_time(m[2m])",
        "timestamp(m)", "rate({__name__=~\"c|d\"}[1m])", "predict_linear(m[5m] @ 600, 30)",
    ]

    static func database(_ tmp: TempDirectory) async throws -> Database {
        let db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
        var rng = WorkloadRandom(seed: 11)
        var app = db.appender()
        for i in 0..<150 {
            var counter = 0.0
            for k in 0..<120 {
                let t = Int64(k) * 10_000 + Int64(i % 7) * 100
                let r = rng.int(0...40)
                if r == 0 { continue }   // a gap
                let m: Double = r == 1 ? Double(bitPattern: 0x7ff0_0000_0000_0002) : (r == 2 ? .nan : rng.unit() * 100)
                try app.append(Labels(["__name__": "m", "i": "\(i)", "g": "\(i % 4)"]), t, m)
                counter = rng.chance(0.02) ? 0 : counter + Double(rng.int(0...20))
                try app.append(Labels(["__name__": "c", "i": "\(i)", "g": "\(i % 4)"]), t, counter)
                if i < 40 { try app.append(Labels(["__name__": "d", "i": "\(i)", "g": "\(i % 4)"]), t, counter * 2) }
            }
        }
        _ = try await app.commit()
        return db
    }

    static func answer(_ db: Database, _ q: String, parallelism: Int, maxSamples: Int = 50_000_000) -> String {
        var limits = QueryLimits()
        limits.parallelism = parallelism
        limits.maxSamples = maxSamples
        let engine = QueryEngine(storage: db, limits: limits)
        do {
            let expr = try parsePromQL(q)
            guard case .matrix(let m) = try engine.rangeQuery(expr, start: 45_000, end: 1_190_000, step: 17_000) else { return "not a matrix" }
            return m.map { s in
                "\(s.labels) " + zip(s.timestamps, s.values).map { "\($0):\($1.bitPattern)" }.joined(separator: ",")
            }.joined(separator: "\n")
        } catch {
            return "error: \(error)"
        }
    }

    @Test func answersDoNotDependOnParallelism() async throws {
        let tmp = try TempDirectory("parallel")
        defer { tmp.remove() }
        let db = try await Self.database(tmp)
        for q in Self.expressions {
            let one = Self.answer(db, q, parallelism: 1)
            #expect(!one.isEmpty, "\(q)")
            for p in [2, 3, 5] {
                #expect(Self.answer(db, q, parallelism: p) == one, "\(q) with parallelism \(p)")
            }
        }
        // Errors: the first in series order, whatever thread found it.
        let errors = ["holt_winters(m[5m], 1.5, 0.5)", "rate({__name__=~\"c|d\"}[1m]) * 0 + rate({__name__=~\"c|d\"}[1m])"]
        for q in errors {
            let one = Self.answer(db, q, parallelism: 1)
            #expect(one.hasPrefix("error"), "\(q): \(one.prefix(80))")
            #expect(Self.answer(db, q, parallelism: 4) == one, "\(q)")
        }
        // The sample limit trips at the same size.
        for limit in [500, 5_000, 20_000, 40_000] {
            for q in ["rate(c[5m])", "m", "max_over_time(m[20m])"] {
                #expect(Self.answer(db, q, parallelism: 1, maxSamples: limit) == Self.answer(db, q, parallelism: 3, maxSamples: limit),
                        "\(q) with limit \(limit)")
            }
        }
        try? db.close()
    }
}
