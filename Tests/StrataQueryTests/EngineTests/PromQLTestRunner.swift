import Foundation
import StrataQuery
import StrataTestSupport

/// Runs a `PromQLTestScript` against a fresh database and the engine, and
/// reports every mismatch with its script line.
struct PromQLTestRunner {
    /// Relative tolerance for values (Prometheus' promqltest allows 1e-6; the
    /// differential target of issue #4 is 1e-9).
    static let tolerance = 1e-9

    var failures: [String] = []
    var evalCount = 0

    static func run(_ script: PromQLTestScript, name: String) async throws -> PromQLTestRunner {
        var runner = PromQLTestRunner()
        var tmp = try TempDirectory("promql-test")
        var db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
        defer {
            try? db.close()
            tmp.remove()
        }
        for command in script.commands {
            switch command {
            case .clear:
                try? db.close()
                tmp.remove()
                tmp = try TempDirectory("promql-test")
                db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
            case .load(_, let series, let line):
                var app = db.appender()
                for s in series {
                    for (t, v) in s.samples { try app.append(s.labels, t, v) }
                }
                let result = try await app.commit()
                if !result.rejected.isEmpty {
                    runner.failures.append("\(name):\(line): load rejected \(result.rejected.count) samples")
                }
            case .eval(let ev):
                runner.evalCount += 1
                runner.check(ev, engine: QueryEngine(storage: db), name: name)
            }
        }
        return runner
    }

    mutating func check(_ ev: PromQLTestScript.Eval, engine: QueryEngine, name: String) {
        let whereAt = "\(name):\(ev.line): \(ev.query)"
        let expr: Expr
        do {
            expr = try parsePromQL(ev.query)
        } catch {
            if !ev.shouldFail { failures.append("\(whereAt): parse error \(error)") }
            else if let m = ev.failMessage, !error.description.contains(m) {
                failures.append("\(whereAt): expected error containing \"\(m)\", got \"\(error)\"")
            }
            return
        }
        let value: QueryValue
        var steps: [Int64]
        do {
            switch ev.kind {
            case .instant(let t):
                value = try engine.instantQuery(expr, at: t)
                steps = [t]
            case .range(let start, let end, let step):
                value = try engine.rangeQuery(expr, start: start, end: end, step: step)
                steps = Array(stride(from: start, through: end, by: Int(step)))
            }
        } catch {
            if !ev.shouldFail { failures.append("\(whereAt): unexpected error: \(error.message)") }
            else if let m = ev.failMessage, !error.message.contains(m) {
                failures.append("\(whereAt): expected error containing \"\(m)\", got \"\(error.message)\"")
            }
            return
        }
        if ev.shouldFail {
            failures.append("\(whereAt): expected an error, got \(Self.describe(value))")
            return
        }
        // Normalise the result to (labels, per-step values).
        var got: [(Labels, [Double?])] = []
        switch value {
        case .scalar(_, let v):
            if let want = ev.expectedScalar {
                if !Self.equal(v, want) { failures.append("\(whereAt): expected scalar \(want), got \(v)") }
            } else {
                failures.append("\(whereAt): got scalar \(v), expected series")
            }
            return
        case .string(_, let s):
            failures.append("\(whereAt): got string \(s)")
            return
        case .vector(let samples):
            got = samples.map { ($0.labels, [$0.value]) }
        case .matrix(let series):
            if case .instant = ev.kind {
                // Raw samples of a range selector: compare values in order.
                got = series.map { ($0.labels, $0.values.map { Optional($0) }) }
                steps = []
            } else {
                for s in series {
                    var vals = [Double?](repeating: nil, count: steps.count)
                    for (t, v) in zip(s.timestamps, s.values) {
                        if let k = steps.firstIndex(of: t) { vals[k] = v }
                    }
                    got.append((s.labels, vals))
                }
            }
        }
        if ev.expectedScalar != nil {
            failures.append("\(whereAt): expected a scalar, got \(Self.describe(value))")
            return
        }
        var problems: [String] = []
        if got.count != ev.expected.count {
            problems.append("expected \(ev.expected.count) series, got \(got.count)")
        }
        for (i, want) in ev.expected.enumerated() {
            guard let j = got.firstIndex(where: { $0.0 == want.labels }) else {
                problems.append("missing \(want.labels)")
                continue
            }
            if ev.ordered && j != i { problems.append("\(want.labels) at position \(j), expected \(i)") }
            let g = got[j].1
            var wantValues = want.values
            if !steps.isEmpty, wantValues.count < steps.count {
                wantValues += [Double?](repeating: nil, count: steps.count - wantValues.count)
            }
            if g.count != wantValues.count || zip(g, wantValues).contains(where: { a, b in
                switch (a, b) {
                case (nil, nil): return false
                case (let x?, let y?): return !Self.equal(x, y)
                default: return true
                }
            }) {
                problems.append("\(want.labels): expected \(Self.fmt(wantValues)), got \(Self.fmt(g))")
            }
        }
        for (l, v) in got where !ev.expected.contains(where: { $0.labels == l }) {
            problems.append("unexpected \(l) \(Self.fmt(v))")
        }
        if !problems.isEmpty { failures.append("\(whereAt):\n    " + problems.joined(separator: "\n    ")) }
    }

    static func equal(_ a: Double, _ b: Double) -> Bool {
        if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
        if a == b { return true }
        if a.isInfinite || b.isInfinite { return false }
        return abs(a - b) <= tolerance * max(abs(a), abs(b))
    }

    static func fmt(_ v: [Double?]) -> String {
        v.map { $0.map { "\($0)" } ?? "_" }.joined(separator: " ")
    }

    static func describe(_ v: QueryValue) -> String {
        switch v {
        case .scalar(_, let x): return "scalar \(x)"
        case .string(_, let s): return "string \(s)"
        case .vector(let s): return "vector of \(s.count)"
        case .matrix(let s): return "matrix of \(s.count)"
        }
    }
}
