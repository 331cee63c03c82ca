import StrataCodec

/// Range queries over rollups (issue #5, docs/promql-evaluation.md
/// "Resolution"). When a range query runs at a rollup window `w`
/// (`rollupWindow > 0`), a step of a rollup-capable call reads the windows
/// of `w` instead of raw samples if rollups cover the step's window and
/// either the windows tile it exactly (start, step and range multiples of
/// `w`), the resolution was forced, or raw data no longer covers it. A
/// step's range `[e − range, e]` is read as the windows starting in
/// `[e − range, e)`: with aligned times that is `[e − range, e)` exactly
/// (the sample at `e` itself belongs to the next window).
///
/// Per window the rollups keep count, sum, min, max, first, last, the
/// counter increase and a quantile sketch, so:
/// - `count_over_time`, `sum_over_time`, `min_over_time`, `max_over_time`,
///   `last_over_time`, `present_over_time` are exact; `avg_over_time` is
///   sum ÷ count (Prometheus' incremental mean may differ in the last bits);
/// - `quantile_over_time` merges the sketches (≤ 1 % relative error);
/// - `increase` is the exact reset-corrected increase from the last sample
///   before the range (the previous window's `last`) to the last sample in
///   it, without Prometheus' extrapolation; `rate` is that ÷ range;
/// - a plain selector at `t` is the `last` of the window starting in `[t − w, t)`.
/// Under `auto` a range function reads the coarsest window no longer than
/// the query's that divides its range; anything else (`@`, subqueries,
/// other functions, ranges no window divides) reads raw data as usual.
extension Evaluator {
    static func rollupCapable(_ fn: RangeFunction) -> Bool {
        switch fn {
        case .rate, .increase, .avgOverTime, .minOverTime, .maxOverTime, .sumOverTime, .countOverTime,
             .lastOverTime, .presentOverTime, .quantileOverTime:
            return true
        default:
            return false
        }
    }

    /// For each step whose window ends at `ends.time(k)` and spans `range`:
    /// whether it reads rollups. Nil when no step does.
    func rollupSteps(windowEnds ends: StepRange, range: Int64, window w: Int64, exact: Bool) -> [Bool]? {
        if rollupForced { return [Bool](repeating: true, count: ends.count) }
        let cov = storage.availableResolutions(mint: ends.start &- range, maxt: ends.end)
        guard let rollups = cov.first(where: { $0.resolution == w }) else { return nil }
        let raw = cov.first(where: { $0.resolution == 0 })
        var use = [Bool](repeating: false, count: ends.count)
        var any = false
        for k in 0..<ends.count {
            let e = ends.time(k)
            guard rollups.covers(e &- range, e) else { continue }
            if exact || !(raw?.covers(e &- range, e) ?? false) {
                use[k] = true
                any = true
            }
        }
        return any ? use : nil
    }

    /// The first of `candidates` (rollup windows) that serves some step of
    /// `ends`, with the steps it serves; `range` gives a step's range at a window.
    func firstServing(_ candidates: [Int64], _ ends: StepRange, range: (Int64) -> Int64) -> (w: Int64, use: [Bool])? {
        for c in candidates {
            let rg = range(c)
            if let use = rollupSteps(windowEnds: ends, range: rg, window: c, exact: rollupAligned(ends, range: rg, window: c)) {
                return (c, use)
            }
        }
        return nil
    }

    /// Whether windows of `w` tile the step windows exactly.
    func rollupAligned(_ ends: StepRange, range: Int64, window w: Int64) -> Bool {
        if rollupInstant { return false }
        return ends.start % w == 0 && (ends.count == 1 || ends.step % w == 0) && range % w == 0
    }

    /// Evaluates `body` (the raw-data path) over the steps of `r` that do
    /// not read rollups, with rollups off: over the sub-range from the first
    /// to the last such step, values moved back to their steps, and absent
    /// at rollup steps. Empty if every step reads rollups.
    func rawPart(_ r: StepRange, _ use: [Bool], _ body: (StepRange) throws(QueryError) -> [StepSeries]) throws(QueryError) -> [StepSeries] {
        guard let a = use.firstIndex(of: false), let b = use.lastIndex(of: false) else { return [] }
        let saved = rollupWindow
        rollupWindow = 0
        defer { rollupWindow = saved }
        let sub = StepRange(start: r.time(a), step: r.step, count: b - a + 1)
        var out = try body(sub)
        for i in out.indices {
            var values = [Double](repeating: StepValue.absent, count: r.count)
            for k in 0..<sub.count where !use[a + k] { values[a + k] = out[i].values[k] }
            out[i].values = values
        }
        out.removeAll { !$0.values.contains(where: StepValue.isPresent) }
        return out
    }

