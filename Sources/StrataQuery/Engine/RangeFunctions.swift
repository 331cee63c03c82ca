import Foundation

/// The functions of a range vector, each computing one value from the samples
/// of one window (Prometheus 2.42 `promql/functions.go` semantics).
enum RangeFunction {
    case rate, increase, delta, irate, idelta
    case deriv, predictLinear, holtWinters
    case changes, resets
    case avgOverTime, minOverTime, maxOverTime, sumOverTime, countOverTime
    case stddevOverTime, stdvarOverTime, lastOverTime, presentOverTime, quantileOverTime
    case absentOverTime

    init?(name: String) {
        switch name {
        case "rate": self = .rate
        case "increase": self = .increase
        case "delta": self = .delta
        case "irate": self = .irate
        case "idelta": self = .idelta
        case "deriv": self = .deriv
        case "predict_linear": self = .predictLinear
        case "holt_winters": self = .holtWinters
        case "changes": self = .changes
        case "resets": self = .resets
        case "avg_over_time": self = .avgOverTime
        case "min_over_time": self = .minOverTime
        case "max_over_time": self = .maxOverTime
        case "sum_over_time": self = .sumOverTime
        case "count_over_time": self = .countOverTime
        case "stddev_over_time": self = .stddevOverTime
        case "stdvar_over_time": self = .stdvarOverTime
        case "last_over_time": self = .lastOverTime
        case "present_over_time": self = .presentOverTime
        case "quantile_over_time": self = .quantileOverTime
        case "absent_over_time": self = .absentOverTime
        default: return nil
        }
    }

    /// Index of the range-vector argument.
    var rangeArgIndex: Int { self == .quantileOverTime ? 1 : 0 }

    /// Whether the result needs the counter-reset prefix counts.
    var usesResets: Bool { self == .rate || self == .increase }
}

/// Per-window inputs that vary by step: scalar arguments and the window.
struct WindowContext {
    var rangeStart: Int64
    var rangeEnd: Int64
    var evalTime: Int64
    /// The range in seconds (Go's `Duration.Seconds()` of the selector range).
    var rangeSeconds: Double
    var scalar1: Double
    var scalar2: Double
}

/// The output of one part of a range function's series (see `Evaluator.inParts`).
struct RangeFunctionPart {
    var series: [StepSeries] = []
    /// Points in `series`.
    var points = 0
    /// The most points held at once within the part: the points before a
    /// series plus that series' largest window (Prometheus holds one window
    /// while computing a series).
    var peak = 0
    /// `absent_over_time`: the steps where some series had samples.
    var covered: [Bool] = []
}

/// What every series of one range-function call shares.
struct RangeSweep {
    let fn: RangeFunction
    /// The end of the window at each step; windows are [end − range, end].
    let windowEnds: StepRange
    let range: Int64
    /// The evaluation's steps (for `predict_linear`'s time and the scalars).
    let steps: StepRange
    let rangeSeconds: Double
    let scalars: [[Double]]

    /// Sweeps the windows over one series' samples (in `scratch`) and adds
    /// its values, if any, to `part`.
    func run(_ labels: Labels, _ scratch: inout SeriesScratch, into part: inout RangeFunctionPart) throws(QueryError) {
        let count = steps.count
        var values = [Double](repeating: StepValue.absent, count: count)
        var points = 0
        var maxWindow = 0
        try scratch.timestamps.withUnsafeBufferPointer { (ts) throws(QueryError) in
            try scratch.values.withUnsafeBufferPointer { (vs) throws(QueryError) in
                try scratch.resetCounts.withUnsafeBufferPointer { (rc) throws(QueryError) in
                    try values.withUnsafeMutableBufferPointer { (out) throws(QueryError) in
                        let n = ts.count
                        var lo = 0, hi = 0
                        for k in 0..<count {
                            let end = windowEnds.time(k)
                            let start = end &- range
                            while lo < n && ts[lo] < start { lo += 1 }
                            if hi < lo { hi = lo }
                            while hi < n && ts[hi] <= end { hi += 1 }
                            guard hi > lo else { continue }
                            maxWindow = Swift.max(maxWindow, hi - lo)
                            if fn == .absentOverTime {
                                part.covered[k] = true
                                continue
                            }
                            let ctx = WindowContext(
                                rangeStart: start, rangeEnd: end, evalTime: steps.time(k), rangeSeconds: rangeSeconds,
                                scalar1: scalars.count > 0 ? scalars[0][k] : 0,
                                scalar2: scalars.count > 1 ? scalars[1][k] : 0)
                            let v = try Evaluator.windowValue(fn, ts, vs, lo, hi, rc, ctx)
                            if StepValue.isPresent(v) {
                                out[k] = v
                                points += 1
                            }
                        }
                    }
                }
            }
        }
        part.peak = Swift.max(part.peak, part.points + maxWindow)
        if points > 0 {
            part.points += points
            let l = fn == .lastOverTime ? labels : labels.removing(metricNameLabel)
            part.series.append(StepSeries(labels: l, values: values))
        }
    }
}

