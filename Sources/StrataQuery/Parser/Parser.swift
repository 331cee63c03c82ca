/// Parses a PromQL expression (Prometheus 2.42 dialect) into a type-checked AST.
///
/// Errors follow Prometheus: the first syntax error, or, when the query is
/// syntactically valid, the first type error in Prometheus' checking order.
/// `String(describing: error)` is Prometheus' text, e.g.
/// `1:6: parse error: unexpected "("`.
public func parsePromQL(_ text: String) throws(PromQLParseError) -> Expr {
    var parser = PromQLParser(text)
    return try parser.parse()
}

/// Parses a bare metric selector (`name`, `name{…}`, `{…}`: no modifiers,
/// no type checks), as Prometheus' `parser.ParseMetricSelector` does for the
/// `match[]` parameters of `/api/v1/series` and `/api/v1/labels`. The
/// matchers include the name as a trailing `__name__` matcher.
public func parsePromQLMetricSelector(_ text: String) throws(PromQLParseError) -> [Matcher] {
    var parser = PromQLParser(text)
    return try parser.parseMetricSelector()
}

/// A hand-written recursive-descent parser with precedence climbing for
/// binary operators. It accepts exactly the language of Prometheus' yacc
/// grammar (promql/parser/generated_parser.y) and reports the same errors
/// for the same inputs wherever that is practical; see docs/promql.md.
struct PromQLParser {
    static let maxDepth = Expr.maxNestingDepth

    let query: String
    let input: [UInt8]
    private var tokens: [Token]
    private var index = 0
    private var depth = 0

    init(_ query: String) {
        self.query = query
        self.input = Array(query.utf8)
        self.tokens = Lexer.tokenize(query)
    }

    /// An expression and the height of its tree.
    typealias Node = (expr: Expr, height: Int)

    mutating func parse() throws(PromQLParseError) -> Expr {
        if try peek().kind == .eof {
            throw error("no expression found in input", PositionRange(start: 0, end: 0))
        }
        let node = try parseExpression(minPrecedence: 0)
        let t = try peek()
        if t.kind != .eof { throw unexpected(t) }
        return try TypeChecker(query: query, input: input).check(node.expr)
    }

    mutating func parseMetricSelector() throws(PromQLParseError) -> [Matcher] {
        let t = try peek()
        let node: Node
        if t.kind == .leftBrace {
            node = try parseVectorSelector(nameToken: nil)
        } else if t.kind.isMetricIdentifier {
            node = try parseVectorSelector(nameToken: advance())
        } else {
            throw unexpected(t)
        }
        let after = try peek()
        if after.kind != .eof { throw unexpected(after) }
        guard case .vectorSelector(let vs) = node.expr else { return [] }
        return vs.matchers
    }

    // MARK: - Token access

    /// The next token; a lexer error surfaces here, when the parser reaches it.
    private func peek() throws(PromQLParseError) -> Token {
        let t = tokens[index]
        if t.kind == .error { throw error(t.payload, PositionRange(start: t.start, end: t.end)) }
        return t
    }

    /// The kind of the token after the next one, without surfacing errors.
    private func kindAfterNext() -> TokenKind {
        index + 1 < tokens.count ? tokens[index + 1].kind : .eof
    }

    @discardableResult
    private mutating func advance() -> Token {
        let t = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return t
    }

    func text(_ t: Token) -> String {
        String(decoding: input[t.start..<t.end], as: UTF8.self)
    }

    func error(_ message: String, _ position: PositionRange) -> PromQLParseError {
        PromQLParseError(message: message, position: position, query: query)
    }

    /// Prometheus' `unexpected(context, expected)`: "unexpected <item>[ in <context>][, expected <what>]".
    func unexpected(_ t: Token, _ context: String? = nil, _ expected: String? = nil) -> PromQLParseError {
        var message = "unexpected " + describe(t)
        if let context { message += " in " + context }
        if let expected { message += ", expected " + expected }
        return error(message, PositionRange(start: t.start, end: t.end))
    }

    /// Prometheus' `Item.desc()`.
    func describe(_ t: Token) -> String {
        let value = text(t)
        switch t.kind {
        case .eof: return "end of input"
        case .identifier: return "identifier " + GoFormat.quote(value)
        case .metricIdentifier: return "metric identifier " + GoFormat.quote(value)
        case .number: return "number " + itemString(value)
        case .string: return "string " + itemString(value)
        case .duration: return "duration " + itemString(value)
        case .aggregator: return "<aggr:" + value + ">"
        default:
            if t.kind.isKeyword { return "<" + value + ">" }
            if t.kind.isOperator { return "<op:" + value + ">" }
            return itemString(value)
        }
    }

