/// Splits PromQL text into tokens, reproducing Prometheus 2.42's lexer
/// (promql/parser/lex.go) state for state, because its error messages and
/// a few of its quirks are part of the observable behaviour:
///
/// - after `[` a duration is expected (`foo[5]` is "missing unit character
///   in duration"); inside brackets a `:` or any letter is a colon token, so
///   `foo[5m x]` means `foo[5m:]`, as in Prometheus;
/// - inside braces keywords are plain identifiers (`{by="x"}`), and only
///   matcher punctuation is allowed;
/// - an unbalanced `)` or an unclosed `(`/`[`/`{` is a lexer error.
///
/// The lexer stops at the first error: it returns an `.error` token whose
/// `payload` is the message, and `.eof` afterwards.
struct Lexer {
    let input: [UInt8]
    private(set) var pos = 0
    private var start = 0
    private var parenDepth = 0
    private var braceOpen = false
    private var bracketOpen = false
    private var gotColon = false
    /// Set after `[`: the next token is read by `lexDuration`.
    private var expectDuration = false
    private var failed = false

    init(_ text: String) {
        input = Array(text.utf8)
    }

    /// All tokens up to and including `.eof` or the first `.error`, without comments.
    static func tokenize(_ text: String) -> [Token] {
        var lexer = Lexer(text)
        var tokens: [Token] = []
        while true {
            let t = lexer.next()
            if t.kind == .comment { continue }
            tokens.append(t)
            if t.kind == .eof || t.kind == .error { return tokens }
        }
    }

    mutating func next() -> Token {
        if failed { return Token(kind: .eof, start: input.count, end: input.count) }
        let t: Token
        if braceOpen {
            t = lexInsideBraces()
        } else if expectDuration {
            expectDuration = false
            start = pos
            t = lexDuration()
        } else {
            t = lexStatements()
        }
        if t.kind == .error { failed = true }
        return t
    }

    // MARK: - Character helpers

    private func peekByte(_ offset: Int = 0) -> UInt8? {
        pos + offset < input.count ? input[pos + offset] : nil
    }

    /// Decodes the scalar at `i` (input is valid UTF-8: it came from a `String`).
    private func scalar(at i: Int) -> (Unicode.Scalar, Int)? {
        guard i < input.count else { return nil }
        let b0 = input[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        let len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : 2
        guard i + len <= input.count else { return (Unicode.Scalar(0xFFFD)!, 1) }
        var v = UInt32(b0) & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07)
        for k in 1..<len { v = v << 6 | UInt32(input[i + k] & 0x3F) }
        return (Unicode.Scalar(v) ?? Unicode.Scalar(0xFFFD)!, len)
    }

    /// Go's `l.next()`: the next rune, or nil at the end.
    private mutating func nextScalar() -> Unicode.Scalar? {
        guard let (r, w) = scalar(at: pos) else { return nil }
        pos += w
        return r
    }

    private mutating func accept(_ set: (UInt8) -> Bool) -> Bool {
        if let b = peekByte(), set(b) { pos += 1; return true }
        return false
    }

