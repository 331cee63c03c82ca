import StrataCodec

/// Evaluates one query. Holds the per-query state: limits, the deadline, the
/// count of samples held, and scratch buffers reused across series.
///
/// Every node is evaluated over a whole `StepRange` at once (see
/// docs/promql-evaluation.md): selectors load each series' samples once and
/// sweep the steps with moving indices; binary operators, functions and
/// aggregations work on per-step value arrays.
final class Evaluator {
    let storage: any QueryableStorage
    let limits: QueryLimits
    let deadline: Deadline
    /// `@ start()` and `@ end()`: the range query's bounds (the evaluation
    /// time of an instant query), also inside subqueries.
    let queryStart: Int64
    let queryEnd: Int64

    /// The newest time selectors without `@` may read (before their own
    /// offset), set inside subqueries with `@`; `.max` when unbounded.
    var selectClamp: Int64 = .max

    /// The rollup window a range query reads where rollups serve it (0:
    /// raw data only) and whether it was forced (`resolution=5m`); see
    /// Evaluator+Rollups.swift. Off inside subqueries.
    var rollupWindow: Int64 = 0
    var rollupForced = false
    /// An instant query under `auto`: rollups answer only where raw data no
    /// longer covers a window (never merely because times align), and a plain
    /// selector reads the finest rollup window that covers it.
    var rollupInstant = false

    /// Samples and points currently held, checked against `limits.maxSamples`.
    var samplesHeld = 0

    // Scratch reused across series: no allocation per series for loading.
    // `extraScratch` serves the other threads of `inParts`.
    var scratch = SeriesScratch()
    var extraScratch: [SeriesScratch] = []

    init(storage: any QueryableStorage, limits: QueryLimits, queryStart: Int64, queryEnd: Int64) {
        self.storage = storage
        self.limits = limits
        self.deadline = Deadline(after: limits.timeout)
        self.queryStart = queryStart
        self.queryEnd = queryEnd
    }

    /// Accounts for `n` more samples held in memory.
    @inline(__always)
    func hold(_ n: Int) throws(QueryError) {
        samplesHeld += n
        if samplesHeld > limits.maxSamples {
            throw QueryError(.execution, "query processing would load too many samples into memory in query execution")
        }
    }

    func release(_ n: Int) { samplesHeld -= n }

    // MARK: dispatch

    func eval(_ expr: Expr, _ r: StepRange) throws(QueryError) -> EvalValue {
        try deadline.check()
        switch expr {
        case .number(let n):
            return .scalar([Double](repeating: n.value, count: r.count))
        case .string(let s):
            return .string(s.value)
        case .paren(let p):
            return try eval(p.expr, r)
        case .vectorSelector(let vs):
            return .vector(try evalVectorSelector(vs, r))
        case .matrixSelector, .subquery:
            // The type checker only lets range vectors reach function arguments
            // (handled there) and the top level of an instant query (handled by
            // `QueryEngine`).
            throw QueryError(.execution, "unexpected range vector in expression evaluation")
        case .unary(let u):
            return try evalUnary(u, r)
        case .binary(let b):
            return try evalBinary(b, r)
        case .aggregate(let a):
            return .vector(try evalAggregate(a, r))
        case .call(let c):
            return try evalCall(c, r)
        }
    }

    func evalScalar(_ expr: Expr, _ r: StepRange) throws(QueryError) -> [Double] {
        guard case .scalar(let v) = try eval(expr, r) else {
            throw QueryError(.execution, "expected scalar operand")
        }
        return v
    }

    func evalVector(_ expr: Expr, _ r: StepRange) throws(QueryError) -> [StepSeries] {
        guard case .vector(let v) = try eval(expr, r) else {
            throw QueryError(.execution, "expected instant vector operand")
        }
        return v
    }

    func evalString(_ expr: Expr) throws(QueryError) -> String {
        switch expr {
        case .string(let s): return s.value
        case .paren(let p): return try evalString(p.expr)
        default: throw QueryError(.execution, "expected string literal")
        }
    }

    // MARK: unary

    func evalUnary(_ u: UnaryExpr, _ r: StepRange) throws(QueryError) -> EvalValue {
        let v = try eval(u.expr, r)
        guard u.op == .minus else { return v }
        switch v {
        case .scalar(var s):
            for k in s.indices { s[k] = -s[k] }
            return .scalar(s)
        case .vector(var series):
            let mayCollide = LabelOps.namesDiffer(series)
            for i in series.indices {
                series[i].labels = series[i].labels.removing(metricNameLabel)
                series[i].values.withUnsafeMutableBufferPointer { p in
                    for k in p.indices where StepValue.isPresent(p[k]) { p[k] = -p[k] }
                }
            }
            // Prometheus 2.42 checks the whole matrix here, not step by step.
            if mayCollide { try LabelOps.mergeSameLabels(&series, perStep: false) }
            return .vector(series)
        case .string:
            throw QueryError(.execution, "unary minus on a string")
        }
    }

    // MARK: @ and offset

    /// The instants a selector (or subquery) with `at`/`offset` reads when its
    /// enclosing evaluation runs at the times of `r`.
    ///
    /// `moving`: Prometheus 2.42 turns `@ T` into an offset relative to the
    /// evaluation's start (`setOffsetForAtModifier`), and evaluates a
    /// range-vector function that is not step-invariant (`predict_linear`, or
    /// one with an argument that varies by step) step by step with that
    /// offset, so its window ends at `T − offset + (t − start)`: it moves with
    /// the steps instead of staying at `T`. Strata reproduces that.
    func referenceTimes(at: AtModifier?, offset: Int64, _ r: StepRange, moving: Bool = false) -> StepRange {
        let step = moving ? r.step : 0
        switch at {
        case nil:
            return StepRange(start: r.start &- offset, step: r.step, count: r.count)
        case .timestamp(let t):
            return StepRange(start: t &- offset, step: step, count: r.count)
        case .start:
            return StepRange(start: queryStart &- offset, step: step, count: r.count)
        case .end:
            return StepRange(start: queryEnd &- offset, step: step, count: r.count)
        }
    }
}
