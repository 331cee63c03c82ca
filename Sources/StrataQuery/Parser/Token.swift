/// The kinds of lexical items, as Prometheus' `ItemType`s (promql/parser/lex.go).
enum TokenKind: Sendable, Equatable {
    case eof
    case error
    case comment
    case identifier
    case metricIdentifier
    case number
    case string
    case duration

    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma
    case assign          // `=` (only meaningful inside braces)
    case colon           // `:` inside brackets

    // Operators.
    case add, sub, mul, div, mod, pow
    case eqlc            // `==`
    case neq             // `!=`
    case lss, lte, gtr, gte
    case eqlRegex        // `=~`
    case neqRegex        // `!~`
    case land, lor, lunless, atan2
    case at              // `@`

    // Aggregators.
    case aggregator(AggregateOperator)

    // Keywords.
    case bool, by, groupLeft, groupRight, ignoring, offset, on, without

    // `@` preprocessors.
    case start, end

    /// Keywords are case-insensitive (`OFFSET`, `By`, `Sum`), as in Prometheus.
    static let keywords: [String: TokenKind] = {
        var k: [String: TokenKind] = [
            "and": .land, "or": .lor, "unless": .lunless, "atan2": .atan2,
            "offset": .offset, "by": .by, "without": .without, "on": .on, "ignoring": .ignoring,
            "group_left": .groupLeft, "group_right": .groupRight, "bool": .bool,
            "start": .start, "end": .end,
            // Special numbers.
            "inf": .number, "nan": .number,
        ]
        for op in AggregateOperator.allCases { k[op.rawValue] = .aggregator(op) }
        return k
    }()

    var binaryOperator: BinaryOperator? {
        switch self {
        case .add: return .add
        case .sub: return .sub
        case .mul: return .mul
        case .div: return .div
        case .mod: return .mod
        case .pow: return .pow
        case .atan2: return .atan2
        case .eqlc: return .eql
        case .neq: return .neq
        case .gtr: return .gtr
        case .lss: return .lss
        case .gte: return .gte
        case .lte: return .lte
        case .land: return .and
        case .lor: return .or
        case .lunless: return .unless
        default: return nil
        }
    }

    /// `ItemType.IsOperator()`: printed as `<op:...>` in error messages.
    var isOperator: Bool {
        switch self {
        case .add, .sub, .mul, .div, .mod, .pow, .eqlc, .neq, .lss, .lte, .gtr, .gte,
             .eqlRegex, .neqRegex, .land, .lor, .lunless, .atan2, .at:
            return true
        default:
            return false
        }
    }

    /// `ItemType.IsKeyword()`: printed as `<...>` in error messages.
    var isKeyword: Bool {
        switch self {
        case .bool, .by, .groupLeft, .groupRight, .ignoring, .offset, .on, .without: return true
        default: return false
        }
    }

    /// Tokens that may name a metric (`metric_identifier` in the grammar):
    /// `sum`, `by`, `offset`, `start`, ... are valid metric names.
    var isMetricIdentifier: Bool {
        switch self {
        case .identifier, .metricIdentifier, .aggregator, .by, .land, .lor, .lunless,
             .offset, .without, .start, .end:
            return true
        default:
            return false
        }
    }

    /// Tokens that may be a label name in `by (...)`, `on (...)` and friends
    /// (`maybe_label`): every keyword but the special numbers.
    var isMaybeLabel: Bool {
        switch self {
        case .identifier, .metricIdentifier, .aggregator, .bool, .by, .groupLeft, .groupRight,
             .ignoring, .land, .lor, .lunless, .offset, .on, .without, .start, .end, .atan2:
            return true
        default:
            return false
        }
    }

    /// Tokens that can begin an expression.
    var startsExpression: Bool {
        switch self {
        case .number, .string, .leftParen, .leftBrace, .add, .sub: return true
        default: return isMetricIdentifier
        }
    }
}

/// One lexical item: its kind and byte range; strings carry their unquoted
/// value and error tokens their message.
struct Token: Sendable {
    var kind: TokenKind
    var start: Int
    var end: Int
    /// Unquoted value of a `.string`, message of an `.error`.
    var payload: String = ""
}
