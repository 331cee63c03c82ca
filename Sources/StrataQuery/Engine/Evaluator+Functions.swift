import Foundation

extension Evaluator {
    func evalCall(_ c: FunctionCall, _ r: StepRange) throws(QueryError) -> EvalValue {
        let name = c.function.name
        if let fn = RangeFunction(name: name) {
            return .vector(try evalRangeFunction(fn, c, r))
        }
        switch name {
        case "time":
            return .scalar((0..<r.count).map { Double(r.time($0)) / 1000 })
        case "pi":
            return .scalar([Double](repeating: Double.pi, count: r.count))
        case "vector":
            let s = try evalScalar(c.args[0], r)
            return .vector([StepSeries(labels: Labels(), values: s)])
        case "scalar":
            let v = try evalVector(c.args[0], r)
            var out = [Double](repeating: .nan, count: r.count)
            var seen = [Int](repeating: 0, count: r.count)
            for s in v {
                for k in 0..<r.count where StepValue.isPresent(s.values[k]) {
                    seen[k] += 1
                    out[k] = s.values[k]
                }
            }
            for k in 0..<r.count where seen[k] != 1 { out[k] = .nan }
            return .scalar(out)
        case "timestamp":
            return .vector(try evalTimestamp(c.args[0], r))
        case "absent":
            let v = try evalVector(c.args[0], r)
            var values = [Double](repeating: 1, count: r.count)
            for s in v { for k in 0..<r.count where StepValue.isPresent(s.values[k]) { values[k] = StepValue.absent } }
            guard values.contains(where: StepValue.isPresent) else { return .vector([]) }
            return .vector([StepSeries(labels: LabelOps.absentLabels(Self.selector(c.args[0])), values: values)])
        case "sort", "sort_desc":
            var v = try evalVector(c.args[0], r)
            if r.count == 1 { Self.sortByValue(&v, descending: name == "sort_desc") }
            return .vector(v)
        case "label_replace":
            return .vector(try labelReplace(c, r))
        case "label_join":
            return .vector(try labelJoin(c, r))
        case "histogram_quantile":
            let q = try evalScalar(c.args[0], r)
            let v = try evalVector(c.args[1], r)
            return .vector(try HistogramQuantile.evaluate(q, v, steps: r.count))
        case "histogram_count", "histogram_sum":
            // Native histograms only; Strata stores float samples, which these skip.
            _ = try evalVector(c.args[0], r)
            return .vector([])
        case "histogram_fraction":
            _ = try evalVector(c.args[2], r)
            return .vector([])
        case "round":
            let toNearest = c.args.count > 1 ? try evalScalar(c.args[1], r) : [Double](repeating: 1, count: r.count)
            return .vector(try mapValues(c.args[0], r) { v, k in
                // Ties round up; the inverse causes fewer floating point surprises (Prometheus).
                let inverse = 1.0 / toNearest[k]
                return (v * inverse + 0.5).rounded(.down) / inverse
            })
        case "clamp":
            let lo = try evalScalar(c.args[1], r), hi = try evalScalar(c.args[2], r)
            var out = try mapValues(c.args[0], r) { v, k in Self.goMax(lo[k], Self.goMin(hi[k], v)) }
            // max < min: no output at that step.
            for i in out.indices { for k in 0..<r.count where hi[k] < lo[k] { out[i].values[k] = StepValue.absent } }
            LabelOps.dropEmpty(&out)
            return .vector(out)
        case "clamp_max":
            let hi = try evalScalar(c.args[1], r)
            return .vector(try mapValues(c.args[0], r) { v, k in Self.goMin(hi[k], v) })
        case "clamp_min":
            let lo = try evalScalar(c.args[1], r)
            return .vector(try mapValues(c.args[0], r) { v, k in Self.goMax(lo[k], v) })
        case "day_of_month", "day_of_week", "day_of_year", "days_in_month", "hour", "minute", "month", "year":
            let part = DatePart(rawValue: name)!
            if c.args.isEmpty {
                let values = (0..<r.count).map { part.value(ofUnixSeconds: Double(r.time($0) / 1000)) }
                return .vector([StepSeries(labels: Labels(), values: values)])
            }
            return .vector(try mapValues(c.args[0], r) { v, _ in part.value(ofUnixSeconds: v) })
        default:
            if let f = Self.simpleFunction(name) {
                return .vector(try mapValues(c.args[0], r) { v, _ in f(v) })
            }
            throw QueryError(.execution, "function \"\(name)\" is not supported")
        }
    }

