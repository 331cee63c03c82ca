extension Evaluator {
    /// Series matching `vs` with samples in [mint, maxt] (both inclusive).
    func select(_ vs: VectorSelector, mint: Int64, maxt: Int64) -> [StorageSeries] {
        var maxt = maxt
        if vs.at == nil && selectClamp != .max { maxt = Swift.min(maxt, selectClamp &- vs.offset) }
        guard mint <= maxt else { return [] }
        return storage.querier(mint: mint, maxt: maxt).select(vs.matchers)
    }

    /// An instant vector selector over the steps of `r`: at each step the
    /// newest sample in [t − lookback, t] (closed at both ends, Prometheus
    /// 2.x), unless it is a staleness marker. Series without any value are
    /// dropped, as Prometheus drops series without points.
    func evalVectorSelector(_ vs: VectorSelector, _ r: StepRange, keepTimestamps: Bool = false) throws(QueryError) -> [StepSeries] {
        let rt = referenceTimes(at: vs.at, offset: vs.offset, r)
        let lookback = limits.lookbackDelta
        let series = select(vs, mint: rt.start &- lookback, maxt: rt.end)
        var out: [StepSeries] = []
        out.reserveCapacity(series.count)
        for s in series {
            try deadline.check()
            scratchTimestamps.removeAll(keepingCapacity: true)
            scratchValues.removeAll(keepingCapacity: true)
            s.appendSamples(ts: &scratchTimestamps, vs: &scratchValues, decoder: &decoder)
            var values = [Double](repeating: StepValue.absent, count: r.count)
            var points = 0
            scratchTimestamps.withUnsafeBufferPointer { ts in
                scratchValues.withUnsafeBufferPointer { sv in
                    values.withUnsafeMutableBufferPointer { out in
                        let n = ts.count
                        var j = 0   // first sample after the current step's time
                        for k in 0..<r.count {
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
            if points > 0 {
                try hold(points)
                out.append(StepSeries(labels: s.labels, values: values))
            }
        }
        return out
    }

    /// The raw samples of a range selector for an instant query's result:
    /// samples in [t − range, t] (closed in 2.x) without staleness markers.
    func evalMatrixSelectorRaw(_ ms: MatrixSelector, at t: Int64) throws(QueryError) -> [RawSeries] {
        let rt = referenceTimes(at: ms.selector.at, offset: ms.selector.offset, StepRange(start: t, step: 0, count: 1))
        let maxt = rt.start, mint = maxt &- ms.range
        var out: [RawSeries] = []
        for s in select(ms.selector, mint: mint, maxt: maxt) {
            try deadline.check()
            var ts: [Int64] = [], vs: [Double] = []
            s.appendSamples(from: mint, to: maxt, ts: &ts, vs: &vs, decoder: &decoder)
            Self.dropStale(&ts, &vs)
            guard !ts.isEmpty else { continue }
            try hold(ts.count)
            out.append(RawSeries(labels: s.labels, timestamps: ts, values: vs))
        }
        return out
    }

    /// Removes staleness markers (range selectors never return them) and
    /// replaces other NaN payloads by the canonical NaN.
    static func dropStale(_ ts: inout [Int64], _ vs: inout [Double]) {
        var w = 0
        for i in 0..<ts.count {
            let v = vs[i]
            if v.bitPattern == StepValue.absentBits { continue }
            ts[w] = ts[i]
            vs[w] = StepValue.canonical(v)
            w += 1
        }
        ts.removeSubrange(w...)
        vs.removeSubrange(w...)
    }
}
