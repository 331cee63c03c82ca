extension Evaluator {
    func evalAggregate(_ a: AggregateExpr, _ r: StepRange) throws(QueryError) -> [StepSeries] {
        if r.count > 1, r.step != 0, let p = a.param,
           StepInvariance.isStepInvariant(a.expr), !StepInvariance.isStepInvariant(p) {
            // 2.42 deems an aggregation step-invariant by its expression alone
            // and evaluates it once, at the first step, also when the
            // parameter (`topk`'s k, `quantile`'s φ) varies by step.
            var once = try evalAggregate(a, StepRange(start: r.start, step: 0, count: 1))
            for i in once.indices { once[i].values = [Double](repeating: once[i].values[0], count: r.count) }
            try hold(once.count * (r.count - 1))
            return once
        }
        var param: [Double] = []
        var label = ""
        if let p = a.param {
            if a.op == .countValues {
                label = try evalString(p)
            } else {
                param = try evalScalar(p, r)
            }
        }
        let input = try evalVector(a.expr, r)
        if a.op == .countValues {
            return try countValues(a, label, input, r.count)
        }
        if a.op == .topk || a.op == .bottomk {
            // 2.42 converts k at every step, also where the input is empty.
            for f in param where !Self.convertibleToInt64(f) {
                throw QueryError(.execution, "Scalar value \(GoFormat.float(f)) overflows int64")
            }
        }
        guard !input.isEmpty else { return [] }

        // Group each series once: the group's labels are the grouping key.
        let steps = r.count
        var groupLabels: [Labels] = []
        var seriesGroup = [Int](repeating: 0, count: input.count)
        if !a.without && a.grouping.isEmpty {
            groupLabels = [Labels()]
        } else {
            let subset = LabelSubset(on: !a.without, a.grouping)
            var index: [Labels: Int] = [:]
            for (i, s) in input.enumerated() {
                let key = subset.apply(s.labels)
                if let g = index[key] {
                    seriesGroup[i] = g
                } else {
                    index[key] = groupLabels.count
                    seriesGroup[i] = groupLabels.count
                    groupLabels.append(key)
                }
            }
        }
        let groups = groupLabels.count

        switch a.op {
        case .topk, .bottomk:
            return try selectK(a.op == .topk, input, seriesGroup, groups, param, steps)
        case .quantile:
            var out: [StepSeries] = []
            var members = [[Int]](repeating: [], count: groups)
            for (i, g) in seriesGroup.enumerated() { members[g].append(i) }
            var buf: [Double] = []
            for g in 0..<groups {
                var values = [Double](repeating: StepValue.absent, count: steps)
                for k in 0..<steps {
                    buf.removeAll(keepingCapacity: true)
                    for i in members[g] where StepValue.isPresent(input[i].values[k]) { buf.append(input[i].values[k]) }
                    if !buf.isEmpty { values[k] = Quantile.quantile(param[k], &buf) }
                }
                out.append(StepSeries(labels: groupLabels[g], values: values))
            }
            LabelOps.dropEmpty(&out)
            return out
        default:
            break
        }

        // Accumulators per group and step.
        var acc = [[Double]](repeating: [Double](repeating: StepValue.absent, count: steps), count: groups)
        var aux: [[Double]] = []     // avg, stddev: mean; count: unused
        var counts: [[Double]] = []
        let op = a.op
        if op == .avg || op == .stddev || op == .stdvar {
            aux = [[Double]](repeating: [Double](repeating: 0, count: steps), count: groups)
        }
        if op == .avg || op == .stddev || op == .stdvar || op == .count {
            counts = [[Double]](repeating: [Double](repeating: 0, count: steps), count: groups)
        }
        for (i, s) in input.enumerated() {
            if i & 255 == 0 { try deadline.check() }
            let g = seriesGroup[i]
            s.values.withUnsafeBufferPointer { v in
                acc[g].withUnsafeMutableBufferPointer { a in
                    switch op {
                    case .sum:
                        for k in 0..<steps where StepValue.isPresent(v[k]) {
                            a[k] = StepValue.isAbsent(a[k]) ? v[k] : a[k] + v[k]
                        }
                    case .min:
                        for k in 0..<steps where StepValue.isPresent(v[k]) {
                            if StepValue.isAbsent(a[k]) || a[k] > v[k] || a[k].isNaN { a[k] = v[k] }
                        }
                    case .max:
                        for k in 0..<steps where StepValue.isPresent(v[k]) {
                            if StepValue.isAbsent(a[k]) || a[k] < v[k] || a[k].isNaN { a[k] = v[k] }
                        }
                    case .group:
                        for k in 0..<steps where StepValue.isPresent(v[k]) { a[k] = 1 }
                    case .count:
                        counts[g].withUnsafeMutableBufferPointer { c in
                            for k in 0..<steps where StepValue.isPresent(v[k]) { c[k] += 1; a[k] = 0 }
                        }
                    case .avg:
                        counts[g].withUnsafeMutableBufferPointer { c in
                            aux[g].withUnsafeMutableBufferPointer { mean in
                                for k in 0..<steps where StepValue.isPresent(v[k]) {
                                    let x = v[k]
                                    if StepValue.isAbsent(a[k]) {
                                        a[k] = 0
                                        c[k] = 1
                                        mean[k] = x
                                        continue
                                    }
                                    c[k] += 1
                                    let m = mean[k]
                                    if m.isInfinite {
                                        // Inf − Inf would make the mean NaN (Prometheus keeps it).
                                        if x.isInfinite && (m > 0) == (x > 0) { continue }
                                        if !x.isInfinite && !x.isNaN { continue }
                                    }
                                    // Divide each side of the `-` by the count to avoid overflow.
                                    mean[k] = m + (x / c[k] - m / c[k])
                                }
                            }
                        }
                    case .stddev, .stdvar:
                        counts[g].withUnsafeMutableBufferPointer { c in
                            aux[g].withUnsafeMutableBufferPointer { mean in
                                for k in 0..<steps where StepValue.isPresent(v[k]) {
                                    let x = v[k]
                                    if StepValue.isAbsent(a[k]) {
                                        a[k] = 0
                                        c[k] = 1
                                        mean[k] = x
                                        continue
                                    }
                                    // Welford's online algorithm.
                                    c[k] += 1
                                    let delta = x - mean[k]
                                    mean[k] += delta / c[k]
                                    a[k] += delta * (x - mean[k])
                                }
                            }
                        }
                    default:
                        break
                    }
                }
            }
        }
        var out: [StepSeries] = []
        out.reserveCapacity(groups)
        for g in 0..<groups {
            var values = acc[g]
            switch op {
            case .avg:
                for k in 0..<steps where StepValue.isPresent(values[k]) { values[k] = aux[g][k] }
            case .count:
                for k in 0..<steps where StepValue.isPresent(values[k]) { values[k] = counts[g][k] }
            case .stdvar:
                for k in 0..<steps where StepValue.isPresent(values[k]) { values[k] = values[k] / counts[g][k] }
            case .stddev:
                for k in 0..<steps where StepValue.isPresent(values[k]) { values[k] = (values[k] / counts[g][k]).squareRoot() }
            default:
                break
            }
            out.append(StepSeries(labels: groupLabels[g], values: values))
        }
        var points = 0
        for s in out { points += s.pointCount }
        try hold(points)
        return out
    }

    /// `topk`/`bottomk`: at each step, the k largest (smallest) values of each
    /// group, chosen with the same heap operations as Prometheus (Go's
    /// container/heap) so that ties and NaNs select the same series.
    func selectK(_ top: Bool, _ input: [StepSeries], _ seriesGroup: [Int], _ groups: Int,
                 _ param: [Double], _ steps: Int) throws(QueryError) -> [StepSeries] {
        var selected = [[Double]](repeating: [], count: input.count)
        var heaps = [[Int]](repeating: [], count: groups)
        var started = [Bool](repeating: false, count: groups)
        for k in 0..<steps {
            let kk = Int(param[k])   // checked by evalAggregate
            guard kk >= 1 else { continue }
            for g in 0..<groups { heaps[g].removeAll(keepingCapacity: true); started[g] = false }
            // less(i, j): NaN sorts first; then ascending (topk) or descending (bottomk).
            func less(_ a: Int, _ b: Int) -> Bool {
                let x = input[a].values[k], y = input[b].values[k]
                if x.isNaN { return true }
                return top ? x < y : x > y
            }
            for i in input.indices {
                let v = input[i].values[k]
                guard StepValue.isPresent(v) else { continue }
                let g = seriesGroup[i]
                if !started[g] {
                    started[g] = true
                    heaps[g].append(i)
                    continue
                }
                let head = input[heaps[g][0]].values[k]
                let better = top ? head < v : head > v
                guard heaps[g].count < kk || better || head.isNaN else { continue }
                if heaps[g].count == kk {
                    if kk == 1 {
                        heaps[g][0] = i
                        continue
                    }
                    GoHeap.pop(&heaps[g], less)
                }
                GoHeap.push(&heaps[g], i, less)
            }
            for g in 0..<groups {
                for i in heaps[g] {
                    if selected[i].isEmpty { selected[i] = [Double](repeating: StepValue.absent, count: steps) }
                    selected[i][k] = input[i].values[k]
                }
            }
        }
        // Output: group by group; within a group the values' order of a
        // single step (descending for topk, ascending for bottomk, NaN last).
        var out: [StepSeries] = []
        for g in 0..<groups {
            var members: [Int] = []
            for i in input.indices where seriesGroup[i] == g && !selected[i].isEmpty { members.append(i) }
            if steps == 1 {
                members.sort { a, b in
                    let x = selected[a][0], y = selected[b][0]
                    if x.isNaN { return false }
                    if y.isNaN { return true }
                    return top ? x > y : x < y
                }
            }
            for i in members { out.append(StepSeries(labels: input[i].labels, values: selected[i])) }
        }
        return out
    }

    /// Prometheus' `convertibleToInt64`: bounds are the largest float64 below
    /// 2^63 and -2^63; NaN fails both comparisons.
    static func convertibleToInt64(_ f: Double) -> Bool {
        f <= 9_223_372_036_854_774_784 && f >= -9_223_372_036_854_775_808
    }

    /// `count_values("label", v)`: per step, how many series have each value;
    /// the value, formatted as Go's `strconv.FormatFloat(v, 'f', -1, 64)`,
    /// becomes the label.
    func countValues(_ a: AggregateExpr, _ label: String, _ input: [StepSeries], _ steps: Int) throws(QueryError) -> [StepSeries] {
        guard LabelOps.isValidLabelName(label) else {
            throw QueryError(.execution, "invalid label name \(GoFormat.quote(label))")
        }
        var grouping = a.grouping
        if !a.without { grouping.append(label) }
        let subset = LabelSubset(on: !a.without, grouping)
        var index: [Labels: Int] = [:]
        var out: [StepSeries] = []
        for s in input {
            try deadline.check()
            for k in 0..<steps where StepValue.isPresent(s.values[k]) {
                let l = subset.apply(s.labels.setting(label, GoFormat.floatF(s.values[k])))
                let i: Int
                if let j = index[l] {
                    i = j
                } else {
                    i = out.count
                    index[l] = i
                    out.append(StepSeries(labels: l, values: [Double](repeating: StepValue.absent, count: steps)))
                }
                out[i].values[k] = StepValue.isAbsent(out[i].values[k]) ? 1 : out[i].values[k] + 1
            }
        }
        return out
    }
}

