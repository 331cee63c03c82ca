/// Lexes and parses a template into `TemplateNode`s (see `AlertTemplate`).
struct TemplateParser {
    enum Token: Equatable {
        case identifier(String)
        case variable(String, [String])
        case field([String])
        case string(String)
        case number(TemplateValue)
        case pipe, open, close, declare, assign, comma
    }

    /// An action between delimiters, with the line it starts on (for errors).
    private enum Item {
        case text(String)
        case action([Token], line: Int)
    }

    let text: String
    let name: String
    private var items: [Item] = []
    private var index = 0

    init(text: String, name: String) {
        self.text = text
        self.name = name
    }

    private func error(_ line: Int, _ message: String) -> TemplateError {
        TemplateError("template: \(name):\(line): \(message)")
    }

    mutating func parseAll() throws(TemplateError) -> [TemplateNode] {
        items = try split()
        index = 0
        let (nodes, terminator) = try parseList()
        if let terminator {
            throw error(terminator.line, "unexpected {{\(terminator.keyword)}}")
        }
        return nodes
    }

    // MARK: splitting into text and actions

    private func split() throws(TemplateError) -> [Item] {
        let b = Array(text.utf8)
        var out: [Item] = []
        var i = 0
        var line = 1
        var pendingText: [UInt8] = []
        func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        while i < b.count {
            if b[i] == UInt8(ascii: "{"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "{") {
                var j = i + 2
                // `{{- ` trims the text before the action.
                if j + 1 < b.count, b[j] == UInt8(ascii: "-"), isSpace(b[j + 1]) {
                    while let last = pendingText.last, isSpace(last) { pendingText.removeLast() }
                    j += 2
                }
                if !pendingText.isEmpty {
                    out.append(.text(String(decoding: pendingText, as: UTF8.self)))
                    pendingText = []
                }
                let startLine = line
                // Find the closing `}}` outside string literals.
                var k = j
                var quote: UInt8? = nil
                var closeAt = -1
                while k < b.count {
                    let c = b[k]
                    if c == 0x0A { line += 1 }
                    if let q = quote {
                        if c == UInt8(ascii: "\\"), q != UInt8(ascii: "`") { k += 2; continue }
                        if c == q { quote = nil }
                    } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "`") || c == UInt8(ascii: "'") {
                        quote = c
                    } else if c == UInt8(ascii: "}"), k + 1 < b.count, b[k + 1] == UInt8(ascii: "}") {
                        closeAt = k
                        break
                    }
                    k += 1
                }
                guard closeAt >= 0 else { throw error(startLine, "unclosed action") }
                var inner = Array(b[j..<closeAt])
                var trimRight = false
                if inner.count >= 2, inner[inner.count - 1] == UInt8(ascii: "-"), isSpace(inner[inner.count - 2]) {
                    trimRight = true
                    inner.removeLast(2)
                }
                i = closeAt + 2
                if trimRight {
                    while i < b.count, isSpace(b[i]) {
                        if b[i] == 0x0A { line += 1 }
                        i += 1
                    }
                }
                // Comments: `{{/* … */}}`.
                let trimmed = inner.drop { isSpace($0) }
                if trimmed.starts(with: Array("/*".utf8)) {
                    let t = Array(trimmed.reversed().drop { isSpace($0) }.reversed())
                    guard t.count >= 4, t.suffix(2) == [UInt8(ascii: "*"), UInt8(ascii: "/")] else {
                        throw error(startLine, "unclosed comment")
                    }
                    continue
                }
                out.append(.action(try lex(inner, line: startLine), line: startLine))
                continue
            }
            if b[i] == 0x0A { line += 1 }
            pendingText.append(b[i])
            i += 1
        }
        if !pendingText.isEmpty { out.append(.text(String(decoding: pendingText, as: UTF8.self))) }
        return out
    }

    // MARK: lexing an action

    private func lex(_ b: [UInt8], line: Int) throws(TemplateError) -> [Token] {
        var out: [Token] = []
        var i = 0
        func isIdent(_ c: UInt8) -> Bool {
            (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == UInt8(ascii: "_") || c >= 0x80
        }
        func chain(_ start: Int) -> ([String], Int) {
            var fields: [String] = []
            var k = start
            while k < b.count, b[k] == UInt8(ascii: "."), k + 1 < b.count, isIdent(b[k + 1]) {
                var e = k + 1
                while e < b.count, isIdent(b[e]) { e += 1 }
                fields.append(String(decoding: b[(k + 1)..<e], as: UTF8.self))
                k = e
            }
            return (fields, k)
        }
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D:
                i += 1
            case UInt8(ascii: "|"): out.append(.pipe); i += 1
            case UInt8(ascii: "("): out.append(.open); i += 1
            case UInt8(ascii: ")"):
                out.append(.close)
                i += 1
                let (fields, k) = chain(i)
                if !fields.isEmpty { out.append(.field(fields)); i = k }
            case UInt8(ascii: ","): out.append(.comma); i += 1
            case UInt8(ascii: ":"):
                guard i + 1 < b.count, b[i + 1] == UInt8(ascii: "=") else { throw error(line, "expected :=") }
                out.append(.declare)
                i += 2
            case UInt8(ascii: "="): out.append(.assign); i += 1
            case UInt8(ascii: "$"):
                var e = i + 1
                while e < b.count, isIdent(b[e]) { e += 1 }
                let name = String(decoding: b[i..<e], as: UTF8.self)
                let (fields, k) = chain(e)
                out.append(.variable(name, fields))
                i = k
            case UInt8(ascii: "."):
                if i + 1 < b.count, isIdent(b[i + 1]), !(b[i + 1] >= 0x30 && b[i + 1] <= 0x39) {
                    let (fields, k) = chain(i)
                    out.append(.field(fields))
                    i = k
                } else if i + 1 < b.count, b[i + 1] >= 0x30, b[i + 1] <= 0x39 {
                    let (tok, k) = try number(b, i, line)
                    out.append(tok)
                    i = k
                } else {
                    out.append(.field([]))
                    i += 1
                }
            case UInt8(ascii: "\""):
                var s: [UInt8] = []
                var k = i + 1
                var closed = false
                while k < b.count {
                    let d = b[k]
                    if d == UInt8(ascii: "\"") { closed = true; k += 1; break }
                    if d == UInt8(ascii: "\\"), k + 1 < b.count {
                        let e = b[k + 1]
                        switch e {
                        case UInt8(ascii: "n"): s.append(0x0A)
                        case UInt8(ascii: "t"): s.append(0x09)
                        case UInt8(ascii: "r"): s.append(0x0D)
                        case UInt8(ascii: "\\"), UInt8(ascii: "\""), UInt8(ascii: "'"): s.append(e)
                        default: throw error(line, "invalid syntax in string escape \\\(Character(Unicode.Scalar(e)))")
                        }
                        k += 2
                        continue
                    }
                    s.append(d)
                    k += 1
                }
                guard closed else { throw error(line, "unterminated quoted string") }
                out.append(.string(String(decoding: s, as: UTF8.self)))
                i = k
            case UInt8(ascii: "`"):
                guard let end = b[(i + 1)...].firstIndex(of: UInt8(ascii: "`")) else {
                    throw error(line, "unterminated raw quoted string")
                }
                out.append(.string(String(decoding: b[(i + 1)..<end], as: UTF8.self)))
                i = end + 1
            case UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (tok, k) = try number(b, i, line)
                out.append(tok)
                i = k
            default:
                guard isIdent(c) else {
                    throw error(line, "unexpected \(GoNumberFormat.quote(String(decoding: [c], as: UTF8.self))) in command")
                }
                var e = i
                while e < b.count, isIdent(b[e]) { e += 1 }
                out.append(.identifier(String(decoding: b[i..<e], as: UTF8.self)))
                i = e
            }
        }
        return out
    }

    private func number(_ b: [UInt8], _ start: Int, _ line: Int) throws(TemplateError) -> (Token, Int) {
        var e = start
        if e < b.count, b[e] == UInt8(ascii: "-") || b[e] == UInt8(ascii: "+") { e += 1 }
        while e < b.count, b[e] != 0x20, b[e] != 0x09, b[e] != 0x0A, b[e] != UInt8(ascii: ")"), b[e] != UInt8(ascii: "|") { e += 1 }
        let s = String(decoding: b[start..<e], as: UTF8.self)
        if let i = Int(s) { return (.number(.int(i)), e) }
        if s.hasPrefix("0x") || s.hasPrefix("0X"), let i = Int(s.dropFirst(2), radix: 16) { return (.number(.int(i)), e) }
        if let d = Double(s), d.isFinite { return (.number(.float(d)), e) }
        throw error(line, "bad number syntax: \(GoNumberFormat.quote(s))")
    }

    // MARK: parsing

    private struct Terminator {
        var keyword: String
        var line: Int
        /// For `else if …`: the condition.
        var elseIf: TemplatePipeline?
    }

    /// Parses nodes until `{{end}}` or `{{else}}` (returned) or the end of input (nil).
    private mutating func parseList() throws(TemplateError) -> ([TemplateNode], Terminator?) {
        var nodes: [TemplateNode] = []
        while index < items.count {
            let item = items[index]
            index += 1
            switch item {
            case .text(let s):
                nodes.append(.text(s))
            case .action(let tokens, let line):
                guard let first = tokens.first else { throw error(line, "missing value for command") }
                if case .identifier(let kw) = first {
                    switch kw {
                    case "end":
                        guard tokens.count == 1 else { throw error(line, "unexpected tokens after end") }
                        return (nodes, Terminator(keyword: "end", line: line))
                    case "else":
                        if tokens.count == 1 { return (nodes, Terminator(keyword: "else", line: line)) }
                        guard case .identifier(let k2) = tokens[1], k2 == "if" || k2 == "with" else {
                            throw error(line, "unexpected tokens after else")
                        }
                        var sub = TokenCursor(tokens: Array(tokens.dropFirst(2)), line: line, name: name)
                        let p = try sub.pipeline(allowDeclarations: true)
                        return (nodes, Terminator(keyword: "else " + k2, line: line, elseIf: p))
                    case "if", "with":
                        var sub = TokenCursor(tokens: Array(tokens.dropFirst()), line: line, name: name)
                        let cond = try sub.pipeline(allowDeclarations: true)
                        nodes.append(try parseConditional(isWith: kw == "with", first: cond, line: line))
                        continue
                    case "range":
                        var sub = TokenCursor(tokens: Array(tokens.dropFirst()), line: line, name: name)
                        let p = try sub.pipeline(allowDeclarations: true)
                        let (body, term) = try parseList()
                        guard let term else { throw error(line, "unexpected EOF") }
                        var otherwise: [TemplateNode] = []
                        if term.keyword == "else" {
                            let (o, t2) = try parseList()
                            guard t2?.keyword == "end" else { throw error(line, "expected end; found \(t2?.keyword ?? "EOF")") }
                            otherwise = o
                        } else if term.keyword != "end" {
                            throw error(term.line, "unexpected {{\(term.keyword)}} in range")
                        }
                        nodes.append(.range(p, body: body, otherwise: otherwise))
                        continue
                    case "define", "template", "block", "break", "continue":
                        throw error(line, "{{\(kw)}} is not supported in alert templates")
                    default:
                        break
                    }
                }
                var cursor = TokenCursor(tokens: tokens, line: line, name: name)
                nodes.append(.action(try cursor.pipeline(allowDeclarations: true)))
            }
        }
        return (nodes, nil)
    }

    private mutating func parseConditional(isWith: Bool, first: TemplatePipeline, line: Int) throws(TemplateError) -> TemplateNode {
        var branches: [(TemplatePipeline, [TemplateNode])] = []
        var cond = first
        while true {
            let (body, term) = try parseList()
            guard let term else { throw error(line, "unexpected EOF") }
            branches.append((cond, body))
            switch term.keyword {
            case "end":
                return .conditional(isWith: isWith, branches: branches, otherwise: [])
            case "else":
                let (otherwise, t2) = try parseList()
                guard t2?.keyword == "end" else { throw error(term.line, "expected end; found \(t2?.keyword ?? "EOF")") }
                return .conditional(isWith: isWith, branches: branches, otherwise: otherwise)
            default:
                // `else if` / `else with`: chain (a `with` chain keeps its kind).
                guard let c = term.elseIf else { throw error(term.line, "unexpected \(term.keyword)") }
                cond = c
            }
        }
    }
}

