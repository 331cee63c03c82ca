extension Evaluator {
    /// Series matching `vs` with samples in [mint, maxt] (both inclusive).
    func select(_ vs: VectorSelector, mint: Int64, maxt: Int64) -> [StorageSeries] {
        var maxt = maxt
        if vs.at == nil && selectClamp != .max { maxt = Swift.min(maxt, selectClamp &- vs.offset) }
        guard mint <= maxt else { return [] }
        return storage.querier(mint: mint, maxt: maxt).select(vs.matchers)
    }

    /// Series per part below which a selector is not split across threads.
    static let selectorSeriesPerPart = 32

    /// An instant vector selector over the steps of `r`: at each step the
    /// newest sample in [t − lookback, t] (closed at both ends, Prometheus
    /// 2.x), unless it is a staleness marker. Series without any value are
    /// dropped, as Prometheus drops series without points.
    func evalVectorSelector(_ vs: VectorSelector, _ r: StepRange, keepTimestamps: Bool = false) throws(QueryError) -> [StepSeries] {
        if rollupWindow > 0 && !keepTimestamps, let out = try evalVectorSelectorOnRollups(vs, r) { return out }
        let rt = referenceTimes(at: vs.at, offset: vs.offset, r)
        let lookback = limits.lookbackDelta
        let series = select(vs, mint: rt.start &- lookback, maxt: rt.end)
        let deadline = self.deadline
        let parts = try inParts(series.count, minPerPart: Self.selectorSeriesPerPart) {
            (range, scratch) throws(QueryError) -> (series: [StepSeries], points: Int) in
            var out: [StepSeries] = []
            out.reserveCapacity(range.count)
            var total = 0
            for i in range {
                try deadline.check()
                scratch.load(series[i])
                let (values, points) = Self.lookback(scratch, rt, lookback: lookback, keepTimestamps: keepTimestamps)
                if points > 0 {
                    total += points
                    out.append(StepSeries(labels: series[i].labels, values: values))
                }
            }
            return (out, total)
        }
        try hold(parts.reduce(0) { $0 + $1.points })
        if parts.count == 1 { return parts[0].series }
        var out: [StepSeries] = []
        out.reserveCapacity(parts.reduce(0) { $0 + $1.series.count })
        for p in parts { out.append(contentsOf: p.series) }
        return out
    }

    /// One series' values at the steps of `rt` (sample times) from the
    /// samples in `scratch`, and how many steps have one.
    static func lookback(_ scratch: SeriesScratch, _ rt: StepRange, lookback: Int64, keepTimestamps: Bool) -> ([Double], Int) {
        var values = [Double](repeating: StepValue.absent, count: rt.count)
        var points = 0
        scratch.timestamps.withUnsafeBufferPointer { ts in
            scratch.values.withUnsafeBufferPointer { sv in
                values.withUnsafeMutableBufferPointer { out in
                    let n = ts.count
                    var j = 0   // first sample after the current step's time
                    for k in 0..<rt.count {
                        let t = rt.time(k)
                        while j < n && ts[j] <= t { j += 1 }
                        guard j > 0, ts[j - 1] >= t &- lookback else { continue }
                        let v = sv[j - 1]
                        if v.bitPattern == StepValue.absentBits { continue }   // staleness marker
                        // `timestamp()` of a selector reports the sample's own time.
                        out[k] = keepTimestamps ? Double(ts[j - 1]) / 1000 : StepValue.canonical(v)
                        points += 1
                    }
                }
            }
        }
        return (values, points)
    }

    /// The raw samples of a range selector for an instant query's result:
    /// samples in [t − range, t] (closed in 2.x) without staleness markers.
    func evalMatrixSelectorRaw(_ ms: MatrixSelector, at t: Int64) throws(QueryError) -> [RawSeries] {
        let rt = referenceTimes(at: ms.selector.at, offset: ms.selector.offset, StepRange(start: t, step: 0, count: 1))
        let maxt = rt.start, mint = maxt &- ms.range
        var out: [RawSeries] = []
        for s in select(ms.selector, mint: mint, maxt: maxt) {
            try deadline.check()
            scratch.load(s, mint: mint, maxt: maxt)
            scratch.dropStale()
            guard !scratch.timestamps.isEmpty else { continue }
            try hold(scratch.timestamps.count)
            out.append(RawSeries(labels: s.labels, timestamps: scratch.timestamps, values: scratch.values))
        }
        return out
    }
}
