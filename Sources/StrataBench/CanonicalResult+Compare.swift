/// How two answers to the same query relate.
public enum ResultComparison: Sendable, Equatable, CustomStringConvertible {
    /// Same series, timestamps and value strings (equal digests).
    case identical
    /// Same series and timestamps; every value within the relative tolerance
    /// (NaN equals NaN), the largest relative difference given.
    case withinTolerance(maxRelativeError: Double)
    /// The first difference found.
    case mismatch(String)

    public var isMatch: Bool {
        if case .mismatch = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .identical: return "identical"
        case .withinTolerance(let e): return "equal within 1e-9 (max rel. error \(e))"
        case .mismatch(let m): return "MISMATCH: \(m)"
        }
    }
}

extension CanonicalResult {
    /// Compares `self` (e.g. Strata's answer) with `reference` (Prometheus'),
    /// as issue #4's differential tests do: identical label sets and
    /// timestamps, values equal within `relativeTolerance`, NaN equal to NaN.
    public func compare(to reference: CanonicalResult, relativeTolerance: Double = 1e-9) -> ResultComparison {
        if self == reference { return .identical }
        if resultType != reference.resultType {
            return .mismatch("result type \(resultType) vs \(reference.resultType)")
        }
        if series.count != reference.series.count {
            let mine = Set(series.map(\.labelText)), theirs = Set(reference.series.map(\.labelText))
            let extra = mine.subtracting(theirs).sorted().first.map { "; only here: \($0)" } ?? ""
            let missing = theirs.subtracting(mine).sorted().first.map { "; only in reference: \($0)" } ?? ""
            return .mismatch("\(series.count) series vs \(reference.series.count)\(extra)\(missing)")
        }
        var maxErr = 0.0
        for (a, b) in zip(series, reference.series) {
            if a.labels != b.labels { return .mismatch("series \(a.labelText) vs \(b.labelText)") }
            if a.points.count != b.points.count {
                let ta = Set(a.points.map(\.t)), tb = Set(b.points.map(\.t))
                let extra = ta.subtracting(tb).min().map { "; first extra t=\($0)" } ?? ""
                let missing = tb.subtracting(ta).min().map { "; first missing t=\($0)" } ?? ""
                return .mismatch("\(a.labelText): \(a.points.count) points vs \(b.points.count)\(extra)\(missing)")
            }
            for (p, q) in zip(a.points, b.points) {
                if p.t != q.t { return .mismatch("\(a.labelText): timestamp \(p.t) vs \(q.t)") }
                if p.value == q.value { continue }
                guard let x = Self.number(p.value), let y = Self.number(q.value) else {
                    return .mismatch("\(a.labelText) at t=\(p.t): \(p.value) vs \(q.value)")
                }
                if x.isNaN && y.isNaN { continue }
                if x == y { continue }
                if x.isNaN || y.isNaN || x.isInfinite || y.isInfinite {
                    return .mismatch("\(a.labelText) at t=\(p.t): \(p.value) vs \(q.value)")
                }
                let err = abs(x - y) / max(abs(x), abs(y))
                if err > relativeTolerance {
                    return .mismatch("\(a.labelText) at t=\(p.t): \(p.value) vs \(q.value)")
                }
                maxErr = max(maxErr, err)
            }
        }
        return .withinTolerance(maxRelativeError: maxErr)
    }

    /// A value string as Prometheus writes it (`NaN`, `+Inf`, `-Inf`, decimal).
    static func number(_ s: String) -> Double? {
        switch s {
        case "NaN": return .nan
        case "+Inf", "Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(s)
        }
    }
}
