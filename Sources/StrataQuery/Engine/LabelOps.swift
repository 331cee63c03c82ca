/// Label-set operations of the evaluator: metric-name dropping checks,
/// duplicate detection, matching signatures, Prometheus' label printing.
enum LabelOps {
    /// Tracks whether the series seen so far carry more than one metric name.
    /// Dropping `__name__` can only make two distinct series collide if they
    /// differ in their name, so the (costly) duplicate check is skipped otherwise.
    struct NameTracker {
        private var first: String?? = .none
        private(set) var differ = false

        mutating func observe(_ labels: Labels) {
            guard !differ else { return }
            let name = labels.metricName
            switch first {
            case .none: first = .some(name)
            case .some(let f):
                if f == nil ? name != nil : (name == nil || !name!.utf8Equals(f!)) { differ = true }
            }
        }
    }

    static func namesDiffer(_ series: [StepSeries]) -> Bool {
        var t = NameTracker()
        for s in series {
            t.observe(s.labels)
            if t.differ { return true }
        }
        return false
    }

    static let sameLabelsetError = QueryError(.execution, "vector cannot contain metrics with the same labelset")

    /// Merges series that ended up with identical labels. `perStep`: as
    /// Prometheus' `rangeEval`, only two values at the same step are an
    /// error, otherwise the series are one series of the result. Without
    /// `perStep` (2.42's range-vector functions and unary minus check the
    /// whole matrix) any two series with equal labels are an error.
    static func mergeSameLabels(_ series: inout [StepSeries], perStep: Bool) throws(QueryError) {
        guard series.count > 1 else { return }
        var index: [Labels: Int] = [:]
        index.reserveCapacity(series.count)
        var out: [StepSeries] = []
        out.reserveCapacity(series.count)
        var merged = false
        for s in series {
            if let i = index[s.labels] {
                guard perStep else { throw sameLabelsetError }
                merged = true
                for k in s.values.indices where StepValue.isPresent(s.values[k]) {
                    if StepValue.isPresent(out[i].values[k]) { throw sameLabelsetError }
                    out[i].values[k] = s.values[k]
                }
            } else {
                index[s.labels] = out.count
                out.append(s)
            }
        }
        if merged { series = out }
    }

    /// Removes series that have no value at any step.
    static func dropEmpty(_ series: inout [StepSeries]) {
        series.removeAll { !$0.hasValue }
    }

    /// `absent()`'s and `absent_over_time()`'s labels: the selector's `=`
    /// matchers (except the name), unless a label name has several matchers.
    static func absentLabels(_ vs: VectorSelector?) -> Labels {
        guard let vs else { return Labels() }
        var set: [String: String] = [:]
        var dropped = Set<String>()
        for m in vs.matchers where m.name != metricNameLabel {
            if m.type == .equal && set[m.name] == nil {
                set[m.name] = m.value
            } else {
                dropped.insert(m.name)
            }
        }
        for d in dropped { set[d] = nil }
        return Labels(set)
    }

    /// Prometheus' `labels.Labels.String()`: `{a="1", b="2"}` with Go-quoted
    /// values, `__name__` included like any label.
    static func promString(_ labels: Labels) -> String {
        var s = "{"
        for (i, l) in labels.enumerated() {
            if i > 0 { s += ", " }
            s += l.name + "=" + GoFormat.quote(l.value)
        }
        return s + "}"
    }

    /// Whether `name` is a valid label name (`[a-zA-Z_][a-zA-Z0-9_]*`).
    static func isValidLabelName(_ name: String) -> Bool {
        var first = true
        for b in name.utf8 {
            let ok = (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || b == 0x5f || (!first && b >= 0x30 && b <= 0x39)
            if !ok { return false }
            first = false
        }
        return !first
    }
}

/// Which labels identify a series for vector matching and grouping:
/// `on(...)`/`by(...)` keep the listed labels; `ignoring(...)`/`without(...)`
/// drop them and always drop `__name__` (Prometheus' `HashWithoutLabels`).
struct LabelSubset {
    let names: Set<String>
    let keep: Bool

    init(on: Bool, _ names: [String]) {
        self.keep = on
        var set = Set(names)
        if !on { set.insert(metricNameLabel) }
        self.names = set
    }

    func apply(_ labels: Labels) -> Labels {
        keep ? labels.keeping(names) : labels.removing(names)
    }
}
