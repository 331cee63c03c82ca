/// A binary operator. `rawValue` is the spelling Prometheus prints.
public enum BinaryOperator: String, Sendable, Hashable, CaseIterable {
    case add = "+"
    case sub = "-"
    case mul = "*"
    case div = "/"
    case mod = "%"
    case pow = "^"
    case atan2
    case eql = "=="
    case neq = "!="
    case gtr = ">"
    case lss = "<"
    case gte = ">="
    case lte = "<="
    case and
    case or
    case unless

    /// `== != > < >= <=`: these filter unless `bool` is given.
    public var isComparison: Bool {
        switch self {
        case .eql, .neq, .gtr, .lss, .gte, .lte: return true
        default: return false
        }
    }

    /// `and or unless`: many-to-many, vectors only.
    public var isSetOperator: Bool {
        switch self {
        case .and, .or, .unless: return true
        default: return false
        }
    }

    /// Binding power, higher binds tighter. Prometheus' generated_parser.y lists,
    /// lowest first: `or`; `and unless`; comparisons; `+ -`; `* / % atan2`; `^`.
    /// Unary `+`/`-` bind like `*` (`unary_op expr %prec MUL`), so `-2^2` is `-(2^2)`.
    public var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .eql, .neq, .gtr, .lss, .gte, .lte: return 3
        case .add, .sub: return 4
        case .mul, .div, .mod, .atan2: return 5
        case .pow: return 6
        }
    }

    /// Only `^` is right-associative (`%right POW`).
    public var isRightAssociative: Bool { self == .pow }
}

/// A unary operator; only `+` and `-` exist.
public enum UnaryOperator: String, Sendable, Hashable {
    case plus = "+"
    case minus = "-"
}

/// An aggregation operator. `rawValue` is the keyword (printed in lower case).
public enum AggregateOperator: String, Sendable, Hashable, CaseIterable {
    case sum
    case avg
    case count
    case min
    case max
    case group
    case stddev
    case stdvar
    case topk
    case bottomk
    case countValues = "count_values"
    case quantile

    /// `topk`, `bottomk`, `quantile` and `count_values` take a leading parameter.
    public var takesParameter: Bool {
        switch self {
        case .topk, .bottomk, .quantile, .countValues: return true
        default: return false
        }
    }
}