    /// Go's `%q`, shortened as `%.10q...` for values over 10 bytes (`Item.String()`).
    private func itemString(_ value: String) -> String {
        if value.utf8.count > 10 {
            return GoFormat.quote(String(String.UnicodeScalarView(value.unicodeScalars.prefix(10)))) + "..."
        }
        return GoFormat.quote(value)
    }

    private mutating func enter() throws(PromQLParseError) {
        depth += 1
        if depth > PromQLParser.maxDepth {
            let t = tokens[index]
            throw error("expression nesting exceeds the maximum depth of \(PromQLParser.maxDepth)",
                        PositionRange(start: t.start, end: t.end))
        }
    }

    private func checkHeight(_ height: Int, at position: PositionRange) throws(PromQLParseError) {
        if height > PromQLParser.maxDepth {
            throw error("expression nesting exceeds the maximum depth of \(PromQLParser.maxDepth)", position)
        }
    }

    // MARK: - Expressions

    // The functions on the recursion path (parseExpression, parseUnary,
    // parsePrimary, parseParen, parseCall, parseAggregate, parseArguments)
    // keep their frames small by leaving node building and error messages to
    // helpers that are not inlined: debug builds reserve stack for every
    // temporary of a function, and nesting multiplies it.

    /// Precedence climbing over the binary operators (see `BinaryOperator.precedence`).
    private mutating func parseExpression(minPrecedence: Int) throws(PromQLParseError) -> Node {
        try enter()
        defer { depth -= 1 }
        var lhs = try parseUnary()
        while let op = try binaryOperator(atLeast: minPrecedence) {
            let modifiers = try parseBinaryModifiers()
            let rhs = try parseExpression(minPrecedence: op.isRightAssociative ? op.precedence : op.precedence + 1)
            lhs = try makeBinary(op, lhs, rhs, modifiers)
        }
        return lhs
    }

    /// Consumes and returns the next token's binary operator if it binds at least this tightly.
    private mutating func binaryOperator(atLeast minPrecedence: Int) throws(PromQLParseError) -> BinaryOperator? {
        guard let op = try peek().kind.binaryOperator, op.precedence >= minPrecedence else { return nil }
        advance()
        return op
    }

    @inline(never)
    private func makeBinary(_ op: BinaryOperator, _ lhs: Node, _ rhs: Node,
                            _ modifiers: (Bool, VectorMatching)) throws(PromQLParseError) -> Node {
        let position = PositionRange(start: lhs.expr.position.start, end: rhs.expr.position.end)
        let height = max(lhs.height, rhs.height) + 1
        try checkHeight(height, at: position)
        return (.binary(BinaryExpr(op: op, lhs: lhs.expr, rhs: rhs.expr, returnBool: modifiers.0,
                                   matching: modifiers.1, position: position)), height)
    }

    /// `[bool] [on|ignoring (labels) [group_left|group_right [(labels)]]]`.
    private mutating func parseBinaryModifiers() throws(PromQLParseError) -> (Bool, VectorMatching) {
        var matching = VectorMatching()
        var returnBool = false
        if try peek().kind == .bool {
            advance()
            returnBool = true
        }
        let t = try peek()
        guard t.kind == .on || t.kind == .ignoring else { return (returnBool, matching) }
        advance()
        matching.on = t.kind == .on
        matching.matchingLabels = try parseGroupingLabels()
        let g = try peek()
        if g.kind == .groupLeft || g.kind == .groupRight {
            advance()
            matching.card = g.kind == .groupLeft ? .manyToOne : .oneToMany
            // `maybe_grouping_labels`: a `(` right after group_x is its label list.
            if try peek().kind == .leftParen { matching.include = try parseGroupingLabels() }
        }
        return (returnBool, matching)
    }

    /// Unary `+`/`-` binds like `*`: its operand extends over `^` only, so
    /// `-2^2` is `-(2^2)` and `-a * b` is `(-a) * b`. A sign before a number
    /// literal is folded into it.
    private mutating func parseUnary() throws(PromQLParseError) -> Node {
        let t = try peek()
        guard t.kind == .add || t.kind == .sub else { return try parsePostfix(parsePrimary()) }
        advance()
        let operand = try parseExpression(minPrecedence: BinaryOperator.pow.precedence)
        return try makeUnary(t, operand)
    }

