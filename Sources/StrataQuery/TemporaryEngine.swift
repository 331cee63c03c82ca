// Stand-in until the evaluator branch lands (delete on merge): selectors only.
import StrataCodec

public struct QueryEngine: Sendable {
    let storage: any QueryableStorage
    let limits: QueryLimits
    public init(storage: any QueryableStorage, limits: QueryLimits = QueryLimits()) {
        self.storage = storage
        self.limits = limits
    }

    public func instantQuery(_ expr: Expr, at t: Int64) throws(QueryError) -> QueryValue {
        switch expr {
        case .vectorSelector(let vs):
            return .vector(try rangeQueryVS(vs, start: t, end: t, step: 1).compactMap { s in
                s.timestamps.isEmpty ? nil : InstantSample(labels: s.labels, timestamp: t, value: s.values[0])
            })
        case .matrixSelector(let ms):
            let te = t - ms.selector.offset
            let q = storage.querier(mint: te - ms.range, maxt: te)
            var out: [RangeSeries] = []
            for s in q.select(ms.selector.storageMatchers) {
                let (ts, vs) = s.samples()
                var rt: [Int64] = [], rv: [Double] = []
                for i in ts.indices where vs[i].bitPattern != 0x7ff0_0000_0000_0002 { rt.append(ts[i]); rv.append(vs[i]) }
                if !rt.isEmpty { out.append(RangeSeries(labels: s.labels, timestamps: rt, values: rv)) }
            }
            return .matrix(out)
        default:
            throw QueryError(.badData, "unsupported expression")
        }
    }

    public func rangeQuery(_ expr: Expr, start: Int64, end: Int64, step: Int64) throws(QueryError) -> QueryValue {
        guard case .vectorSelector(let vs) = expr else { throw QueryError(.badData, "unsupported expression") }
        return .matrix(try rangeQueryVS(vs, start: start, end: end, step: step))
    }

    func rangeQueryVS(_ sel: VectorSelector, start: Int64, end: Int64, step: Int64) throws(QueryError) -> [RangeSeries] {
        let lb = limits.lookbackDelta
        let q = storage.querier(mint: start - sel.offset - lb, maxt: end - sel.offset)
        var out: [RangeSeries] = []
        for s in q.select(sel.storageMatchers) {
            let (ts, vs) = s.samples()
            var rt: [Int64] = [], rv: [Double] = []
            var i = 0
            var t = start
            while t <= end {
                let te = t - sel.offset
                while i < ts.count && ts[i] <= te { i += 1 }
                if i > 0, ts[i - 1] >= te - lb, vs[i - 1].bitPattern != 0x7ff0_0000_0000_0002 {
                    rt.append(t); rv.append(vs[i - 1])
                }
                t += step
            }
            if !rt.isEmpty { out.append(RangeSeries(labels: s.labels, timestamps: rt, values: rv)) }
        }
        return out
    }
}

extension VectorSelector {
    public var storageMatchers: [Matcher] {
        matchers.map { m in
            let t: MatchType
            switch m.type {
            case .equal: t = .equal
            case .notEqual: t = .notEqual
            case .regexMatch: t = .regexMatch
            case .regexNoMatch: t = .regexNoMatch
            }
            return try! Matcher(t, m.name, m.value)
        }
    }
}
