/// Which expressions Prometheus 2.42 treats as step-invariant
/// (`promql/engine.go`, `preprocessExprHelper`): their value is the same at
/// every step because every selector in them has `@`, so a range query
/// evaluates them once at its start.
///
/// It matters where the rule is not the same thing as "has the same value at
/// every step": a range-vector function that is *not* step-invariant sees
/// its `@` argument's window move with the steps (see
/// `Evaluator.referenceTimes(at:offset:_:moving:)`).
enum StepInvariance {
    /// Functions whose result depends on the evaluation time or on sample
    /// timestamps even when their arguments do not (`AtModifierUnsafeFunctions`).
    static let unsafeFunctions: Set<String> = [
        "days_in_month", "day_of_month", "day_of_week", "day_of_year",
        "hour", "minute", "month", "year", "predict_linear", "time", "timestamp",
    ]

    static func isStepInvariant(_ e: Expr) -> Bool {
        switch e {
        case .number, .string:
            return true
        case .paren(let p):
            return isStepInvariant(p.expr)
        case .unary(let u):
            return isStepInvariant(u.expr)
        case .vectorSelector(let vs):
            return vs.at != nil
        case .matrixSelector(let ms):
            return ms.selector.at != nil
        case .subquery(let sq):
            return sq.at != nil
        case .binary(let b):
            // Both sides are visited (and wrapped) by Prometheus; the node is
            // invariant only if both are.
            let l = isStepInvariant(b.lhs), r = isStepInvariant(b.rhs)
            return l && r
        case .aggregate(let a):
            // 2.42 looks at the aggregated expression only, not the parameter.
            return isStepInvariant(a.expr)
        case .call(let c):
            var invariant = !unsafeFunctions.contains(c.function.name)
            for arg in c.args where !isStepInvariant(arg) { invariant = false }
            return invariant
        }
    }
}
