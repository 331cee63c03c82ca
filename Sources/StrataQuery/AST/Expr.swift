/// A PromQL expression.
///
/// Value types throughout: an `Expr` can be shared across tasks and used as a
/// cache key. Equality compares structure and values, not source positions,
/// so `parse(print(parse(q))) == parse(q)` holds.
public indirect enum Expr: Sendable, Equatable, CustomStringConvertible {
    /// The deepest expression tree the parser accepts (counting every node:
    /// parentheses, calls, operands of binary chains). Walks over an `Expr`
    /// (type checking, printing, evaluation) recurse once per level, so this
    /// bounds their stack use; debug builds need several KB per level. Real
    /// queries nest a few levels; Prometheus itself has no limit.
    public static let maxNestingDepth = 256

    case number(NumberLiteral)
    case string(StringLiteral)
    case vectorSelector(VectorSelector)
    case matrixSelector(MatrixSelector)
    case subquery(SubqueryExpr)
    case call(FunctionCall)
    case aggregate(AggregateExpr)
    case binary(BinaryExpr)
    case unary(UnaryExpr)
    case paren(ParenExpr)

    /// Where the expression is in the query text.
    public var position: PositionRange {
        switch self {
        case .number(let n): return n.position
        case .string(let s): return s.position
        case .vectorSelector(let v): return v.position
        case .matrixSelector(let m): return m.position
        case .subquery(let s): return s.position
        case .call(let c): return c.position
        case .aggregate(let a): return a.position
        case .binary(let b): return b.position
        case .unary(let u): return u.position
        case .paren(let p): return p.position
        }
    }

    /// The static type, as Prometheus' `Expr.Type()`.
    public var type: ValueType {
        switch self {
        case .number: return .scalar
        case .string: return .string
        case .vectorSelector: return .vector
        case .matrixSelector: return .matrix
        case .subquery: return .matrix
        case .call(let c): return c.function.returnType
        case .aggregate: return .vector
        case .binary(let b): return b.lhs.type == .scalar && b.rhs.type == .scalar ? .scalar : .vector
        case .unary(let u): return u.expr.type
        case .paren(let p): return p.expr.type
        }
    }

    /// Direct children, in source order.
    public var children: [Expr] {
        switch self {
        case .number, .string, .vectorSelector: return []
        case .matrixSelector(let m): return [.vectorSelector(m.selector)]
        case .subquery(let s): return [s.expr]
        case .call(let c): return c.args
        case .aggregate(let a): return a.param.map { [$0, a.expr] } ?? [a.expr]
        case .binary(let b): return [b.lhs, b.rhs]
        case .unary(let u): return [u.expr]
        case .paren(let p): return [p.expr]
        }
    }
}

/// A float literal: `1`, `0x1f`, `1e-3`, `Inf`, `NaN`. A leading `-`/`+` is
/// folded into the literal, as Prometheus does.
public struct NumberLiteral: Sendable, Equatable {
    public var value: Double
    public var position: PositionRange

    public init(_ value: Double, position: PositionRange = PositionRange(start: 0, end: 0)) {
        self.value = value
        self.position = position
    }

    /// Same bits, or both NaN: literals compare by what they denote.
    public static func == (a: NumberLiteral, b: NumberLiteral) -> Bool {
        a.value.bitPattern == b.value.bitPattern || (a.value.isNaN && b.value.isNaN)
    }
}

/// A string literal, unquoted.
public struct StringLiteral: Sendable, Equatable {
    public var value: String
    public var position: PositionRange

    public init(_ value: String, position: PositionRange = PositionRange(start: 0, end: 0)) {
        self.value = value
        self.position = position
    }

    public static func == (a: StringLiteral, b: StringLiteral) -> Bool { a.value == b.value }
}

/// An instant vector selector: `name{matchers} @ t offset d`.
///
/// As in Prometheus, a metric name written before the braces is also
/// present as the last matcher (`__name__="name"`), so `matchers` alone
/// describes the selection.
public struct VectorSelector: Sendable, Equatable {
    /// The metric name written before the braces, if any.
    public var name: String?
    public var matchers: [Matcher]
    /// `offset`, in milliseconds; negative for `offset -5m`; 0 when absent.
    public var offset: Int64
    public var at: AtModifier?
    public var position: PositionRange

    public init(name: String?, matchers: [Matcher], offset: Int64 = 0, at: AtModifier? = nil,
                position: PositionRange = PositionRange(start: 0, end: 0)) {
        self.name = name
        self.matchers = matchers
        self.offset = offset
        self.at = at
        self.position = position
    }

    /// Matchers compare as a set: their order does not change what is selected,
    /// and the printed form sorts them.
    public static func == (a: VectorSelector, b: VectorSelector) -> Bool {
        a.name == b.name && a.offset == b.offset && a.at == b.at
            && (a.matchers == b.matchers || a.sortedMatchers == b.sortedMatchers)
    }

    var sortedMatchers: [Matcher] {
        matchers.sorted { x, y in
            if x.name != y.name { return x.name.utf8.lexicographicallyPrecedes(y.name.utf8) }
            if x.type != y.type { return x.type.description < y.type.description }
            return x.value.utf8.lexicographicallyPrecedes(y.value.utf8)
        }
    }
}

