import StrataCodec

/// One output series of `Database.percentiles`.
public struct PercentileSeries: Sendable, Equatable {
    /// The group's labels and `quantile` (e.g. `{instance="a", quantile="0.95"}`).
    public var labels: Labels
    public var quantile: Double
    /// Steps with data only.
    public var timestamps: [Int64]
    public var values: [Double]
}

public struct PercentileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

/// Native percentiles over time (issue #5, behind `GET /api/v1/percentiles`):
/// for every step, the quantiles of all values of a group's series in the
/// step, computed by merging quantile sketches, within 1 % relative error.
extension Database {
    /// Most steps one request may ask for (Prometheus' range-query limit).
    public static let maxPercentileSteps = 11_000

    /// Quantiles per step of the values of the series matching `matchers`.
    ///
    /// Output points are `t = start, start + step, …, ≤ end`; the point at t
    /// covers sample times [t − step, t). Series are grouped by the labels
    /// in `grouping` (like `quantile by (…)`); with nil, each series is its
    /// own group (labels without `__name__`).
    ///
    /// `resolution`: nil picks the coarsest rollup window that divides
    /// `step` and uses its windows wherever rollup blocks cover a whole step
    /// (windows must lie inside the step: align `start` to the window),
    /// and raw samples (blocks and head) for the other steps; 0 forces raw
    /// data; a window forces that rollup resolution (steps it does not cover
    /// stay empty).
    public func percentiles(
        _ matchers: [Matcher], quantiles: [Double], start: Int64, end: Int64, step: Int64,
        by grouping: [String]? = nil, resolution: Int64? = nil
    ) throws(PercentileError) -> [PercentileSeries] {
        guard step > 0 else { throw PercentileError(message: "step must be positive") }
        guard start <= end else { throw PercentileError(message: "end before start") }
        guard !matchers.isEmpty else { throw PercentileError(message: "at least one matcher is required") }
        guard (end - start) / step < Int64(Self.maxPercentileSteps) else {
            throw PercentileError(message: "more than \(Self.maxPercentileSteps) steps")
        }
        if let resolution, resolution != 0, !options.rollups.windows.contains(resolution) {
            throw PercentileError(message: "no rollups of resolution \(resolution) ms")
        }
        let n = Int((end - start) / step) + 1
        let auto = options.rollups.windows.filter { $0 <= step && step % $0 == 0 }.max() ?? 0
        let r: Int64 = resolution ?? auto
        func stepEnd(_ k: Int) -> Int64 { start + Int64(k) * step }

        var acc = Accumulator(grouping: grouping, steps: n)

        // Steps covered by rollups.
        var covered = [Bool](repeating: false, count: n)
        if r > 0 {
            let cov = availableResolutions(mint: start - step, maxt: end).first { $0.resolution == r }
            if let cov { for k in 0..<n { covered[k] = cov.covers(stepEnd(k) - step, stepEnd(k)) } }
            if covered.contains(true) {
                let q = rollupQuerier(resolution: r, mint: start - step, maxt: end - r)
                var w = RollupWindows()
                var d = RollupSeries.Decoder()
                for s in q.select(matchers) {
                    w.removeAll()
                    s.appendWindows(into: &w, decoder: &d)
                    let g = acc.group(of: s.labels)
                    for i in 0..<w.windows {
                        let ws = w.timestamps[i]
                        // The step whose [t − step, t) holds the window.
                        let k = Int(MemSeries.floorDiv(ws + r - start + step - 1, step))
                        guard k >= 0, k < n, covered[k], stepEnd(k) - step <= ws else { continue }
                        acc.addWindow(g, step: k, w.sketchBytes[w.sketchRange(i)])
                    }
                }
            }
        }

        // Raw samples for the rest (unless a rollup resolution was forced).
        if resolution == nil || resolution == 0, let first = covered.firstIndex(of: false) {
            let last = covered.lastIndex(of: false)!
            let q = querier(mint: stepEnd(first) - step, maxt: stepEnd(last) - 1)
            var ts: [Int64] = [], vs: [Double] = []
            var decoder = ChunkIterator()
            for s in q.select(matchers) {
                ts.removeAll(keepingCapacity: true)
                vs.removeAll(keepingCapacity: true)
                s.appendSamples(ts: &ts, vs: &vs, decoder: &decoder)
                let g = acc.group(of: s.labels)
                for i in 0..<ts.count where vs[i].bitPattern != RollupBuilder.staleMarkerBits {
                    let k = Int(MemSeries.floorDiv(ts[i] - start, step)) + 1
                    guard k >= 0, k < n, !covered[k] else { continue }
                    acc.addValue(g, step: k, vs[i])
                }
            }
        }
        return acc.output(quantiles: quantiles, stepEnd: stepEnd)
    }

