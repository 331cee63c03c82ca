/// A range-vector function argument (`x[5m]` or a subquery), ready to be
/// swept: where each series' samples come from and which window each step
/// reads.
struct RangeArgument {
    enum Source {
        /// A range selector: samples are decoded from storage series by series.
        case storage([StorageSeries], mint: Int64, maxt: Int64)
        /// A subquery: its evaluated points.
        case evaluated([StepSeries], StepRange)
    }

    var source: Source
    /// The end of the window read at each step; windows are [end − range, end].
    var windowEnds: StepRange
    /// The window length in milliseconds.
    var range: Int64
    /// The selector, when the argument is a range selector (for `absent_over_time`'s labels).
    var selector: VectorSelector?

    var seriesCount: Int {
        switch source {
        case .storage(let s, _, _): return s.count
        case .evaluated(let s, _): return s.count
        }
    }
}

extension Evaluator {
    /// Prepares `expr` (a range selector or subquery, possibly in parentheses)
    /// for evaluation over the steps of `r`.
    /// `moving`: see `referenceTimes`.
    func rangeArgument(_ expr: Expr, _ r: StepRange, moving: Bool) throws(QueryError) -> RangeArgument {
        switch expr {
        case .paren(let p):
            return try rangeArgument(p.expr, r, moving: moving)
        case .matrixSelector(let ms):
            let ends = referenceTimes(at: ms.selector.at, offset: ms.selector.offset, r, moving: moving)
            var mint = ends.start &- ms.range, maxt = ends.end
            if moving && ms.selector.at != nil {
                // Prometheus selects the data of `x[d] @ T` for [T − d, T] only
                // (getTimeRangesForSelector); the moving windows see just that.
                maxt = ends.start
            }
            let series = select(ms.selector, mint: mint, maxt: maxt)
            return RangeArgument(source: .storage(series, mint: mint, maxt: maxt), windowEnds: ends,
                                 range: ms.range, selector: ms.selector)
        case .subquery(let sq):
            let (series, inner, ends) = try evalSubquery(sq, r, moving: moving)
            return RangeArgument(source: .evaluated(series, inner), windowEnds: ends, range: sq.range, selector: nil)
        default:
            throw QueryError(.execution, "expected range vector argument")
        }
    }

    /// Evaluates a subquery's inner expression at the subquery's own steps:
    /// multiples of the subquery step (Prometheus aligns the first to the
    /// step, counting from the Unix epoch), from the first one at or after
    /// `first window end − range` up to the last window end.
    func evalSubquery(_ sq: SubqueryExpr, _ r: StepRange, moving: Bool = false) throws(QueryError) -> (series: [StepSeries], inner: StepRange, windowEnds: StepRange) {
        let ends = referenceTimes(at: sq.at, offset: sq.offset, r, moving: moving)
        let step = sq.step ?? limits.defaultSubqueryStep
        guard step > 0 else { throw QueryError(.execution, "zero or negative subquery step") }
        let first = Self.alignUp(ends.start &- sq.range, step)
        let last = ends.end
        guard last >= first else { return ([], StepRange(start: first, step: step, count: 0), ends) }
        let count64 = (last - first) / step + 1
        if count64 > Int64(limits.maxSamples) {
            throw QueryError(.execution, "query processing would load too many samples into memory in query execution")
        }
        let inner = StepRange(start: first, step: step, count: Int(count64))
        // Selectors inside a subquery with `@ T` read no data after T − offset
        // (Prometheus' getTimeRangesForSelector with subqueryTimes). It shows
        // only when the subquery's steps move past T (see `referenceTimes`).
        let savedClamp = selectClamp
        let savedWindow = rollupWindow
        defer { selectClamp = savedClamp; rollupWindow = savedWindow }
        // Subquery steps are not the query's steps: raw data only.
        rollupWindow = 0
        if sq.at != nil {
            selectClamp = ends.start
        } else if selectClamp != .max {
            selectClamp = selectClamp &- sq.offset
        }
        let series = try evalVector(sq.expr, inner)
        return (series, inner, ends)
    }

    /// The smallest multiple of `step` that is ≥ t (Prometheus: Go's truncating
    /// division, then one step up if below; that is the ceiling for any sign).
    static func alignUp(_ t: Int64, _ step: Int64) -> Int64 {
        var a = step &* (t / step)
        if a < t { a &+= step }
        return a
    }
}