    private mutating func acceptRun(_ set: (UInt8) -> Bool) {
        while let b = peekByte(), set(b) { pos += 1 }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isHexDigit(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20 >= 0x61 && b | 0x20 <= 0x66) }
    static func isAlpha(_ b: UInt8) -> Bool { b == 0x5F || (b | 0x20 >= 0x61 && b | 0x20 <= 0x7A) }
    static func isAlphaNumeric(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }
    private func isAlphaNumericNext() -> Bool { peekByte().map(Lexer.isAlphaNumeric) ?? false }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: input[from..<to], as: UTF8.self)
    }

    private mutating func emit(_ kind: TokenKind, payload: String = "") -> Token {
        let t = Token(kind: kind, start: start, end: pos, payload: payload)
        start = pos
        return t
    }

    /// Go's `l.errorf`: the error is reported at the start of the current item.
    private func error(_ message: String) -> Token {
        Token(kind: .error, start: start, end: input.count, payload: message)
    }

    // MARK: - States

    private mutating func lexStatements() -> Token {
        while true {
            if braceOpen { return lexInsideBraces() }
            start = pos
            if peekByte() == UInt8(ascii: "#") { return lexLineComment() }
            guard let r = nextScalar() else {
                if parenDepth != 0 { return error("unclosed left parenthesis") }
                if bracketOpen { return error("unclosed left bracket") }
                return Token(kind: .eof, start: pos, end: pos)
            }
            switch r {
            case ",": return emit(.comma)
            case " ", "\t", "\n", "\r":
                acceptRun(Lexer.isSpace)
                continue
            case "*": return emit(.mul)
            case "/": return emit(.div)
            case "%": return emit(.mod)
            case "+": return emit(.add)
            case "-": return emit(.sub)
            case "^": return emit(.pow)
            case "=":
                if peekByte() == UInt8(ascii: "=") { pos += 1; return emit(.eqlc) }
                if peekByte() == UInt8(ascii: "~") { return error("unexpected character after '=': '~'") }
                return emit(.assign)
            case "!":
                let t = nextScalar()
                if t != "=" { return error("unexpected character after '!': \(GoFormat.quoteRune(t))") }
                return emit(.neq)
            case "<":
                if peekByte() == UInt8(ascii: "=") { pos += 1; return emit(.lte) }
                return emit(.lss)
            case ">":
                if peekByte() == UInt8(ascii: "=") { pos += 1; return emit(.gte) }
                return emit(.gtr)
            case "\"", "'":
                return lexString(quote: UInt8(r.value))
            case "`":
                return lexRawString()
            case "(":
                parenDepth += 1
                return emit(.leftParen)
            case ")":
                let t = emit(.rightParen)
                parenDepth -= 1
                // Prometheus emits the `)` and then overwrites it with this
                // error, so the error sits just after the parenthesis.
                if parenDepth < 0 { return error("unexpected right parenthesis ')'") }
                return t
            case "{":
                braceOpen = true
                return emit(.leftBrace)
            case "[":
                if bracketOpen { return error("unexpected left bracket '['") }
                gotColon = false
                let t = emit(.leftBracket)
                acceptRun(Lexer.isSpace)
                start = pos
                bracketOpen = true
                expectDuration = true
                return t
            case "]":
                if !bracketOpen { return error("unexpected right bracket ']'") }
                bracketOpen = false
                return emit(.rightBracket)
            case "@":
                return emit(.at)
            default:
                if r.isASCII, Lexer.isDigit(UInt8(r.value)) || (r == "." && peekByte().map(Lexer.isDigit) == true) {
                    pos = start
                    return lexNumberOrDuration()
                }
                if r.isASCII, Lexer.isAlpha(UInt8(r.value)) || r == ":" {
                    if !bracketOpen {
                        pos = start
                        return lexKeywordOrIdentifier()
                    }
                    if gotColon { return error("unexpected colon \(GoFormat.quoteRune(r))") }
                    gotColon = true
                    return emit(.colon)
                }
                return error("unexpected character: \(GoFormat.quoteRune(r))")
            }
        }
    }

    private mutating func lexInsideBraces() -> Token {
        while true {
            start = pos
            if peekByte() == UInt8(ascii: "#") { return lexLineComment() }
            guard let r = nextScalar() else { return error("unexpected end of input inside braces") }
            switch r {
            case " ", "\t", "\n", "\r":
                acceptRun(Lexer.isSpace)
                continue
            case ",": return emit(.comma)
            case "\"", "'": return lexString(quote: UInt8(r.value))
            case "`": return lexRawString()
            case "=":
                if peekByte() == UInt8(ascii: "~") { pos += 1; return emit(.eqlRegex) }
                return emit(.assign)
            case "!":
                let nr = nextScalar()
                if nr == "~" { return emit(.neqRegex) }
                if nr == "=" { return emit(.neq) }
                return error("unexpected character after '!' inside braces: \(GoFormat.quoteRune(nr))")
            case "{": return error("unexpected left brace '{'")
            case "}":
                braceOpen = false
                return emit(.rightBrace)
            default:
                if r.isASCII, Lexer.isAlpha(UInt8(r.value)) {
                    acceptRun(Lexer.isAlphaNumeric)
                    return emit(.identifier)
                }
                return error("unexpected character inside braces: \(GoFormat.quoteRune(r))")
            }
        }
    }

    private mutating func lexLineComment() -> Token {
        pos += 1
        while let b = peekByte(), b != 0x0A, b != 0x0D { pos += 1 }
        return emit(.comment)
    }

    private mutating func lexKeywordOrIdentifier() -> Token {
        acceptRun { Lexer.isAlphaNumeric($0) || $0 == UInt8(ascii: ":") }
        let word = input[start..<pos]
        // Keywords are ASCII; lower-case bytewise.
        let lower = String(decoding: word.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        if let kind = TokenKind.keywords[lower] { return emit(kind) }
        return emit(word.contains(UInt8(ascii: ":")) ? .metricIdentifier : .identifier)
    }

    // MARK: - Numbers and durations

    /// Go's `scanNumber`: `[0x]digits[.digits][e[+-]digits]`, not followed by
    /// a letter, digit or underscore. The text is validated by the parser.
    private mutating func scanNumber() -> Bool {
        var digits: (UInt8) -> Bool = Lexer.isDigit
        if accept({ $0 == UInt8(ascii: "0") }) && accept({ $0 == UInt8(ascii: "x") || $0 == UInt8(ascii: "X") }) {
            digits = Lexer.isHexDigit
        }
        acceptRun(digits)
        if accept({ $0 == UInt8(ascii: ".") }) { acceptRun(digits) }
        if accept({ $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            _ = accept { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }
            acceptRun(Lexer.isDigit)
        }
        return !isAlphaNumericNext()
    }

    /// Go's `acceptRemainingDuration`: a unit, then more `digits unit` pairs,
    /// not followed by an alphanumeric. Unit order is checked by the parser.
    private mutating func acceptRemainingDuration() -> Bool {
        func isUnit(_ b: UInt8) -> Bool { "smhdwy".utf8.contains(b) }
        func isLaterUnit(_ b: UInt8) -> Bool { "smhdw".utf8.contains(b) }
        guard accept(isUnit) else { return false }
        _ = accept { $0 == UInt8(ascii: "s") }
        while accept(Lexer.isDigit) {
            acceptRun(Lexer.isDigit)
            guard accept(isLaterUnit) else { return false }
            _ = accept { $0 == UInt8(ascii: "s") }
        }
        // Go calls next() here and backs up on success; on failure the
        // offending character is part of the error text.
        if isAlphaNumericNext() { pos += 1; return false }
        return true
    }

    private mutating func lexNumberOrDuration() -> Token {
        if scanNumber() { return emit(.number) }
        if acceptRemainingDuration() { return emit(.duration) }
        return error("bad number or duration syntax: \(GoFormat.quote(text(start, pos)))")
    }

    /// The state right after `[` (and any spaces).
    private mutating func lexDuration() -> Token {
        if scanNumber() { return error("missing unit character in duration") }
        if !acceptRemainingDuration() { return error("bad duration syntax: \(GoFormat.quote(text(start, pos)))") }
        return emit(.duration)
    }

    // MARK: - Strings

    /// A `"` or `'` string with Go escapes; the token's payload is the unquoted
    /// value (Prometheus' `strutil.Unquote`). `\x` and octal escapes are bytes;
    /// byte sequences that are not UTF-8 become U+FFFD.
    private mutating func lexString(quote: UInt8) -> Token {
        var value: [UInt8] = []
        while true {
            guard let (r, w) = scalar(at: pos) else { return error("unterminated quoted string") }
            if r == "\n" { pos += w; return error("unterminated quoted string") }
            if r == "\u{FFFD}" { pos += w; return error("invalid UTF-8 rune") }
            if r.value == UInt32(quote) { pos += w; break }
            if r == "\\" {
                pos += w
                if let e = lexEscape(quote: quote, into: &value) { return e }
                continue
            }
            value.append(contentsOf: input[pos..<(pos + w)])
            pos += w
        }
        return emit(.string, payload: String(decoding: value, as: UTF8.self))
    }

    /// Go's `lexEscape`; appends the escaped value. Returns an error token or nil.
    private mutating func lexEscape(quote: UInt8, into value: inout [UInt8]) -> Token? {
        let ch = nextScalar()
        var n: Int
        var base: UInt32
        var maxValue: UInt32
        var digit = ch
        switch ch {
        case "a": value.append(0x07); return nil
        case "b": value.append(0x08); return nil
        case "f": value.append(0x0C); return nil
        case "n": value.append(0x0A); return nil
        case "r": value.append(0x0D); return nil
        case "t": value.append(0x09); return nil
        case "v": value.append(0x0B); return nil
        case "\\": value.append(0x5C); return nil
        case let c? where c.value == UInt32(quote): value.append(quote); return nil
        case "0", "1", "2", "3", "4", "5", "6", "7": (n, base, maxValue) = (3, 8, 255)
        case "x": digit = nextScalar(); (n, base, maxValue) = (2, 16, 255)
        case "u": digit = nextScalar(); (n, base, maxValue) = (4, 16, 0x10FFFF)
        case "U": digit = nextScalar(); (n, base, maxValue) = (8, 16, 0x10FFFF)
        case nil: return error("escape sequence not terminated")
        default: return error("unknown escape sequence \(GoFormat.unicodeNotation(ch))")
        }
        var x: UInt32 = 0
        while n > 0 {
            guard let d = digit else { return error("escape sequence not terminated") }
            let dv = Lexer.digitValue(d)
            if dv >= base { return error("illegal character \(GoFormat.unicodeNotation(d)) in escape sequence") }
            x = x &* base &+ dv
            n -= 1
            if n > 0 { digit = nextScalar() }
        }
        if x > maxValue || (0xD800..<0xE000).contains(x) {
            return error("escape sequence is an invalid Unicode code point")
        }
        if maxValue == 255 {
            value.append(UInt8(x))
        } else {
            value.append(contentsOf: String(Unicode.Scalar(x)!).utf8)
        }
        return nil
    }

    /// Go's `digitVal`: 16 for anything that is not a hex digit.
    private static func digitValue(_ r: Unicode.Scalar) -> UInt32 {
        switch r.value {
        case 0x30...0x39: return r.value - 0x30
        case 0x61...0x66: return r.value - 0x61 + 10
        case 0x41...0x46: return r.value - 0x41 + 10
        default: return 16
        }
    }

    private mutating func lexRawString() -> Token {
        let contentStart = pos
        while true {
            guard let (r, w) = scalar(at: pos) else { return error("unterminated raw string") }
            pos += w
            if r == "\u{FFFD}" { return error("invalid UTF-8 rune") }
            if r == "`" { break }
        }
        return emit(.string, payload: text(contentStart, pos - 1))
    }
}