    @inline(never)
    private func makeUnary(_ t: Token, _ operand: Node) throws(PromQLParseError) -> Node {
        if case .number(var n) = operand.expr {
            if t.kind == .sub { n.value = -n.value }
            n.position.start = t.start
            return (.number(n), operand.height)
        }
        let op: UnaryOperator = t.kind == .sub ? .minus : .plus
        let position = PositionRange(start: t.start, end: operand.expr.position.end)
        try checkHeight(operand.height + 1, at: position)
        return (.unary(UnaryExpr(op: op, expr: operand.expr, position: position)), operand.height + 1)
    }

    private mutating func parsePrimary() throws(PromQLParseError) -> Node {
        let t = try peek()
        switch t.kind {
        case .number: return try parseNumberLiteral()
        case .string: return parseStringLiteral()
        case .leftParen: return try parseParen()
        case .leftBrace: return try parseVectorSelector(nameToken: nil)
        case .identifier where kindAfterNext() == .leftParen: return try parseCall()
        case .aggregator(let op) where aggregationFollows(): return try parseAggregate(op)
        default:
            if t.kind.isMetricIdentifier { return try parseVectorSelector(nameToken: advance()) }
            throw unexpected(t)
        }
    }

    /// An aggregator keyword starts an aggregation only before `(`, `by` or
    /// `without`; otherwise it is a metric name (`sum + 1`, `sum{a="b"}`).
    private func aggregationFollows() -> Bool {
        switch kindAfterNext() {
        case .leftParen, .by, .without: return true
        default: return false
        }
    }

    @inline(never)
    private mutating func parseNumberLiteral() throws(PromQLParseError) -> Node {
        let t = advance()
        let value = try numberValue(t)
        return (.number(NumberLiteral(value, position: PositionRange(start: t.start, end: t.end))), 1)
    }

    @inline(never)
    private mutating func parseStringLiteral() -> Node {
        let t = advance()
        return (.string(StringLiteral(t.payload, position: PositionRange(start: t.start, end: t.end))), 1)
    }

    private mutating func parseParen() throws(PromQLParseError) -> Node {
        let open = advance()
        let inner = try parseExpression(minPrecedence: 0)
        return try closeParen(open, inner)
    }

    @inline(never)
    private mutating func closeParen(_ open: Token, _ inner: Node) throws(PromQLParseError) -> Node {
        let close = try peek()
        guard close.kind == .rightParen else { throw unexpected(close) }
        advance()
        let position = PositionRange(start: open.start, end: close.end)
        try checkHeight(inner.height + 1, at: position)
        return (.paren(ParenExpr(expr: inner.expr, position: position)), inner.height + 1)
    }

    /// `[range]`, `[range:step]`, `offset d` and `@ t` after a primary.
    private mutating func parsePostfix(_ node: Node) throws(PromQLParseError) -> Node {
        var node = node
        while true {
            switch try peek().kind {
            case .leftBracket: node = try parseRangeOrSubquery(node)
            case .offset: node = try parseOffset(node)
            case .at: node = try parseAt(node)
            default: return node
            }
        }
    }

    // MARK: - Literals

    func numberValue(_ t: Token) throws(PromQLParseError) -> Double {
        switch GoNumber.parse(text(t)) {
        case .success(let v): return v
        case .failure(let e):
            throw error("error parsing number: " + e.message, PositionRange(start: t.start, end: t.end))
        }
    }

    /// A DURATION token in milliseconds; zero is refused, as Prometheus' `parseDuration`.
    func durationValue(_ t: Token) throws(PromQLParseError) -> Int64 {
        let position = PositionRange(start: t.start, end: t.end)
        let ms: Int64
        do {
            ms = try PromDuration.parse(text(t))
        } catch {
            throw self.error(error.description, position)
        }
        if ms == 0 { throw error("duration must be greater than 0", position) }
        return ms
    }

    // MARK: - Selectors