extension Evaluator {
    /// Series per part below which a range function is not split across
    /// threads (a part's setup costs about as much as a few series).
    static let rangeSeriesPerPart = 16

    /// Series per part for a call over `steps` steps with windows of `range`
    /// ms: 16 for small calls, fewer when each series costs more (many steps,
    /// or windows that overlap: `avg_over_time(x[15m])` at an 86 s step reads
    /// every sample about ten times), down to 2 series per part once a
    /// series visits ~2,000 window samples: then a part's work dwarfs
    /// handing it to another thread (a few microseconds).
    static func rangeSeriesPerPart(steps: Int, step: Int64, range: Int64) -> Int {
        let overlap = step > 0 ? Swift.max(1, Int(Swift.min(range / step, 1 << 20))) : 1
        let visits = steps.multipliedReportingOverflow(by: overlap)
        let work = visits.overflow ? Int.max : visits.partialValue
        return Swift.max(2, Swift.min(rangeSeriesPerPart, rangeSeriesPerPart * 128 / Swift.max(1, work)))
    }

    func evalRangeFunction(_ fn: RangeFunction, _ call: FunctionCall, _ r: StepRange) throws(QueryError) -> [StepSeries] {
        if rollupWindow > 0, let out = try evalRangeFunctionOnRollups(fn, call, r) { return out }
        return try evalRangeFunctionRaw(fn, call, r)
    }

    func evalRangeFunctionRaw(_ fn: RangeFunction, _ call: FunctionCall, _ r: StepRange) throws(QueryError) -> [StepSeries] {
        // Scalar arguments, one value per step.
        var scalars: [[Double]] = []
        for (i, a) in call.args.enumerated() where i != fn.rangeArgIndex {
            scalars.append(try evalScalar(a, r))
        }
        // Prometheus evaluates a step-invariant call once; any other call
        // step by step, where `@` on its range argument moves with the steps.
        let moving = !StepInvariance.isStepInvariant(.call(call))
        let arg = try rangeArgument(call.args[fn.rangeArgIndex], r, moving: moving)
        let sweep = RangeSweep(
            fn: fn, windowEnds: arg.windowEnds, range: arg.range, steps: r,
            rangeSeconds: Double(arg.range / 1000) + Double(arg.range % 1000) / 1e3, scalars: scalars)
        let covered = fn == .absentOverTime ? [Bool](repeating: false, count: r.count) : []

        var parts: [RangeFunctionPart]
        var subquerySamples = 0
        switch arg.source {
        case .storage(let series, let mint, let maxt):
            let deadline = self.deadline
            parts = try inParts(series.count, minPerPart: Self.rangeSeriesPerPart(steps: r.count, step: r.step, range: arg.range)) { (range, scratch) throws(QueryError) in
                var part = RangeFunctionPart(covered: covered)
                for i in range {
                    try deadline.check()
                    scratch.load(series[i], mint: mint, maxt: maxt)
                    scratch.prepareWindows(resets: fn.usesResets)
                    try sweep.run(series[i].labels, &scratch, into: &part)
                }
                return part
            }
        case .evaluated(let series, let inner):
            for x in series { subquerySamples += x.pointCount }
            var part = RangeFunctionPart(covered: covered)
            for s in series {
                try deadline.check()
                scratch.timestamps.removeAll(keepingCapacity: true)
                scratch.values.removeAll(keepingCapacity: true)
                for k in 0..<inner.count where StepValue.isPresent(s.values[k]) {
                    scratch.timestamps.append(inner.time(k))
                    scratch.values.append(s.values[k])
                }
                if fn.usesResets { scratch.computeResets() }
                try sweep.run(s.labels, &scratch, into: &part)
            }
            parts = [part]
        }
        defer { release(subquerySamples) }

        // Account for the points as the sequential evaluation would have:
        // the peak (a window on top of the points before it), then all.
        var before = 0, peak = 0, total = 0
        for p in parts {
            peak = Swift.max(peak, before + p.peak)
            before += p.points
            total += p.points
        }
        try hold(peak)
        release(peak)
        try hold(total)

        if fn == .absentOverTime {
            // 2.42: one series, valued 1 at the steps where no series had samples.
            var values = [Double](repeating: StepValue.absent, count: r.count)
            var any = false
            for k in 0..<r.count where !parts.contains(where: { $0.covered[k] }) {
                values[k] = 1
                any = true
            }
            guard any else { return [] }
            return [StepSeries(labels: LabelOps.absentLabels(arg.selector), values: values)]
        }
        var out: [StepSeries] = []
        if parts.count == 1 {
            out = parts[0].series
        } else {
            out.reserveCapacity(parts.reduce(0) { $0 + $1.series.count })
            for p in parts { out.append(contentsOf: p.series) }
        }
        // 2.42 checks the whole matrix of a range-vector function for
        // duplicates; dropping the name can only collide series whose
        // names differ.
        if fn != .lastOverTime {
            var names = LabelOps.NameTracker()
            switch arg.source {
            case .storage(let series, _, _): for s in series { names.observe(s.labels) }
            case .evaluated(let series, _): for s in series { names.observe(s.labels) }
            }
            if names.differ { try LabelOps.mergeSameLabels(&out, perStep: false) }
        }
        return out
    }