/// Parses the tokens of one action into a pipeline.
private struct TokenCursor {
    let tokens: [TemplateParser.Token]
    let line: Int
    let name: String
    var i = 0

    init(tokens: [TemplateParser.Token], line: Int, name: String) {
        self.tokens = tokens
        self.line = line
        self.name = name
    }

    func error(_ m: String) -> TemplateError { TemplateError("template: \(name):\(line): \(m)") }

    mutating func pipeline(allowDeclarations: Bool, nested: Bool = false) throws(TemplateError) -> TemplatePipeline {
        var p = TemplatePipeline()
        // Declarations: `$x :=`, `$k, $v :=`, `$x =`.
        if allowDeclarations, case .variable(let v, let f)? = tokens[safe: i], f.isEmpty {
            var j = i + 1
            var names = [v]
            if tokens[safe: j] == .comma, case .variable(let v2, let f2)? = tokens[safe: j + 1], f2.isEmpty {
                names.append(v2)
                j += 2
            }
            if tokens[safe: j] == .declare || tokens[safe: j] == .assign {
                p.declarations = names
                p.isAssignment = tokens[safe: j] == .assign
                i = j + 1
            }
        }
        var command: [TemplateOperand] = []
        while i < tokens.count {
            let t = tokens[i]
            switch t {
            case .pipe:
                guard !command.isEmpty else { throw error("missing command before |") }
                p.commands.append(command)
                command = []
                i += 1
            case .close:
                guard nested else { throw error("unexpected right paren") }
                if !command.isEmpty { p.commands.append(command) }
                guard !p.commands.isEmpty else { throw error("missing value for parenthesized pipeline") }
                return p
            case .open:
                i += 1
                let inner = try pipeline(allowDeclarations: false, nested: true)
                guard tokens[safe: i] == .close else { throw error("unclosed left paren") }
                i += 1
                var fields: [String] = []
                if case .field(let f)? = tokens[safe: i] { fields = f; i += 1 }
                command.append(.pipeline(inner, fields))
            case .identifier(let id):
                switch id {
                case "true": command.append(.literal(.bool(true)))
                case "false": command.append(.literal(.bool(false)))
                case "nil": command.append(.literal(.null))
                default:
                    guard TemplateFunctions.isDefined(id) else { throw error("function \(GoNumberFormat.quote(id)) not defined") }
                    command.append(.function(id))
                }
                i += 1
            case .variable(let v, let f): command.append(.variable(v, f)); i += 1
            case .field(let f): command.append(.dot(f)); i += 1
            case .string(let s): command.append(.literal(.string(s))); i += 1
            case .number(let n): command.append(.literal(n)); i += 1
            case .declare, .assign, .comma:
                throw error("unexpected \(t) in command")
            }
        }
        guard !nested else { throw error("unclosed left paren") }
        if !command.isEmpty { p.commands.append(command) }
        guard !p.commands.isEmpty else { throw error("missing value for command") }
        return p
    }
}

extension Array {
    fileprivate subscript(safe i: Int) -> Element? { i >= 0 && i < count ? self[i] : nil }
}