    /// What each group holds per step: stored window sketches (their bytes
    /// copied) and raw values, gathered unordered and then replayed step by
    /// step into one reusable sketch, so a query allocates per group, not
    /// per step.
    struct Accumulator {
        struct Group {
            var labels: Labels
            /// (step, start, end) into `bytes`.
            var windows: [(step: Int32, start: Int32, end: Int32)] = []
            var bytes: [UInt8] = []
            var values: [(step: Int32, value: Double)] = []
        }

        let grouping: [String]?
        let steps: Int
        var index: [Labels: Int] = [:]
        var groups: [Group] = []

        init(grouping: [String]?, steps: Int) {
            self.grouping = grouping
            self.steps = steps
        }

        mutating func group(of labels: Labels) -> Int {
            let key: Labels
            if let grouping {
                key = Labels(sortedUnchecked: labels.filter { grouping.contains($0.name) })
            } else {
                key = Labels(sortedUnchecked: labels.filter { $0.name != "__name__" })
            }
            if let g = index[key] { return g }
            index[key] = groups.count
            groups.append(Group(labels: key))
            return groups.count - 1
        }

        mutating func addWindow(_ g: Int, step k: Int, _ sketch: ArraySlice<UInt8>) {
            let start = groups[g].bytes.count
            groups[g].bytes.append(contentsOf: sketch)
            groups[g].windows.append((Int32(k), Int32(start), Int32(groups[g].bytes.count)))
        }

        mutating func addValue(_ g: Int, step k: Int, _ v: Double) {
            groups[g].values.append((Int32(k), v))
        }

        func output(quantiles: [Double], stepEnd: (Int) -> Int64) -> [PercentileSeries] {
            var out: [PercentileSeries] = []
            var sketch = QuantileSketch()
            for var g in groups {
                g.windows.sort { $0.step < $1.step }
                g.values.sort { $0.step < $1.step }
                var ts: [Int64] = []
                var vs = [[Double]](repeating: [], count: quantiles.count)
                var wi = 0, vi = 0
                g.bytes.withUnsafeBytes { raw in
                    while wi < g.windows.count || vi < g.values.count {
                        let k = min(wi < g.windows.count ? g.windows[wi].step : .max, vi < g.values.count ? g.values[vi].step : .max)
                        sketch.reset()
                        while wi < g.windows.count && g.windows[wi].step == k {
                            // Validated when the rollup chunk was decoded.
                            sketch.merge(validated: UnsafeRawBufferPointer(rebasing: raw[Int(g.windows[wi].start)..<Int(g.windows[wi].end)]))
                            wi += 1
                        }
                        while vi < g.values.count && g.values[vi].step == k {
                            sketch.add(g.values[vi].value)
                            vi += 1
                        }
                        guard !sketch.isEmpty else { continue }
                        ts.append(stepEnd(Int(k)))
                        for (qi, q) in quantiles.enumerated() { vs[qi].append(sketch.quantile(q)!) }
                    }
                }
                guard !ts.isEmpty else { continue }
                for (qi, q) in quantiles.enumerated() {
                    let labels = Labels(sorting: Array(g.labels) + [Label("quantile", Self.format(q))])
                    out.append(PercentileSeries(labels: labels, quantile: q, timestamps: ts, values: vs[qi]))
                }
            }
            return out.sorted { $0.labels < $1.labels }
        }

        /// Shortest decimal form, as Prometheus prints floats in labels.
        static func format(_ q: Double) -> String {
            let s = "\(q)"
            return s.hasSuffix(".0") ? String(s.dropLast(2)) : s
        }
    }
}