    /// Joins the raw part and the rollup part of one call: a series present
    /// in both gets the raw values at raw steps and the rollup values at
    /// rollup steps.
    func joinParts(raw: [StepSeries], rollups: [StepSeries], _ use: [Bool]) -> [StepSeries] {
        guard !raw.isEmpty else { return rollups }
        var out = raw
        var index: [Labels: Int] = [:]
        for (i, s) in out.enumerated() { index[s.labels] = i }
        for s in rollups {
            if let i = index[s.labels] {
                for k in use.indices where use[k] { out[i].values[k] = s.values[k] }
            } else {
                out.append(s)
            }
        }
        return out
    }

    /// `fn(selector[range])` over rollups, or nil to evaluate it on raw data.
    func evalRangeFunctionOnRollups(_ fn: RangeFunction, _ call: FunctionCall, _ r: StepRange) throws(QueryError) -> [StepSeries]? {
        guard Self.rollupCapable(fn) else { return nil }
        var arg = call.args[fn.rangeArgIndex]
        while case .paren(let p) = arg { arg = p.expr }
        guard case .matrixSelector(let ms) = arg, ms.selector.at == nil else { return nil }
        // The query's window, or under `auto` the coarsest window no longer
        // than it that divides the range (`rate(x[5m])` at a 1 h step reads
        // 5 m windows). An instant query has no step to keep: it reads the
        // finest dividing window that serves it, whose edges lie nearest to
        // the range's own.
        let candidates: [Int64]
        if rollupForced {
            guard ms.range >= rollupWindow else { return nil }
            candidates = [rollupWindow]
        } else {
            let dividing = storage.rollupResolutions.filter { $0 <= rollupWindow && ms.range % $0 == 0 }
            candidates = rollupInstant ? dividing.sorted() : dividing.max().map { [$0] } ?? []
        }
        let ends = referenceTimes(at: nil, offset: ms.selector.offset, r)
        guard let (w, use) = firstServing(candidates, ends, range: { _ in ms.range }) else { return nil }
        let q: [Double] = fn == .quantileOverTime ? try evalScalar(call.args[0], r) : []

        let raw = try rawPart(r, use) { (sub) throws(QueryError) in try evalRangeFunctionRaw(fn, call, sub) }

        let first = use.firstIndex(of: true)!, last = use.lastIndex(of: true)!
        // `increase`/`rate` also read the window before each range.
        let before: Int64 = fn.usesResets ? w : 0
        let selected = storage.rollupQuerier(resolution: w, mint: ends.time(first) &- ms.range &- before,
                                             maxt: ends.time(last) &- 1).select(ms.selector.matchers)
        var windows = RollupWindows()
        var decoder = RollupSeries.Decoder()
        var sketch = QuantileSketch()
        let rangeSeconds = Double(ms.range) / 1000
        var rollups: [StepSeries] = []
        var points = 0
        var names = LabelOps.NameTracker()
        for s in selected {
            try deadline.check()
            windows.removeAll()
            s.appendWindows(into: &windows, decoder: &decoder)
            var values = [Double](repeating: StepValue.absent, count: r.count)
            var present = 0
            var a = 0, b = 0   // windows[a..<b] start in [e − range, e)
            for k in 0..<r.count where use[k] {
                let e = ends.time(k), s0 = e &- ms.range
                while a < windows.windows && windows.timestamps[a] < s0 { a += 1 }
                if b < a { b = a }
                while b < windows.windows && windows.timestamps[b] < e { b += 1 }
                guard b > a else { continue }
                let v = Self.rollupValue(fn, windows, a, b, previous: a > 0 && windows.timestamps[a - 1] >= s0 &- w ? a - 1 : nil,
                                         q: q.isEmpty ? 0 : q[k], rangeSeconds: rangeSeconds, sketch: &sketch)
                if StepValue.isPresent(v) {
                    values[k] = v
                    present += 1
                }
            }
            guard present > 0 else { continue }
            points += present
            names.observe(s.labels)
            rollups.append(StepSeries(labels: fn == .lastOverTime ? s.labels : s.labels.removing(metricNameLabel), values: values))
        }
        if fn != .lastOverTime && names.differ { try LabelOps.mergeSameLabels(&rollups, perStep: false) }
        try hold(points)
        return joinParts(raw: raw, rollups: rollups, use)
    }

