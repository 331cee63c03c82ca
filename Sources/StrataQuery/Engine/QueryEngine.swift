/// Evaluates PromQL expressions against storage with Prometheus 2.42
/// semantics (docs/promql-evaluation.md). Times are Unix milliseconds.
public struct QueryEngine: Sendable {
    public let storage: any QueryableStorage
    public let limits: QueryLimits

    public init(storage: any QueryableStorage, limits: QueryLimits = QueryLimits()) {
        self.storage = storage
        self.limits = limits
    }

    /// `/api/v1/query`: the value of `expr` at `t`. A range selector or
    /// subquery at the top gives a matrix of its raw samples.
    ///
    /// `resolution` (issue #5): `.raw` reads raw samples only; `.auto` reads
    /// rollups where raw data no longer covers what a call needs (after raw
    /// retention): a rollup-capable range function the coarsest window that
    /// divides its range, a plain selector the finest window (its lookback
    /// becomes that window); `.window(w)` reads rollups of `w` wherever the
    /// expression allows, as in range queries.
    public func instantQuery(_ expr: Expr, at t: Int64, resolution: QueryResolution = .raw) throws(QueryError) -> QueryValue {
        let ev = Evaluator(storage: storage, limits: limits, queryStart: t, queryEnd: t)
        switch resolution {
        case .raw:
            break
        case .auto:
            ev.rollupWindow = storage.rollupResolutions.max() ?? 0
            ev.rollupInstant = true
        case .window:
            (ev.rollupWindow, ev.rollupForced) = try Self.rollupWindow(resolution, step: 0, available: storage.rollupResolutions)
        }
        var top = expr
        while case .paren(let p) = top { top = p.expr }
        switch top {
        case .matrixSelector(let ms):
            return .matrix(try ev.evalMatrixSelectorRaw(ms, at: t).map(Self.rangeSeries))
        case .subquery(let sq):
            let (series, inner, _) = try ev.evalSubquery(sq, StepRange(start: t, step: 0, count: 1))
            return .matrix(series.map { s in Self.rangeSeries(s, inner) })
        default:
            break
        }
        let r = StepRange(start: t, step: 0, count: 1)
        switch try ev.eval(top, r) {
        case .scalar(let v):
            return .scalar(timestamp: t, value: v[0])
        case .string(let s):
            return .string(timestamp: t, value: s)
        case .vector(let series):
            var out: [InstantSample] = []
            out.reserveCapacity(series.count)
            for s in series where StepValue.isPresent(s.values[0]) {
                out.append(InstantSample(labels: s.labels, timestamp: t, value: s.values[0]))
            }
            return .vector(out)
        }
    }

    /// `/api/v1/query_range`: `expr` at start, start + step, ... ≤ end (no
    /// alignment), as a matrix sorted by labels. Scalars become one series
    /// without labels.
    ///
    /// `resolution` (issue #5): `.raw` reads raw samples only (Prometheus'
    /// semantics); `.auto` reads the coarsest rollup window no longer than
    /// the step where rollups serve a step (see `QueryResolution`);
    /// `.window(w)` reads rollups of `w` wherever the expression allows.
    public func rangeQuery(_ expr: Expr, start: Int64, end: Int64, step: Int64,
                           resolution: QueryResolution = .raw) throws(QueryError) -> QueryValue {
        guard step > 0 else {
            throw QueryError(.badData, "zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        guard end >= start else {
            throw QueryError(.badData, "end timestamp must not be before start time")
        }
        if (end - start) / step > Int64(limits.maxPointsPerSeries) {
            throw QueryError(.badData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        switch expr.type {
        case .scalar, .vector: break
        default:
            throw QueryError(.badData, "invalid expression type \"\(expr.type.documentedName)\" for range query, must be Scalar or instant Vector")
        }
        let r = StepRange(start: start, step: step, count: Int((end - start) / step) + 1)
        let ev = Evaluator(storage: storage, limits: limits, queryStart: start, queryEnd: end)
        (ev.rollupWindow, ev.rollupForced) = try Self.rollupWindow(resolution, step: step, available: storage.rollupResolutions)
        switch try ev.eval(expr, r) {
        case .scalar(let v):
            return .matrix([RangeSeries(labels: Labels(), timestamps: (0..<r.count).map(r.time), values: v)])
        case .string:
            throw QueryError(.badData, "invalid expression type \"string\" for range query, must be Scalar or instant Vector")
        case .vector(let series):
            var out = series.compactMap { s -> RangeSeries? in
                let rs = Self.rangeSeries(s, r)
                return rs.timestamps.isEmpty ? nil : rs
            }
            out.sort { $0.labels < $1.labels }
            return .matrix(out)
        }
    }

    /// The rollup window a range query at `step` reads, and whether it was forced.
    static func rollupWindow(_ resolution: QueryResolution, step: Int64, available: [Int64]) throws(QueryError) -> (Int64, Bool) {
        switch resolution {
        case .raw:
            return (0, false)
        case .auto:
            return (available.filter { $0 <= step }.max() ?? 0, false)
        case .window(let w):
            guard available.contains(w) else {
                throw QueryError(.badData, "invalid parameter \"resolution\": no rollups of \(w / 1000)s; available: raw"
                                 + available.map { ", \($0 / 1000)s" }.joined())
            }
            return (w, true)
        }
    }

    static func rangeSeries(_ s: StepSeries, _ r: StepRange) -> RangeSeries {
        var ts: [Int64] = [], vs: [Double] = []
        for k in 0..<r.count where StepValue.isPresent(s.values[k]) {
            ts.append(r.time(k))
            vs.append(s.values[k])
        }
        return RangeSeries(labels: s.labels, timestamps: ts, values: vs)
    }

    static func rangeSeries(_ s: RawSeries) -> RangeSeries {
        RangeSeries(labels: s.labels, timestamps: s.timestamps, values: s.values)
    }
}