    /// One window's value, or `StepValue.absent` when the function has none.
    @inline(__always)
    static func windowValue(
        _ fn: RangeFunction, _ ts: UnsafeBufferPointer<Int64>, _ vs: UnsafeBufferPointer<Double>,
        _ lo: Int, _ hi: Int, _ resetCounts: UnsafeBufferPointer<Int32>, _ ctx: WindowContext
    ) throws(QueryError) -> Double {
        let n = hi - lo
        switch fn {
        case .rate, .increase, .delta:
            guard n >= 2 else { return StepValue.absent }
            let isCounter = fn != .delta
            let first = lo, last = hi - 1
            var result = vs[last] - vs[first]
            // No prefix counts: the series has no reset at all.
            if isCounter && !resetCounts.isEmpty && resetCounts[last] != resetCounts[first] {
                var j = first + 1
                while j <= last {
                    if vs[j] < vs[j - 1] { result += vs[j - 1] }
                    j += 1
                }
            }
            var durationToStart = Double(ts[first] &- ctx.rangeStart) / 1000
            let durationToEnd = Double(ctx.rangeEnd &- ts[last]) / 1000
            let sampledInterval = Double(ts[last] &- ts[first]) / 1000
            let averageDurationBetweenSamples = sampledInterval / Double(n - 1)
            if isCounter && result > 0 && vs[first] >= 0 {
                // A counter cannot go below zero: extrapolate at most to where it would be zero.
                let durationToZero = sampledInterval * (vs[first] / result)
                if durationToZero < durationToStart { durationToStart = durationToZero }
            }
            let threshold = averageDurationBetweenSamples * 1.1
            var extrapolateToInterval = sampledInterval
            extrapolateToInterval += durationToStart < threshold ? durationToStart : averageDurationBetweenSamples / 2
            extrapolateToInterval += durationToEnd < threshold ? durationToEnd : averageDurationBetweenSamples / 2
            result = result * (extrapolateToInterval / sampledInterval)
            if fn == .rate { result = result / ctx.rangeSeconds }
            return result
        case .irate, .idelta:
            guard n >= 2 else { return StepValue.absent }
            let last = vs[hi - 1], previous = vs[hi - 2]
            var result = fn == .irate && last < previous ? last : last - previous
            let interval = ts[hi - 1] &- ts[hi - 2]
            guard interval != 0 else { return StepValue.absent }
            if fn == .irate { result /= Double(interval) / 1000 }
            return result
        case .deriv:
            guard n >= 2 else { return StepValue.absent }
            return linearRegression(ts, vs, lo, hi, interceptTime: ts[lo]).slope
        case .predictLinear:
            guard n >= 2 else { return StepValue.absent }
            let (slope, intercept) = linearRegression(ts, vs, lo, hi, interceptTime: ctx.evalTime)
            return slope * ctx.scalar1 + intercept
        case .holtWinters:
            let sf = ctx.scalar1, tf = ctx.scalar2
            if sf <= 0 || sf >= 1 {
                throw QueryError(.execution, "invalid smoothing factor. Expected: 0 < sf < 1, got: " + GoFormat.fixed(sf, precision: 6))
            }
            if tf <= 0 || tf >= 1 {
                throw QueryError(.execution, "invalid trend factor. Expected: 0 < tf < 1, got: " + GoFormat.fixed(tf, precision: 6))
            }
            guard n >= 2 else { return StepValue.absent }
            var s0 = 0.0, s1 = vs[lo], b = vs[lo + 1] - vs[lo]
            var i = 1
            while i < n {
                let x = sf * vs[lo + i]
                // The trend at i−1 (Prometheus' calcTrendValue): the raw first difference at 0.
                if i - 1 != 0 { b = tf * (s1 - s0) + (1 - tf) * b }
                let y = (1 - sf) * (s1 + b)
                s0 = s1
                s1 = x + y
                i += 1
            }
            return s1
        case .changes:
            var changes = 0
            var prev = vs[lo]
            var i = lo + 1
            while i < hi {
                let cur = vs[i]
                if cur != prev && !(cur.isNaN && prev.isNaN) { changes += 1 }
                prev = cur
                i += 1
            }
            return Double(changes)
        case .resets:
            var resets = 0
            var i = lo + 1
            while i < hi {
                if vs[i] < vs[i - 1] { resets += 1 }
                i += 1
            }
            return Double(resets)
        case .avgOverTime:
            var mean = 0.0, count = 0.0, c = 0.0
            for i in lo..<hi {
                let v = vs[i]
                count += 1
                if mean.isInfinite {
                    // Inf − Inf would turn the mean into NaN; an infinite mean stays
                    // unless a NaN or an infinity of the other sign arrives.
                    if v.isInfinite && (mean > 0) == (v > 0) { continue }
                    if !v.isInfinite && !v.isNaN { continue }
                }
                (mean, c) = KahanSum.add(v / count - mean / count, mean, c)
            }
            return mean.isInfinite ? mean : mean + c
        case .minOverTime:
            var m = vs[lo]
            for i in lo..<hi where vs[i] < m || m.isNaN { m = vs[i] }
            return m
        case .maxOverTime:
            var m = vs[lo]
            for i in lo..<hi where vs[i] > m || m.isNaN { m = vs[i] }
            return m
        case .sumOverTime:
            var sum = 0.0, c = 0.0
            for i in lo..<hi { (sum, c) = KahanSum.add(vs[i], sum, c) }
            return sum.isInfinite ? sum : sum + c
        case .countOverTime:
            return Double(n)
        case .stddevOverTime, .stdvarOverTime:
            var count = 0.0, mean = 0.0, cMean = 0.0, aux = 0.0, cAux = 0.0
            for i in lo..<hi {
                let v = vs[i]
                count += 1
                let delta = v - (mean + cMean)
                (mean, cMean) = KahanSum.add(delta / count, mean, cMean)
                (aux, cAux) = KahanSum.add(delta * (v - (mean + cMean)), aux, cAux)
            }
            let variance = (aux + cAux) / count
            return fn == .stddevOverTime ? variance.squareRoot() : variance
        case .lastOverTime:
            return vs[hi - 1]
        case .presentOverTime:
            return 1
        case .quantileOverTime:
            var values = Array(vs[lo..<hi])
            return Quantile.quantile(ctx.scalar1, &values)
        case .absentOverTime:
            return 1
        }
    }

    /// Least squares over the window, x in seconds relative to `interceptTime`,
    /// with Kahan-compensated sums (Prometheus' `linearRegression`).
    @inline(__always)
    static func linearRegression(
        _ ts: UnsafeBufferPointer<Int64>, _ vs: UnsafeBufferPointer<Double>, _ lo: Int, _ hi: Int, interceptTime: Int64
    ) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
        let initY = vs[lo]
        var constY = true
        for i in lo..<hi {
            let y = vs[i]
            if constY && i > lo && y != initY { constY = false }
            n += 1
            let x = Double(ts[i] &- interceptTime) / 1e3
            (sumX, cX) = KahanSum.add(x, sumX, cX)
            (sumY, cY) = KahanSum.add(y, sumY, cY)
            (sumXY, cXY) = KahanSum.add(x * y, sumXY, cXY)
            (sumX2, cX2) = KahanSum.add(x * x, sumX2, cX2)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        let intercept = sumY / n - slope * sumX / n
        return (slope, intercept)
    }
}