    /// One step's value from windows `a..<b` (`previous`: the window just before them, if any).
    static func rollupValue(
        _ fn: RangeFunction, _ w: RollupWindows, _ a: Int, _ b: Int, previous: Int?, q: Double, rangeSeconds: Double,
        sketch: inout QuantileSketch
    ) -> Double {
        switch fn {
        case .countOverTime:
            var n: Int64 = 0
            for i in a..<b { n += w.count[i] }
            return Double(n)
        case .sumOverTime, .avgOverTime:
            var sum = 0.0, c = 0.0, n: Int64 = 0
            for i in a..<b {
                (sum, c) = KahanSum.add(w.sum[i], sum, c)
                n += w.count[i]
            }
            let total = sum.isInfinite ? sum : sum + c
            return fn == .sumOverTime ? total : total / Double(n)
        case .minOverTime:
            var m = w.min[a]
            for i in a..<b where w.min[i] < m || m.isNaN { m = w.min[i] }
            return m
        case .maxOverTime:
            var m = w.max[a]
            for i in a..<b where w.max[i] > m || m.isNaN { m = w.max[i] }
            return m
        case .lastOverTime:
            return w.last[b - 1]
        case .presentOverTime:
            return 1
        case .quantileOverTime:
            // Prometheus' quantile_over_time: NaN for NaN, ±Inf outside [0, 1].
            if q.isNaN { return .nan }
            if q < 0 { return -.infinity }
            if q > 1 { return .infinity }
            sketch.reset()
            for i in a..<b { w.mergeSketch(i, into: &sketch) }
            return sketch.quantile(q) ?? .nan
        case .increase, .rate:
            var samples: Int64 = 0
            for i in a..<b { samples += w.count[i] }
            var total = w.increase(from: a, to: b)
            if let p = previous {
                // The jump from the last sample before the range (a drop is a reset).
                let prev = w.last[p], cur = w.first[a]
                total += cur >= prev ? cur - prev : cur
                samples += 1
            }
            guard samples >= 2 else { return StepValue.absent }
            return fn == .rate ? total / rangeSeconds : total
        default:
            return StepValue.absent
        }
    }

    /// A plain selector over rollups: at `t`, the `last` of the window
    /// starting in `[t − w, t)`. Nil to evaluate it on raw data.
    func evalVectorSelectorOnRollups(_ vs: VectorSelector, _ r: StepRange) throws(QueryError) -> [StepSeries]? {
        guard vs.at == nil else { return nil }
        let rt = referenceTimes(at: nil, offset: vs.offset, r)
        // A range query reads its window; an instant query under `auto` the
        // finest window that serves it (the nearest to the 5 m lookback).
        let candidates = rollupInstant && !rollupForced
            ? storage.rollupResolutions.filter { $0 <= rollupWindow }.sorted() : [rollupWindow]
        guard let (w, use) = firstServing(candidates, rt, range: { $0 }) else { return nil }
        let raw = try rawPart(r, use) { (sub) throws(QueryError) in try evalVectorSelector(vs, sub) }
        let first = use.firstIndex(of: true)!, last = use.lastIndex(of: true)!
        let selected = storage.rollupQuerier(resolution: w, mint: rt.time(first) &- w, maxt: rt.time(last) &- 1).select(vs.matchers)
        var windows = RollupWindows()
        var decoder = RollupSeries.Decoder()
        var rollups: [StepSeries] = []
        var points = 0
        for s in selected {
            try deadline.check()
            windows.removeAll()
            s.appendWindows(into: &windows, decoder: &decoder)
            var values = [Double](repeating: StepValue.absent, count: r.count)
            var present = 0
            var j = 0
            for k in 0..<r.count where use[k] {
                let t = rt.time(k)
                while j < windows.windows && windows.timestamps[j] < t &- w { j += 1 }
                guard j < windows.windows, windows.timestamps[j] < t else { continue }
                values[k] = StepValue.canonical(windows.last[j])
                present += 1
            }
            guard present > 0 else { continue }
            points += present
            rollups.append(StepSeries(labels: s.labels, values: values))
        }
        try hold(points)
        return joinParts(raw: raw, rollups: rollups, use)
    }
}
