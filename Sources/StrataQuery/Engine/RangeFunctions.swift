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

extension Evaluator {
    func evalRangeFunction(_ fn: RangeFunction, _ call: FunctionCall, _ r: StepRange) throws(QueryError) -> [StepSeries] {
        // Scalar arguments, one value per step.
        var scalars: [[Double]] = []
        for (i, a) in call.args.enumerated() where i != fn.rangeArgIndex {
            scalars.append(try evalScalar(a, r))
        }
        // Prometheus evaluates a step-invariant call once; any other call
        // step by step, where `@` on its range argument moves with the steps.
        let moving = !StepInvariance.isStepInvariant(.call(call))
        let arg = try rangeArgument(call.args[fn.rangeArgIndex], r, moving: moving)
        let rangeSeconds = Double(arg.range / 1000) + Double(arg.range % 1000) / 1e3
        var out: [StepSeries] = []
        var resetCounts: [Int32] = []
        let keepName = fn == .lastOverTime
        var names = LabelOps.NameTracker()
        var covered = fn == .absentOverTime ? [Bool](repeating: false, count: r.count) : []
        var subquerySamples = 0
        if case .evaluated(let s, _) = arg.source {
            for x in s { subquerySamples += x.pointCount }
        }
        defer { release(subquerySamples) }

        try forEachRangeSeries(arg) { (_, labels, ts, vs) throws(QueryError) in
            if fn.usesResets {
                resetCounts.removeAll(keepingCapacity: true)
                var c: Int32 = 0
                resetCounts.append(0)
                var i = 1
                while i < vs.count {
                    if vs[i] < vs[i - 1] { c += 1 }
                    resetCounts.append(c)
                    i += 1
                }
            }
            var values = [Double](repeating: StepValue.absent, count: r.count)
            var points = 0
            var maxWindow = 0
            let n = ts.count
            var lo = 0, hi = 0
            try resetCounts.withUnsafeBufferPointer { (rc) throws(QueryError) in
                for k in 0..<r.count {
                    let end = arg.windowEnds.time(k)
                    let start = end &- arg.range
                    while lo < n && ts[lo] < start { lo += 1 }
                    if hi < lo { hi = lo }
                    while hi < n && ts[hi] <= end { hi += 1 }
                    guard hi > lo else { continue }
                    maxWindow = Swift.max(maxWindow, hi - lo)
                    if fn == .absentOverTime {
                        covered[k] = true
                        continue
                    }
                    let ctx = WindowContext(
                        rangeStart: start, rangeEnd: end, evalTime: r.time(k), rangeSeconds: rangeSeconds,
                        scalar1: scalars.count > 0 ? scalars[0][k] : 0,
                        scalar2: scalars.count > 1 ? scalars[1][k] : 0)
                    let v = try Self.windowValue(fn, ts, vs, lo, hi, rc, ctx)
                    if StepValue.isPresent(v) {
                        values[k] = v
                        points += 1
                    }
                }
            }
            // Prometheus holds one window's points while computing a series.
            try hold(maxWindow)
            release(maxWindow)
            if points > 0 {
                try hold(points)
                let l = keepName ? labels : labels.removing(metricNameLabel)
                if !keepName { names.observe(labels) }
                out.append(StepSeries(labels: l, values: values))
            }
        }

        if fn == .absentOverTime {
            // 2.42: one series, valued 1 at the steps where no series had samples.
            var values = [Double](repeating: StepValue.absent, count: r.count)
            var any = false
            for k in 0..<r.count where !covered[k] {
                values[k] = 1
                any = true
            }
            guard any else { return [] }
            return [StepSeries(labels: LabelOps.absentLabels(arg.selector), values: values)]
        }
        // 2.42 checks the whole matrix of a range-vector function for duplicates.
        if names.differ { try LabelOps.mergeSameLabels(&out, perStep: false) }
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
            if isCounter && resetCounts[last] != resetCounts[first] {
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