    /// `name`, `name{matchers}` or `{matchers}`; the name token (if any) is consumed.
    private mutating func parseVectorSelector(nameToken: Token?) throws(PromQLParseError) -> Node {
        let name = nameToken.map(text)
        var matchers: [Matcher] = []
        var start = nameToken?.start ?? 0
        var end = nameToken?.end ?? 0
        if try peek().kind == .leftBrace {
            let brace = advance()
            if nameToken == nil { start = brace.start }
            list: while true {
                let t = try peek()
                if t.kind == .rightBrace {
                    advance()
                    end = t.end
                    break list
                }
                guard t.kind == .identifier else { throw unexpected(t, "label matching", "identifier or \"}\"") }
                advance()
                let opToken = try peek()
                let type: MatchType
                switch opToken.kind {
                case .assign: type = .equal
                case .neq: type = .notEqual
                case .eqlRegex: type = .regexMatch
                case .neqRegex: type = .regexNoMatch
                default: throw unexpected(opToken, "label matching", "label matching operator")
                }
                advance()
                let value = try peek()
                guard value.kind == .string else { throw unexpected(value, "label matching", "string") }
                advance()
                switch RegexSupport.makeMatcher(type, text(t), value.payload) {
                case .success(let m): matchers.append(m)
                case .failure(let message): throw error(message.text, PositionRange(start: t.start, end: value.end))
                }
                let sep = try peek()
                switch sep.kind {
                case .comma:
                    advance()
                case .rightBrace:
                    advance()
                    end = sep.end
                    break list
                default:
                    throw unexpected(sep, "label matching", "\",\" or \"}\"")
                }
            }
        }
        if let name { matchers.append(RegexSupport.equalMatcher(metricNameLabel, name)) }
        let vs = VectorSelector(name: name, matchers: matchers, position: PositionRange(start: start, end: end))
        return (.vectorSelector(vs), 1)
    }

    /// `[d]` makes a range selector of a vector selector; `[d:]`/`[d:s]` a subquery of anything.
    private mutating func parseRangeOrSubquery(_ node: Node) throws(PromQLParseError) -> Node {
        let open = advance()
        let d = try peek()
        guard d.kind == .duration else { throw unexpected(d, "subquery selector", "duration") }
        advance()
        let range = try durationValue(d)
        let t = try peek()
        switch t.kind {
        case .rightBracket:
            advance()
            let bracketRange = PositionRange(start: open.start, end: t.end)
            guard case .vectorSelector(let vs) = node.expr else {
                throw error("ranges only allowed for vector selectors", bracketRange)
            }
            if vs.offset != 0 { throw error("no offset modifiers allowed before range", bracketRange) }
            if vs.at != nil { throw error("no @ modifiers allowed before range", bracketRange) }
            let ms = MatrixSelector(selector: vs, range: range, position: PositionRange(start: vs.position.start, end: t.end))
            return (.matrixSelector(ms), node.height + 1)
        case .colon:
            advance()
            var step: Int64?
            var close = try peek()
            if close.kind == .duration {
                advance()
                step = try durationValue(close)
                close = try peek()
                guard close.kind == .rightBracket else { throw unexpected(close, "subquery selector", "\"]\"") }
            } else if close.kind != .rightBracket {
                throw unexpected(close, "subquery selector", "duration or \"]\"")
            }
            advance()
            let position = PositionRange(start: node.expr.position.start, end: close.end)
            try checkHeight(node.height + 1, at: position)
            let sq = SubqueryExpr(expr: node.expr, range: range, step: step, position: position)
            return (.subquery(sq), node.height + 1)
        default:
            throw unexpected(t, "subquery or range", "\":\" or \"]\"")
        }
    }