    /// Applies `f` to every value of an instant vector, dropping the metric
    /// name (then checking, step by step, that no two series collide).
    func mapValues(_ arg: Expr, _ r: StepRange, _ f: (Double, Int) -> Double) throws(QueryError) -> [StepSeries] {
        var v = try evalVector(arg, r)
        let mayCollide = LabelOps.namesDiffer(v)
        for i in v.indices {
            v[i].labels = v[i].labels.removing(metricNameLabel)
            for k in 0..<r.count where StepValue.isPresent(v[i].values[k]) {
                v[i].values[k] = f(v[i].values[k], k)
            }
        }
        if mayCollide { try LabelOps.mergeSameLabels(&v, perStep: true) }
        return v
    }

    /// `timestamp(v)`: the sample's own time for a plain selector (2.42
    /// special-cases it); otherwise the evaluation time of each step.
    func evalTimestamp(_ arg: Expr, _ r: StepRange) throws(QueryError) -> [StepSeries] {
        var inner = arg
        while case .paren(let p) = inner { inner = p.expr }
        var v: [StepSeries]
        if case .vectorSelector(let vs) = inner {
            v = try evalVectorSelector(vs, r, keepTimestamps: true)
            let mayCollide = LabelOps.namesDiffer(v)
            for i in v.indices { v[i].labels = v[i].labels.removing(metricNameLabel) }
            if mayCollide { try LabelOps.mergeSameLabels(&v, perStep: true) }
            return v
        }
        return try mapValues(arg, r) { _, k in Double(r.time(k)) / 1000 }
    }

    static func selector(_ e: Expr) -> VectorSelector? {
        switch e {
        case .vectorSelector(let vs): return vs
        case .matrixSelector(let ms): return ms.selector
        default: return nil
        }
    }

    /// `sort` (ascending) and `sort_desc`, NaN last in both, as Prometheus.
    static func sortByValue(_ v: inout [StepSeries], descending: Bool) {
        v.sort { a, b in
            let x = a.values[0], y = b.values[0]
            if x.isNaN { return false }
            if y.isNaN { return true }
            return descending ? x > y : x < y
        }
    }

    /// Go's `math.Max`/`math.Min`: NaN wins, and ±0 are ordered.
    static func goMax(_ a: Double, _ b: Double) -> Double {
        if a.isInfinite && a > 0 || b.isInfinite && b > 0 { return .infinity }
        if a.isNaN || b.isNaN { return .nan }
        if a == 0 && a == b { return a.sign == .minus ? b : a }
        return a > b ? a : b
    }

    static func goMin(_ a: Double, _ b: Double) -> Double {
        if a.isInfinite && a < 0 || b.isInfinite && b < 0 { return -.infinity }
        if a.isNaN || b.isNaN { return .nan }
        if a == 0 && a == b { return a.sign == .minus ? a : b }
        return a < b ? a : b
    }

    static func simpleFunction(_ name: String) -> ((Double) -> Double)? {
        switch name {
        case "abs": return { Swift.abs($0) }
        case "ceil": return { $0.rounded(.up) }
        case "floor": return { $0.rounded(.down) }
        case "exp": return { Foundation.exp($0) }
        case "sqrt": return { $0.squareRoot() }
        case "ln": return { Foundation.log($0) }
        case "log2": return { Foundation.log2($0) }
        case "log10": return { Foundation.log10($0) }
        case "sin": return { Foundation.sin($0) }
        case "cos": return { Foundation.cos($0) }
        case "tan": return { Foundation.tan($0) }
        case "asin": return { Foundation.asin($0) }
        case "acos": return { Foundation.acos($0) }
        case "atan": return { Foundation.atan($0) }
        case "sinh": return { Foundation.sinh($0) }
        case "cosh": return { Foundation.cosh($0) }
        case "tanh": return { Foundation.tanh($0) }
        case "asinh": return { Foundation.asinh($0) }
        case "acosh": return { Foundation.acosh($0) }
        case "atanh": return { Foundation.atanh($0) }
        case "rad": return { $0 * Double.pi / 180 }
        case "deg": return { $0 * 180 / Double.pi }
        case "sgn": return { $0 < 0 ? -1 : ($0 > 0 ? 1 : $0) }
        default: return nil
        }
    }
}
