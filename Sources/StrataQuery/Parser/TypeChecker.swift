/// Static checks of a parsed expression, in the order of Prometheus'
/// `checkAST` (promql/parser/parse.go), which decides which error a query
/// with several problems reports. Also normalises as checkAST does: set
/// operators match many-to-many, and vector matching is dropped when an
/// operand is a scalar.
struct TypeChecker {
    let query: String
    let input: [UInt8]

    func error(_ message: String, _ position: PositionRange) -> PromQLParseError {
        PromQLParseError(message: message, position: position, query: query)
    }

    func check(_ expr: Expr) throws(PromQLParseError) -> Expr {
        switch expr {
        case .number, .string:
            return expr

        case .vectorSelector(let vs):
            try checkSelector(vs)
            return expr

        case .matrixSelector(let ms):
            try checkSelector(ms.selector)
            return expr

        case .subquery(var sq):
            sq.expr = try check(sq.expr)
            let t = sq.expr.type
            if t != .vector {
                throw error("subquery is only allowed on instant vector, got \(t.rawValue) instead", sq.position)
            }
            return .subquery(sq)

        case .paren(var p):
            p.expr = try check(p.expr)
            return .paren(p)

        case .unary(var u):
            u.expr = try check(u.expr)
            let t = u.expr.type
            if t != .scalar && t != .vector {
                throw error("unary expression only allowed on expressions of type scalar or instant vector, got \(GoFormat.quote(t.documentedName))",
                            u.position)
            }
            return .unary(u)

        case .aggregate(var a):
            a.expr = try expectType(a.expr, .vector, context: "aggregation expression")
            switch a.op {
            case .topk, .bottomk, .quantile:
                if let p = a.param { a.param = try expectType(p, .scalar, context: "aggregation parameter") }
            case .countValues:
                if let p = a.param { a.param = try expectType(p, .string, context: "aggregation parameter") }
            default:
                break
            }
            return .aggregate(a)

        case .call(var c):
            let fn = c.function
            let n = c.args.count
            let quoted = GoFormat.quote(fn.name)
            if fn.variadic == 0 {
                if fn.argTypes.count != n {
                    throw error("expected \(fn.argTypes.count) argument(s) in call to \(quoted), got \(n)", c.position)
                }
            } else {
                let required = fn.argTypes.count - 1
                if required > n {
                    throw error("expected at least \(required) argument(s) in call to \(quoted), got \(n)", c.position)
                } else if fn.variadic > 0, required + fn.variadic < n {
                    throw error("expected at most \(required + fn.variadic) argument(s) in call to \(quoted), got \(n)", c.position)
                }
            }
            for i in c.args.indices {
                var typeIndex = i
                if i >= fn.argTypes.count {
                    if fn.variadic == 0 { break }
                    typeIndex = fn.argTypes.count - 1
                }
                c.args[i] = try expectType(c.args[i], fn.argTypes[typeIndex], context: "call to function \(quoted)")
            }
            return .call(c)

        case .binary(var b):
            b.lhs = try check(b.lhs)
            b.rhs = try check(b.rhs)
            let lt = b.lhs.type
            let rt = b.rhs.type
            if b.returnBool && !b.op.isComparison {
                throw error("bool modifier can only be used on comparison operators", operatorRange(b))
            }
            if b.op.isComparison && !b.returnBool && lt == .scalar && rt == .scalar {
                throw error("comparisons between scalars must use BOOL modifier", operatorRange(b))
            }
            var vm = b.matching ?? VectorMatching()
            if b.op.isSetOperator && vm.card == .oneToOne { vm.card = .manyToMany }
            if vm.on {
                for l1 in vm.matchingLabels where vm.include.contains(l1) {
                    throw error("label \(GoFormat.quote(l1)) must not occur in ON and GROUP clause at once", operatorRange(b))
                }
            }
            if lt != .scalar && lt != .vector {
                throw error("binary expression must contain only scalar and instant vector types", b.lhs.position)
            }
            if rt != .scalar && rt != .vector {
                throw error("binary expression must contain only scalar and instant vector types", b.rhs.position)
            }
            if lt != .vector || rt != .vector {
                if !vm.matchingLabels.isEmpty {
                    throw error("vector matching only allowed between instant vectors", b.position)
                }
                b.matching = nil
            } else {
                if b.op.isSetOperator {
                    if vm.card == .oneToMany || vm.card == .manyToOne {
                        throw error("no grouping allowed for \(GoFormat.quote(b.op.rawValue)) operation", b.position)
                    }
                    if vm.card != .manyToMany {
                        throw error("set operations must always be many-to-many", b.position)
                    }
                }
                b.matching = vm
            }
            if (lt == .scalar || rt == .scalar) && b.op.isSetOperator {
                throw error("set operator \(GoFormat.quote(b.op.rawValue)) not allowed in binary scalar expression", b.position)
            }
            return .binary(b)
        }
    }

    private func expectType(_ expr: Expr, _ want: ValueType, context: String) throws(PromQLParseError) -> Expr {
        let checked = try check(expr)
        let t = checked.type
        if t != want {
            throw error("expected type \(want.documentedName) in \(context), got \(t.documentedName)", expr.position)
        }
        return checked
    }

    private func checkSelector(_ vs: VectorSelector) throws(PromQLParseError) {
        if let name = vs.name {
            // The last matcher is the one made from `name`; another one on
            // `__name__` inside the braces names the metric twice.
            for m in vs.matchers.dropLast() where m.name == metricNameLabel {
                throw error("metric name must not be set twice: \(GoFormat.quote(name)) or \(GoFormat.quote(m.value))", vs.position)
            }
            return
        }
        // At least one matcher must not match the empty string, so that a typo
        // cannot select every series.
        let selective = vs.matchers.contains { !$0.matchesEmpty }
        if !selective { throw error("vector selector must contain at least one non-empty matcher", vs.position) }
    }

    /// Prometheus' `opRange`: from the first non-space after the left operand
    /// to the last non-space before the right one.
    private func operatorRange(_ b: BinaryExpr) -> PositionRange {
        var start = b.lhs.position.end
        while start < input.count, Lexer.isSpace(input[start]) { start += 1 }
        var end = b.rhs.position.start - 1
        while end > start, end < input.count, Lexer.isSpace(input[end]) { end -= 1 }
        return PositionRange(start: start, end: max(start, end))
    }
}
