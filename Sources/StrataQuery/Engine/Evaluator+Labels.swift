extension Evaluator {
    /// `label_replace(v, dst, replacement, src, regex)`: where the anchored
    /// regex matches the value of `src`, `dst` becomes the expanded
    /// replacement (removed when empty); otherwise the series is unchanged.
    func labelReplace(_ c: FunctionCall, _ r: StepRange) throws(QueryError) -> [StepSeries] {
        let dst = try evalString(c.args[1])
        let replacement = try evalString(c.args[2])
        let src = try evalString(c.args[3])
        let pattern = try evalString(c.args[4])
        let regex: ReplaceRegex
        do {
            regex = try ReplaceRegex(pattern)
        } catch {
            throw QueryError(.execution, "invalid regular expression in label_replace(): " + pattern)
        }
        guard LabelOps.isValidLabelName(dst) else {
            throw QueryError(.execution, "invalid destination label name in label_replace(): " + dst)
        }
        var v = try evalVector(c.args[0], r)
        for i in v.indices {
            let value = v[i].labels[src] ?? ""
            if let result = regex.expand(replacement, matching: value) {
                v[i].labels = v[i].labels.setting(dst, result)
            }
        }
        try LabelOps.mergeSameLabels(&v, perStep: true)
        return v
    }

    /// `label_join(v, dst, separator, src...)`.
    func labelJoin(_ c: FunctionCall, _ r: StepRange) throws(QueryError) -> [StepSeries] {
        let dst = try evalString(c.args[1])
        let separator = try evalString(c.args[2])
        var sources: [String] = []
        for a in c.args.dropFirst(3) {
            let s = try evalString(a)
            guard LabelOps.isValidLabelName(s) else {
                throw QueryError(.execution, "invalid source label name in label_join(): " + s)
            }
            sources.append(s)
        }
        guard LabelOps.isValidLabelName(dst) else {
            throw QueryError(.execution, "invalid destination label name in label_join(): " + dst)
        }
        var v = try evalVector(c.args[0], r)
        for i in v.indices {
            let joined = sources.map { v[i].labels[$0] ?? "" }.joined(separator: separator)
            v[i].labels = v[i].labels.setting(dst, joined)
        }
        try LabelOps.mergeSameLabels(&v, perStep: true)
        return v
    }
}