/// Go's `container/heap` push and pop over indices, with the caller's order.
/// Reproducing the exact sift operations makes ties resolve as in Prometheus.
enum GoHeap {
    static func push(_ h: inout [Int], _ x: Int, _ less: (Int, Int) -> Bool) {
        h.append(x)
        up(&h, h.count - 1, less)
    }

    @discardableResult
    static func pop(_ h: inout [Int], _ less: (Int, Int) -> Bool) -> Int {
        let n = h.count - 1
        h.swapAt(0, n)
        down(&h, 0, n, less)
        return h.removeLast()
    }

    private static func up(_ h: inout [Int], _ j0: Int, _ less: (Int, Int) -> Bool) {
        var j = j0
        while true {
            let i = (j - 1) / 2   // parent; Go's division truncates, so 0 for j = 0
            if i == j || !less(h[j], h[i]) { break }
            h.swapAt(i, j)
            j = i
        }
    }

    private static func down(_ h: inout [Int], _ i0: Int, _ n: Int, _ less: (Int, Int) -> Bool) {
        var i = i0
        while true {
            let j1 = 2 * i + 1
            if j1 >= n || j1 < 0 { break }
            var j = j1
            let j2 = j1 + 1
            if j2 < n && less(h[j2], h[j1]) { j = j2 }
            if !less(h[j], h[i]) { break }
            h.swapAt(i, j)
            i = j
        }
    }
}
