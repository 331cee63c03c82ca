import Foundation

extension BinaryOperator {
    /// Arithmetic drops the metric name; comparisons (without `bool`) keep it.
    var dropsMetricName: Bool {
        switch self {
        case .add, .sub, .mul, .div, .mod, .pow: return true   // not atan2 (2.42)
        default: return false
        }
    }
}

enum BinaryArithmetic {
    /// Prometheus' `vectorElemBinop`: the value and whether a comparison holds.
    @inline(__always)
    static func apply(_ op: BinaryOperator, _ l: Double, _ r: Double) -> (Double, Bool) {
        switch op {
        case .add: return (l + r, true)
        case .sub: return (l - r, true)
        case .mul: return (l * r, true)
        case .div: return (l / r, true)
        case .pow: return (Foundation.pow(l, r), true)
        case .mod: return (fmod(l, r), true)
        case .atan2: return (Foundation.atan2(l, r), true)
        case .eql: return (l, l == r)
        case .neq: return (l, l != r)
        case .gtr: return (l, l > r)
        case .lss: return (l, l < r)
        case .gte: return (l, l >= r)
        case .lte: return (l, l <= r)
        case .and, .or, .unless: return (l, true)
        }
    }
}

extension Evaluator {
    func evalBinary(_ b: BinaryExpr, _ r: StepRange) throws(QueryError) -> EvalValue {
        let lhs = try eval(b.lhs, r)
        let rhs = try eval(b.rhs, r)
        switch (lhs, rhs) {
        case (.scalar(var l), .scalar(let rv)):
            for k in l.indices {
                let (v, keep) = BinaryArithmetic.apply(b.op, l[k], rv[k])
                l[k] = b.op.isComparison ? (keep ? 1 : 0) : v
            }
            return .scalar(l)
        case (.vector(let l), .scalar(let s)):
            return .vector(try vectorScalar(b, l, s, swapped: false))
        case (.scalar(let s), .vector(let rv)):
            return .vector(try vectorScalar(b, rv, s, swapped: true))
        case (.vector(let l), .vector(let rv)):
            let matching = b.matching ?? VectorMatching(card: b.op.isSetOperator ? .manyToMany : .oneToOne)
            switch b.op {
            case .and, .unless: return .vector(setAndUnless(b.op == .and, l, rv, matching))
            case .or: return .vector(try setOr(l, rv, matching))
            default: return .vector(try vectorVector(b, l, rv, matching))
            }
        default:
            throw QueryError(.execution, "binary operation on a string")
        }
    }

    /// Prometheus' `VectorscalarBinop`. With the scalar on the left of a
    /// comparison, the vector's value is still the result.
    func vectorScalar(_ b: BinaryExpr, _ vec: [StepSeries], _ s: [Double], swapped: Bool) throws(QueryError) -> [StepSeries] {
        var out = vec
        let dropName = b.op.dropsMetricName || b.returnBool
        let mayCollide = dropName && LabelOps.namesDiffer(vec)
        let op = b.op, isComparison = op.isComparison, returnBool = b.returnBool
        for i in out.indices {
            if dropName { out[i].labels = out[i].labels.removing(metricNameLabel) }
            out[i].values.withUnsafeMutableBufferPointer { p in
                for k in p.indices where StepValue.isPresent(p[k]) {
                    let x = p[k]
                    let (v0, keep) = swapped ? BinaryArithmetic.apply(op, s[k], x) : BinaryArithmetic.apply(op, x, s[k])
                    var v = isComparison && swapped ? x : v0
                    if returnBool {
                        v = keep ? 1 : 0
                        p[k] = v
                    } else if keep {
                        p[k] = v
                    } else {
                        p[k] = StepValue.absent
                    }
                }
            }
        }
        if isComparison && !returnBool { LabelOps.dropEmpty(&out) }
        if mayCollide { try LabelOps.mergeSameLabels(&out, perStep: true) }
        return out
    }