    /// `offset [-]d`, allowed once on a selector or subquery (Prometheus' `addOffset`).
    private mutating func parseOffset(_ node: Node) throws(PromQLParseError) -> Node {
        advance()
        var t = try peek()
        var negative = false
        if t.kind == .sub {
            advance()
            negative = true
            t = try peek()
        }
        guard t.kind == .duration else { throw unexpected(t, "offset", "duration") }
        advance()
        let d = try durationValue(t)
        let offset = negative ? -d : d
        let twice = "offset may not be set multiple times"
        var expr = node.expr
        switch expr {
        case .vectorSelector(var vs):
            if vs.offset != 0 { throw error(twice, vs.position) }
            vs.offset = offset
            vs.position.end = t.end
            expr = .vectorSelector(vs)
        case .matrixSelector(var ms):
            if ms.selector.offset != 0 { throw error(twice, ms.position) }
            ms.selector.offset = offset
            ms.position.end = t.end
            expr = .matrixSelector(ms)
        case .subquery(var sq):
            if sq.offset != 0 { throw error(twice, sq.position) }
            sq.offset = offset
            sq.position.end = t.end
            expr = .subquery(sq)
        default:
            throw error("offset modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                        expr.position)
        }
        return (expr, node.height)
    }

    /// `@ <number>`, `@ start()`, `@ end()` (Prometheus' `setTimestamp` and
    /// `setAtModifierPreprocessor`).
    private mutating func parseAt(_ node: Node) throws(PromQLParseError) -> Node {
        advance()
        let t = try peek()
        var at: AtModifier
        var end: Int
        switch t.kind {
        case .number, .add, .sub:
            advance()
            var numberToken = t
            if t.kind != .number {
                numberToken = try peek()
                guard numberToken.kind == .number else { throw unexpected(numberToken, "@", "timestamp") }
                advance()
            }
            var seconds = try numberValue(numberToken)
            if t.kind == .sub { seconds = -seconds }
            if !seconds.isFinite || seconds >= Double(Int64.max) || seconds <= Double(Int64.min) {
                throw error("timestamp out of bounds for @ modifier: \(GoFormat.fixed(seconds, precision: 6))",
                            node.expr.position)
            }
            at = .timestamp(PromQLParser.millisecondsFromSeconds(seconds))
            end = numberToken.end
        case .start, .end:
            advance()
            guard try peek().kind == .leftParen else { throw unexpected(try peek(), "@", "timestamp") }
            advance()
            let close = try peek()
            guard close.kind == .rightParen else { throw unexpected(close, "@", "timestamp") }
            advance()
            at = t.kind == .start ? .start : .end
            end = close.end
        default:
            throw unexpected(t, "@", "timestamp")
        }
        let twice = "@ <timestamp> may not be set multiple times"
        var expr = node.expr
        switch expr {
        case .vectorSelector(var vs):
            if vs.at != nil { throw error(twice, vs.position) }
            vs.at = at
            vs.position.end = end
            expr = .vectorSelector(vs)
        case .matrixSelector(var ms):
            if ms.selector.at != nil { throw error(twice, ms.position) }
            ms.selector.at = at
            ms.position.end = end
            expr = .matrixSelector(ms)
        case .subquery(var sq):
            if sq.at != nil { throw error(twice, sq.position) }
            sq.at = at
            sq.position.end = end
            expr = .subquery(sq)
        default:
            throw error("@ modifier must be preceded by an instant vector selector or range vector selector or a subquery",
                        expr.position)
        }
        return (expr, node.height)
    }

    /// Prometheus' `timestamp.FromFloatSeconds`: `int64(math.Round(s * 1000))`.
    /// Out-of-range products become `Int64.min`, as Go's conversion does on amd64.
    static func millisecondsFromSeconds(_ seconds: Double) -> Int64 {
        let ms = (seconds * 1000).rounded(.toNearestOrAwayFromZero)
        guard ms >= -9.223372036854775808e18, ms < 9.223372036854775808e18 else { return .min }
        return Int64(ms)
    }

    // MARK: - Calls and aggregations

    /// `name(args)`. The name is checked after the arguments, as in Prometheus.
    private mutating func parseCall() throws(PromQLParseError) -> Node {
        let nameToken = advance()
        advance() // (
        let args = try parseArguments()
        return try makeCall(nameToken, args)
    }

    @inline(never)
    private func makeCall(_ nameToken: Token, _ args: Arguments) throws(PromQLParseError) -> Node {
        let name = text(nameToken)
        guard let function = PromQLFunction.named(name) else {
            throw error("unknown function with name \(GoFormat.quote(name))", PositionRange(start: nameToken.start, end: nameToken.end))
        }
        let position = PositionRange(start: nameToken.start, end: args.end)
        try checkHeight(args.height + 1, at: position)
        return (.call(FunctionCall(function: function, args: args.exprs, position: position)), args.height + 1)
    }

    /// Parsed call arguments: the expressions, their greatest height, and
    /// the end of the closing `)`.
    struct Arguments {
        var exprs: [Expr] = []
        var height = 0
        var end = 0
    }

    /// The arguments after `(`, through `)`.
    private mutating func parseArguments() throws(PromQLParseError) -> Arguments {
        var args = Arguments()
        if try closeArguments(&args) { return args }
        while true {
            let arg = try parseExpression(minPrecedence: 0)
            args.exprs.append(arg.expr)
            args.height = max(args.height, arg.height)
            if try argumentSeparator(&args) { return args }
        }
    }

    /// Consumes `)` if it is next.
    private mutating func closeArguments(_ args: inout Arguments) throws(PromQLParseError) -> Bool {
        let t = try peek()
        guard t.kind == .rightParen else { return false }
        advance()
        args.end = t.end
        return true
    }

    /// After an argument: `,` (false: another follows) or `)` (true: done).
    @inline(never)
    private mutating func argumentSeparator(_ args: inout Arguments) throws(PromQLParseError) -> Bool {
        let t = try peek()
        switch t.kind {
        case .comma:
            advance()
            if !(try peek().kind.startsExpression) {
                throw error("trailing commas not allowed in function call args", PositionRange(start: t.start, end: t.end))
            }
            return false
        case .rightParen:
            advance()
            args.end = t.end
            return true
        default:
            throw unexpected(t)
        }
    }

    /// The grouping of an aggregation: `by (...)` or `without (...)`.
    struct Grouping {
        var labels: [String] = []
        var without = false
        var present = false
    }

    /// `op [by|without (labels)] (args) [by|without (labels)]`.
    private mutating func parseAggregate(_ op: AggregateOperator) throws(PromQLParseError) -> Node {
        let opToken = advance()
        var grouping = try parseAggregateModifier(Grouping())
        try openAggregateBody()
        let args = try parseArguments()
        grouping = try parseAggregateModifier(grouping)
        return try makeAggregate(op, opToken, args, grouping)
    }

    /// `by (...)`/`without (...)` if next and none was given yet.
    @inline(never)
    private mutating func parseAggregateModifier(_ grouping: Grouping) throws(PromQLParseError) -> Grouping {
        let m = try peek()
        guard !grouping.present, m.kind == .by || m.kind == .without else { return grouping }
        advance()
        return Grouping(labels: try parseGroupingLabels(), without: m.kind == .without, present: true)
    }

    @inline(never)
    private mutating func openAggregateBody() throws(PromQLParseError) {
        let open = try peek()
        guard open.kind == .leftParen else { throw unexpected(open, "aggregation") }
        advance()
    }

    /// Prometheus' `newAggregateExpr`: argument count checks, then the node.
    @inline(never)
    private func makeAggregate(_ op: AggregateOperator, _ opToken: Token, _ args: Arguments,
                               _ grouping: Grouping) throws(PromQLParseError) -> Node {
        let end = max(args.end, tokens[index - 1].end)
        let position = PositionRange(start: opToken.start, end: end)
        if args.exprs.isEmpty { throw error("no arguments for aggregate expression provided", position) }
        let wanted = op.takesParameter ? 2 : 1
        if args.exprs.count != wanted {
            throw error("wrong number of arguments for aggregate expression provided, expected \(wanted), got \(args.exprs.count)", position)
        }
        try checkHeight(args.height + 1, at: position)
        let aggregate = AggregateExpr(op: op, expr: args.exprs[wanted - 1], param: op.takesParameter ? args.exprs[0] : nil,
                                      grouping: grouping.labels, without: grouping.without, position: position)
        return (.aggregate(aggregate), args.height + 1)
    }

    /// `(label, ...)` after `by`, `without`, `on`, `ignoring`, `group_left`, `group_right`.
    /// Keywords are accepted as label names; a trailing comma is allowed.
    private mutating func parseGroupingLabels() throws(PromQLParseError) -> [String] {
        let open = try peek()
        guard open.kind == .leftParen else { throw unexpected(open, "grouping opts", "\"(\"") }
        advance()
        var labels: [String] = []
        if try peek().kind == .rightParen {
            advance()
            return labels
        }
        while true {
            let t = try peek()
            guard t.kind.isMaybeLabel else { throw unexpected(t, "grouping opts", "label") }
            advance()
            let name = text(t)
            guard Labels.isValidLabelName(name) else { throw unexpected(t, "grouping opts", "label") }
            labels.append(name)
            let sep = try peek()
            switch sep.kind {
            case .comma:
                advance()
                if try peek().kind == .rightParen {
                    advance()
                    return labels
                }
            case .rightParen:
                advance()
                return labels
            default:
                throw unexpected(sep, "grouping opts", "\",\" or \")\"")
            }
        }
    }
}