/// A range vector selector: `selector[range]`. Its `offset` and `@` are
/// those of `selector`, as in Prometheus.
public struct MatrixSelector: Sendable, Equatable {
    public var selector: VectorSelector
    /// The range, in milliseconds (> 0).
    public var range: Int64
    public var position: PositionRange

    public init(selector: VectorSelector, range: Int64, position: PositionRange = PositionRange(start: 0, end: 0)) {
        self.selector = selector
        self.range = range
        self.position = position
    }

    public static func == (a: MatrixSelector, b: MatrixSelector) -> Bool {
        a.selector == b.selector && a.range == b.range
    }
}

/// A subquery: `expr[range:step] @ t offset d`.
public struct SubqueryExpr: Sendable, Equatable {
    public var expr: Expr
    /// The range, in milliseconds (> 0).
    public var range: Int64
    /// The step in milliseconds; `nil` when omitted (`[5m:]`), meaning the
    /// global evaluation interval.
    public var step: Int64?
    /// `offset`, in milliseconds; 0 when absent.
    public var offset: Int64
    public var at: AtModifier?
    public var position: PositionRange

    public init(expr: Expr, range: Int64, step: Int64? = nil, offset: Int64 = 0, at: AtModifier? = nil,
                position: PositionRange = PositionRange(start: 0, end: 0)) {
        self.expr = expr
        self.range = range
        self.step = step
        self.offset = offset
        self.at = at
        self.position = position
    }

    public static func == (a: SubqueryExpr, b: SubqueryExpr) -> Bool {
        a.expr == b.expr && a.range == b.range && a.step == b.step && a.offset == b.offset && a.at == b.at
    }
}

/// A function call: `rate(foo[5m])`.
public struct FunctionCall: Sendable, Equatable {
    public var function: PromQLFunction
    public var args: [Expr]
    public var position: PositionRange

    public init(function: PromQLFunction, args: [Expr], position: PositionRange = PositionRange(start: 0, end: 0)) {
        self.function = function
        self.args = args
        self.position = position
    }

    public static func == (a: FunctionCall, b: FunctionCall) -> Bool {
        a.function == b.function && a.args == b.args
    }
}

/// An aggregation: `sum by (job) (x)`, `topk(5, x)`.
public struct AggregateExpr: Sendable, Equatable {
    public var op: AggregateOperator
    public var expr: Expr
    /// The parameter of `topk`, `bottomk`, `quantile` and `count_values`.
    public var param: Expr?
    /// The labels of `by (...)` or `without (...)`, in source order.
    public var grouping: [String]
    /// `true` for `without (...)`.
    public var without: Bool
    public var position: PositionRange

    public init(op: AggregateOperator, expr: Expr, param: Expr? = nil, grouping: [String] = [],
                without: Bool = false, position: PositionRange = PositionRange(start: 0, end: 0)) {
        self.op = op
        self.expr = expr
        self.param = param
        self.grouping = grouping
        self.without = without
        self.position = position
    }

    public static func == (a: AggregateExpr, b: AggregateExpr) -> Bool {
        a.op == b.op && a.expr == b.expr && a.param == b.param && a.grouping == b.grouping && a.without == b.without
    }
}

/// A binary operation: `a + on(job) group_left b`, `x > bool 1`.
public struct BinaryExpr: Sendable, Equatable {
    public var op: BinaryOperator
    public var lhs: Expr
    public var rhs: Expr
    /// `bool` after a comparison operator.
    public var returnBool: Bool
    /// Vector matching; `nil` when either side is a scalar (after type checking,
    /// as Prometheus' checkAST does). Set operators always match many-to-many.
    public var matching: VectorMatching?
    public var position: PositionRange

    public init(op: BinaryOperator, lhs: Expr, rhs: Expr, returnBool: Bool = false,
                matching: VectorMatching? = nil, position: PositionRange = PositionRange(start: 0, end: 0)) {
        self.op = op
        self.lhs = lhs
        self.rhs = rhs
        self.returnBool = returnBool
        self.matching = matching
        self.position = position
    }

    public static func == (a: BinaryExpr, b: BinaryExpr) -> Bool {
        a.op == b.op && a.lhs == b.lhs && a.rhs == b.rhs && a.returnBool == b.returnBool && a.matching == b.matching
    }
}

/// A unary `-x` or `+x` (on a non-literal; literals fold the sign in).
public struct UnaryExpr: Sendable, Equatable {
    public var op: UnaryOperator
    public var expr: Expr
    public var position: PositionRange

    public init(op: UnaryOperator, expr: Expr, position: PositionRange = PositionRange(start: 0, end: 0)) {
        self.op = op
        self.expr = expr
        self.position = position
    }

    public static func == (a: UnaryExpr, b: UnaryExpr) -> Bool { a.op == b.op && a.expr == b.expr }
}

/// Parentheses, kept so that printing reproduces the grouping.
public struct ParenExpr: Sendable, Equatable {
    public var expr: Expr
    public var position: PositionRange

    public init(expr: Expr, position: PositionRange = PositionRange(start: 0, end: 0)) {
        self.expr = expr
        self.position = position
    }

    public static func == (a: ParenExpr, b: ParenExpr) -> Bool { a.expr == b.expr }
}