    // MARK: set operators

    /// For each signature, whether any of `series` has a value at each step.
    private func presenceBySignature(_ series: [StepSeries], _ subset: LabelSubset, steps: Int) -> [Labels: [Bool]] {
        var m: [Labels: [Bool]] = [:]
        for s in series {
            let sig = subset.apply(s.labels)
            var p = m[sig] ?? [Bool](repeating: false, count: steps)
            for k in 0..<steps where StepValue.isPresent(s.values[k]) { p[k] = true }
            m[sig] = p
        }
        return m
    }

    func setAndUnless(_ isAnd: Bool, _ lhs: [StepSeries], _ rhs: [StepSeries], _ m: VectorMatching) -> [StepSeries] {
        let subset = LabelSubset(on: m.on, m.matchingLabels)
        let steps = lhs.first?.values.count ?? 0
        let present = presenceBySignature(rhs, subset, steps: steps)
        var out: [StepSeries] = []
        out.reserveCapacity(lhs.count)
        for var s in lhs {
            if let p = present[subset.apply(s.labels)] {
                for k in 0..<steps where p[k] != isAnd { s.values[k] = StepValue.absent }
            } else if isAnd {
                continue
            }
            if s.hasValue { out.append(s) }
        }
        return out
    }

    func setOr(_ lhs: [StepSeries], _ rhs: [StepSeries], _ m: VectorMatching) throws(QueryError) -> [StepSeries] {
        let subset = LabelSubset(on: m.on, m.matchingLabels)
        let steps = lhs.first?.values.count ?? rhs.first?.values.count ?? 0
        let present = presenceBySignature(lhs, subset, steps: steps)
        var out = lhs
        for var s in rhs {
            if let p = present[subset.apply(s.labels)] {
                for k in 0..<steps where p[k] { s.values[k] = StepValue.absent }
                if !s.hasValue { continue }
            }
            out.append(s)
        }
        // A right-hand series with the same labels as a left-hand one fills its gaps.
        try LabelOps.mergeSameLabels(&out, perStep: true)
        return out
    }

    // MARK: arithmetic and comparisons between vectors

    /// Prometheus' `VectorBinop`, evaluated for all steps: the "one" side
    /// (the right, or the left for `group_right`) must have at most one
    /// series per signature at each step.
    func vectorVector(_ b: BinaryExpr, _ lhsIn: [StepSeries], _ rhsIn: [StepSeries], _ m: VectorMatching) throws(QueryError) -> [StepSeries] {
        let swapped = m.card == .oneToMany
        let many = swapped ? rhsIn : lhsIn
        let one = swapped ? lhsIn : rhsIn
        let steps = lhsIn.first?.values.count ?? rhsIn.first?.values.count ?? 0
        guard !many.isEmpty, !one.isEmpty else { return [] }
        let subset = LabelSubset(on: m.on, m.matchingLabels)
        let include = Set(m.include)

        // Group the "one" side by signature.
        var groupOf: [Labels: Int] = [:]
        var groups: [[Int]] = []
        for (j, s) in one.enumerated() {
            let sig = subset.apply(s.labels)
            if let g = groupOf[sig] {
                groups[g].append(j)
            } else {
                groupOf[sig] = groups.count
                groups.append([j])
            }
        }
        // Duplicates on the "one" side at the same step are an error (when the
        // other side has any sample at that step: Prometheus short-circuits).
        var manyPresent = [Bool](repeating: false, count: steps)
        for s in many { for k in 0..<steps where StepValue.isPresent(s.values[k]) { manyPresent[k] = true } }
        for members in groups where members.count > 1 {
            for k in 0..<steps where manyPresent[k] {
                var seen = -1
                for j in members where StepValue.isPresent(one[j].values[k]) {
                    if seen >= 0 {
                        let side = swapped ? "left" : "right"
                        throw QueryError(.execution,
                            "found duplicate series for the match group \(LabelOps.promString(subset.apply(one[j].labels))) on the \(side) hand-side of the operation: [\(LabelOps.promString(one[j].labels)), \(LabelOps.promString(one[seen].labels))];many-to-many matching not allowed: matching labels must be unique on one side")
                    }
                    seen = j
                }
            }
        }

        var out: [StepSeries] = []
        var outIndex: [Labels: Int] = [:]
        var outGroup: [Int] = []           // the signature group of each output series
        // One-to-one: per signature group with several "many" series, the steps already matched.
        var manyPerGroup = [Int](repeating: 0, count: groups.count)
        var manyGroup = [Int](repeating: -1, count: many.count)
        for (i, s) in many.enumerated() {
            if let g = groupOf[subset.apply(s.labels)] {
                manyGroup[i] = g
                manyPerGroup[g] += 1
            }
        }
        var matchedAt: [[Bool]] = groups.indices.map { g in
            m.card == .oneToOne && manyPerGroup[g] > 1 ? [Bool](repeating: false, count: steps) : []
        }
        var resultLabels: [Int: Labels] = [:]
        let op = b.op, returnBool = b.returnBool

        for (i, ls) in many.enumerated() {
            let g = manyGroup[i]
            guard g >= 0 else { continue }
            let members = groups[g]
            resultLabels.removeAll(keepingCapacity: true)
            for k in 0..<steps {
                let lv = ls.values[k]
                guard StepValue.isPresent(lv) else { continue }
                var j = members[0]
                if members.count > 1 {
                    guard let p = members.first(where: { StepValue.isPresent(one[$0].values[k]) }) else { continue }
                    j = p
                }
                let rv = one[j].values[k]
                guard StepValue.isPresent(rv) else { continue }
                let (fl, fr) = swapped ? (rv, lv) : (lv, rv)
                var (value, keep) = BinaryArithmetic.apply(op, fl, fr)
                if returnBool {
                    value = keep ? 1 : 0
                } else if !keep {
                    continue
                }
                let labels: Labels
                if let l = resultLabels[j] {
                    labels = l
                } else {
                    labels = resultMetric(ls.labels, one[j].labels, op, m, include, dropName: op.dropsMetricName || returnBool)
                    resultLabels[j] = labels
                }
                if !matchedAt[g].isEmpty {
                    if matchedAt[g][k] {
                        throw QueryError(.execution, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)")
                    }
                    matchedAt[g][k] = true
                }
                let oi: Int
                if let i = outIndex[labels] {
                    oi = i
                    if StepValue.isPresent(out[i].values[k]) {
                        if m.card != .oneToOne && outGroup[i] == g {
                            throw QueryError(.execution, "multiple matches for labels: grouping labels must ensure unique matches")
                        }
                        throw LabelOps.sameLabelsetError
                    }
                } else {
                    oi = out.count
                    outIndex[labels] = oi
                    outGroup.append(g)
                    out.append(StepSeries(labels: labels, values: [Double](repeating: StepValue.absent, count: steps)))
                }
                out[oi].values[k] = value
            }
        }
        var points = 0
        for s in out { points += s.pointCount }
        try hold(points)
        return out
    }

    /// Prometheus' `resultMetric`: the left ("many") side's labels, without
    /// the name for arithmetic, reduced to the `on` labels (or without the
    /// `ignoring` ones) for one-to-one matching, plus the `group_x` labels
    /// taken from the "one" side.
    func resultMetric(_ lhs: Labels, _ rhs: Labels, _ op: BinaryOperator, _ m: VectorMatching,
                      _ include: Set<String>, dropName: Bool) -> Labels {
        var l = lhs
        if dropName { l = l.removing(metricNameLabel) }
        if m.card == .oneToOne {
            l = m.on ? l.keeping(Set(m.matchingLabels)) : l.removing(Set(m.matchingLabels))
        }
        for name in m.include {
            l = l.setting(name, rhs[name] ?? "")
        }
        _ = include
        return l
    }
}
