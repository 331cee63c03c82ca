/// Reads a Prometheus (Go RE2) regular expression, checks it against RE2's
/// syntax, and rewrites it into an equivalent pattern for Swift's `Regex`.
///
/// Why a scanner of our own: Swift's regex syntax is a superset of RE2 with
/// different meanings in places. Prometheus parses with Go's `regexp/syntax`
/// using the `Perl` flags plus `DotNL` (Prometheus 3: `.` matches `\n`), see
/// https://pkg.go.dev/regexp/syntax and the Prometheus 3.0 migration guide.
/// The scanner
///  - rejects what RE2 rejects and Swift would accept (lookaround, atomic
///    groups, backreferences, possessive quantifiers, unknown escapes,
///    flags other than `imsU`), so a query means the same on both systems;
///  - rewrites what Swift reads differently: `\d \s \w` and `[[:alpha:]]`
///    become explicit ASCII classes as in RE2, `\v` is the vertical-tab
///    character, `\pL` becomes `\p{L}`, `a{,3}` and a lone `{` are literals,
///    `[a-b-c]` and `[a&&b]` are plain character sets;
///  - every literal that came from an escape is written as `\x{…}`, so no
///    Swift-only escape meaning can leak in;
///  - records the top-level structure (literals, `.`, quantifiers, `|`) that
///    `RegexSyntax+FastPath.swift` uses to pick a fast path.
///
/// Offsets in errors are UTF-8 byte offsets into the pattern.
///
/// Differences from Go RE2 that remain (all rare in label matchers):
///  - Swift's `Regex` backtracks: no linear-time guarantee. Nested
///    quantifiers such as `(a*)*(b|x)` are exponential in the value length
///    (measured: 1.7 ms at 12 characters, 0.9 s at 20). The fast paths and
///    the literal prefilter avoid the engine for the common shapes only.
///  - `(?i)` folds case with Swift's Unicode mappings, RE2 with simple case
///    folding; `\p{Name}` accepts the names Swift knows.
///  - `\b`/`\B` use Swift's simple word boundary, which does not count
///    digits as word characters (RE2: `[0-9A-Za-z_]`); Swift has no
///    lookbehind to spell RE2's out.
///  - `\C` (any byte) is rejected; RE2's limit on the total program size is
///    not enforced (only the per-operator repeat limit of 1000).
struct RegexSyntax {
    /// One element of the top-level sequence (or of the single group that
    /// wraps the whole pattern).
    enum Item: Equatable {
        case literal(Unicode.Scalar)
        case dot
        /// `*`, `+`, `?`, `{n,m}`; `min`/`max` as in RE2 (`max == nil` is unbounded).
        case quantifier(min: Int, max: Int?)
        case bar
        /// `^`, `\A`: redundant at the start of a fully anchored match.
        case beginAnchor
        /// `$`, `\z`: redundant at the end of a fully anchored match.
        case endAnchor
        /// Anything else: classes, groups, `\b`, `\pL`, …
        case other
    }

    /// The pattern rewritten for Swift's `Regex` (same meaning as the RE2 input).
    var translated: String
    /// The items of the outermost level that is not a single wrapping group.
    var items: [Item]
    /// An inline flag group such as `(?i)` occurred; fast paths must not be used.
    var hasFlags: Bool

    /// RE2's limit on counted repetition (`{n,m}` with n, m ≤ 1000).
    static let maxRepeat = 1000

    static func parse(_ pattern: String) throws(MatcherError) -> RegexSyntax {
        var s = Scanner(pattern)
        try s.run()
        let items: [Item]
        if s.topItems.count == 1, s.topItems[0] == .other, s.wholeGroup {
            items = s.groupItems
        } else {
            items = s.topItems
        }
        return RegexSyntax(translated: String(s.out), items: items, hasFlags: s.hasFlags)
    }
}

extension RegexSyntax {
    fileprivate struct Scanner {
        let pattern: String
        let cs: [Unicode.Scalar]
        /// UTF-8 offset of each scalar, plus the total length at the end.
        let offsets: [Int]
        var i = 0
        var out = String.UnicodeScalarView()
        var depth = 0
        var topItems: [Item] = []
        var groupItems: [Item] = []
        /// The last top-level group spans the whole pattern.
        var wholeGroup = false
        var hasFlags = false
        /// The previous token can take a repetition operator (RE2: not at the
        /// start, after `(`, `|`, `(?flags)` or another repetition).
        var canRepeat = false
        /// Kind of each open group, to emit `)` and know whether it was a flag-scoped group.
        var groupStarts: [Int] = []
        /// RE2's `s` flag where the scanner is, and its value outside each
        /// open group: without it `.` is any character but `\n`, while
        /// Swift's `.` also refuses `\r` and the other Unicode line breaks,
        /// so `.` is emitted as `[^\n]` (Go's regexp/syntax does the same).
        var dotAll = false
        var dotAllOutside: [Bool] = []

        init(_ pattern: String) {
            self.pattern = pattern
            cs = Array(pattern.unicodeScalars)
            var offs: [Int] = []
            offs.reserveCapacity(cs.count + 1)
            var o = 0
            for c in cs { offs.append(o); o += UTF8.width(c) }
            offs.append(o)
            offsets = offs
        }

        func error(_ reason: String, at index: Int) -> MatcherError {
            .invalidRegex(pattern: pattern, reason: reason, offset: offsets[min(index, offsets.count - 1)])
        }

        func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < cs.count ? cs[i + k] : nil }

        mutating func emit(_ s: String) { out.append(contentsOf: s.unicodeScalars) }

        mutating func emitLiteral(_ c: Unicode.Scalar) {
            emit("\\x{" + String(c.value, radix: 16) + "}")
        }

        mutating func record(_ item: Item) {
            switch item {
            case .bar, .quantifier: canRepeat = false
            default: canRepeat = true
            }
            if depth == 0 {
                topItems.append(item)
            } else if depth == 1 {
                groupItems.append(item)
            }
        }

        mutating func run() throws(MatcherError) {
            while i < cs.count {
                let c = cs[i]
                switch c {
                case "\\":
                    try escape()
                case "[":
                    try charClass()
                    record(.other)
                case "(":
                    try openGroup()
                case ")":
                    guard depth > 0 else { throw error("unexpected )", at: i) }
                    depth -= 1
                    let start = groupStarts.removeLast()
                    dotAll = dotAllOutside.removeLast()
                    emit(")")
                    i += 1
                    record(.other)
                    if depth == 0 { wholeGroup = start == 0 && i == cs.count }
                case "|":
                    emit("|")
                    record(.bar)
                    i += 1
                case ".":
                    emit(dotAll ? "." : "[^\\n]")
                    record(.dot)
                    i += 1
                case "^", "$":
                    emit(String(c))
                    record(c == "^" ? .beginAnchor : .endAnchor)
                    i += 1
                case "*", "+", "?":
                    let q: Item = c == "*" ? .quantifier(min: 0, max: nil)
                        : c == "+" ? .quantifier(min: 1, max: nil) : .quantifier(min: 0, max: 1)
                    let at = i
                    guard canRepeat else { throw error("missing argument to repetition operator", at: at) }
                    emit(String(c))
                    i += 1
                    try quantifierSuffix(start: at)
                    record(q)
                case "{":
                    if let (lo, hi, len) = try repeatCount(at: i) {
                        let at = i
                        guard canRepeat else { throw error("missing argument to repetition operator", at: at) }
                        emit(String(String.UnicodeScalarView(cs[i..<(i + len)])))
                        i += len
                        try quantifierSuffix(start: at)
                        record(.quantifier(min: lo, max: hi))
                    } else {
                        // RE2 reads a `{` that does not start a valid count as a literal.
                        emitLiteral(c)
                        record(.literal(c))
                        i += 1
                    }
                case "}", "]":
                    emitLiteral(c)
                    record(.literal(c))
                    i += 1
                default:
                    // Whitespace and `#` are literals: RE2 has no extended mode
                    // (and `(?x)` is rejected), so they mean themselves in both.
                    out.append(c)
                    record(.literal(c))
                    i += 1
                }
            }
            if depth > 0 { throw error("missing closing )", at: groupStarts.last ?? 0) }
        }

        /// After a quantifier: an optional lazy `?`, then RE2 forbids another
        /// repetition operator (`a**`, and Swift's possessive `a*+`).
        mutating func quantifierSuffix(start: Int) throws(MatcherError) {
            if peek() == "?" {
                emit("?")
                i += 1
            }
            if let n = peek(), n == "*" || n == "+" || n == "?" {
                throw error("invalid nested repetition operator", at: start)
            }
            if peek() == "{", (try repeatCount(at: i)) != nil {
                throw error("invalid nested repetition operator", at: start)
            }
        }

        /// Parses `{n}`, `{n,}`, `{n,m}` at `at`. Returns nil if the text is
        /// not a repetition (then `{` is a literal, as in RE2).
        func repeatCount(at: Int) throws(MatcherError) -> (Int, Int?, Int)? {
            var j = at + 1
            func number(_ j: inout Int) -> Int? {
                var v = 0, digits = 0
                while j < cs.count, ("0"..."9").contains(cs[j]) {
                    v = min(v * 10 + Int(cs[j].value - 0x30), 100_000)
                    digits += 1
                    j += 1
                }
                return digits > 0 ? v : nil
            }
            guard let lo = number(&j) else { return nil }
            var hi: Int? = lo
            if j < cs.count, cs[j] == "," {
                j += 1
                hi = number(&j)
                if hi == nil {
                    guard j < cs.count, cs[j] == "}" else { return nil }
                }
            }
            guard j < cs.count, cs[j] == "}" else { return nil }
            if lo > RegexSyntax.maxRepeat || (hi ?? 0) > RegexSyntax.maxRepeat || (hi.map { $0 < lo } ?? false) {
                throw error("invalid repeat count", at: at)
            }
            return (lo, hi, j + 1 - at)
        }

        mutating func openGroup() throws(MatcherError) {
            let start = i
            if peek(1) == "?" {
                // (?:re) (?P<name>re) (?<name>re) (?flags) (?flags:re)
                let k = i + 2
                guard k < cs.count else { throw error("missing closing )", at: start) }
                let c = cs[k]
                if c == ":" {
                    emit("(?:")
                    i = k + 1
                } else if c == "P" && k + 1 < cs.count && cs[k + 1] == "<" {
                    try namedGroup(nameStart: k + 2, groupStart: start)
                } else if c == "<" && k + 1 < cs.count && cs[k + 1] != "=" && cs[k + 1] != "!" {
                    try namedGroup(nameStart: k + 1, groupStart: start)
                } else {
                    // Flags: [imsU]* optionally followed by -[imsU]+, then ) or :
                    var j = k
                    var sawFlag = false, negated = false, sawNegFlag = false
                    var s: Bool? = nil
                    while j < cs.count {
                        let f = cs[j]
                        if f == "i" || f == "m" || f == "s" || f == "U" {
                            sawFlag = true
                            if negated { sawNegFlag = true }
                            if f == "s" { s = !negated }
                        } else if f == "-" && !negated {
                            negated = true
                        } else {
                            break
                        }
                        j += 1
                    }
                    guard j < cs.count, cs[j] == ")" || cs[j] == ":", sawFlag, !negated || sawNegFlag else {
                        throw error("invalid or unsupported Perl syntax", at: start)
                    }
                    hasFlags = true
                    emit(String(String.UnicodeScalarView(cs[i...j])))
                    if cs[j] == ")" {
                        // `(?i)` changes the rest of the enclosing group; it is not a group itself.
                        if let s { dotAll = s }
                        i = j + 1
                        record(.other)
                        canRepeat = false
                        return
                    }
                    i = j + 1
                    // `(?s:re)`: the flag holds inside the group only.
                    dotAllOutside.append(dotAll)
                    if let s { dotAll = s }
                    depth += 1
                    canRepeat = false
                    groupStarts.append(start)
                    if depth == 1 { groupItems.removeAll() }
                    return
                }
            } else {
                emit("(")
                i += 1
            }
            dotAllOutside.append(dotAll)
            depth += 1
            canRepeat = false
            groupStarts.append(start)
            if depth == 1 { groupItems.removeAll() }
        }

        mutating func namedGroup(nameStart: Int, groupStart: Int) throws(MatcherError) {
            var j = nameStart
            while j < cs.count, cs[j] != ">" {
                let c = cs[j]
                guard c.isASCII, c.properties.isAlphabetic || c == "_" || ("0"..."9").contains(c) else {
                    throw error("invalid named capture", at: groupStart)
                }
                j += 1
            }
            guard j < cs.count, j > nameStart else { throw error("invalid named capture", at: groupStart) }
            emit("(?<" + String(String.UnicodeScalarView(cs[nameStart..<j])) + ">")
            i = j + 1
        }

        /// `\…` outside a class.
        mutating func escape() throws(MatcherError) {
            let start = i
            guard let d = peek(1) else { throw error("trailing backslash at end of expression", at: start) }
            switch d {
            case "A":
                emit("\\A"); i += 2; record(.beginAnchor)
            case "z":
                emit("\\z"); i += 2; record(.endAnchor)
            case "b", "B":
                emit("\\" + String(d)); i += 2; record(.other)
            case "Q":
                // \Q…\E: everything up to the first `\E` (or the end) is literal.
                i += 2
                while i < cs.count {
                    if cs[i] == "\\", peek(1) == "E" { i += 2; break }
                    emitLiteral(cs[i]); record(.literal(cs[i])); i += 1
                }
            case "d", "D", "s", "S", "w", "W", "p", "P":
                let (cls, negated) = try classEscape()
                emit(negated ? "[^" + cls + "]" : "[" + cls + "]")
                record(.other)
            default:
                let c = try charEscape()
                emitLiteral(c)
                record(.literal(c))
            }
        }

        /// A character escape at `i` (`\n`, `\x41`, `\101`, `\.`): returns the character.
        mutating func charEscape() throws(MatcherError) -> Unicode.Scalar {
            let start = i
            guard let d = peek(1) else { throw error("trailing backslash at end of expression", at: start) }
            i += 2
            switch d {
            case "a": return "\u{07}"
            case "f": return "\u{0C}"
            case "t": return "\t"
            case "n": return "\n"
            case "r": return "\r"
            case "v": return "\u{0B}"
            case "0"..."7":
                // Octal: `\0` plus up to two more digits, or `\1`-`\7` followed by
                // another octal digit (a lone `\1` would be a backreference).
                func octal(_ c: Unicode.Scalar?) -> UInt32? {
                    guard let c, ("0"..."7").contains(c) else { return nil }
                    return c.value - 0x30
                }
                if d != "0" && octal(peek()) == nil {
                    throw error("invalid escape sequence (backreferences are not supported)", at: start)
                }
                var v = d.value - 0x30
                var n = 1
                while n < 3, let o = octal(peek()) {
                    v = v * 8 + o
                    i += 1
                    n += 1
                }
                return Unicode.Scalar(v)!
            case "8", "9":
                throw error("invalid escape sequence (backreferences are not supported)", at: start)
            case "x":
                var v: UInt32 = 0
                if peek() == "{" {
                    i += 1
                    var digits = 0
                    while let h = peek(), h != "}" {
                        guard let x = h.hexValue, digits < 8 else { throw error("invalid escape sequence", at: start) }
                        v = v * 16 + x
                        digits += 1
                        i += 1
                    }
                    guard peek() == "}", digits > 0 else { throw error("invalid escape sequence", at: start) }
                    i += 1
                } else {
                    guard let h1 = peek()?.hexValue, let h2 = peek(1)?.hexValue else {
                        throw error("invalid escape sequence", at: start)
                    }
                    v = h1 * 16 + h2
                    i += 2
                }
                guard let c = Unicode.Scalar(v) else { throw error("invalid escape sequence", at: start) }
                return c
            default:
                // RE2: a backslash before ASCII punctuation (any ASCII that is
                // not a letter or digit) makes it literal; anything else is an error.
                if d.isASCII && !(d.properties.isAlphabetic || ("0"..."9").contains(d)) { return d }
                if d == "C" { throw error("\\C (any byte) is not supported", at: start) }
                throw error("invalid escape sequence", at: start)
            }
        }

        /// `\d \D \s \S \w \W \pX \p{X} \PX \p{^X}` at `i`: the class body in
        /// Swift syntax and whether it is negated.
        mutating func classEscape() throws(MatcherError) -> (String, Bool) {
            let start = i
            let d = cs[i + 1]
            i += 2
            switch d {
            case "d": return (perlDigit, false)
            case "D": return (perlDigit, true)
            case "s": return (perlSpace, false)
            case "S": return (perlSpace, true)
            case "w": return (perlWord, false)
            case "W": return (perlWord, true)
            default:
                var negated = d == "P"
                var name: String
                if peek() == "{" {
                    var j = i + 1
                    while j < cs.count, cs[j] != "}" { j += 1 }
                    guard j < cs.count, j > i + 1 else { throw error("invalid character class range", at: start) }
                    name = String(String.UnicodeScalarView(cs[(i + 1)..<j]))
                    i = j + 1
                    if name.hasPrefix("^") {
                        negated.toggle()
                        name.removeFirst()
                    }
                } else {
                    guard let c = peek() else { throw error("invalid character class range", at: start) }
                    name = String(c)
                    i += 1
                }
                guard !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || $0 == "_") }) else {
                    throw error("invalid character class range", at: start)
                }
                // Nested `\p{…}` inside the class body keeps Swift's own name check.
                return ("\\p{" + name + "}", negated)
            }
        }

        /// `[...]` at `i`, RE2 rules: `]` first is literal, `-` is literal where
        /// it cannot form a range, `[:name:]` is an ASCII POSIX class, nothing nests.
        mutating func charClass() throws(MatcherError) {
            let start = i
            i += 1
            emit("[")
            if peek() == "^" {
                emit("^")
                i += 1
            }
            var first = true
            while true {
                guard let c = peek() else { throw error("missing closing ]", at: start) }
                if c == "]" && !first { break }
                first = false
                if c == "[", peek(1) == ":" {
                    // [:alpha:] / [:^alpha:]
                    var j = i + 2
                    while j + 1 < cs.count, !(cs[j] == ":" && cs[j + 1] == "]") { j += 1 }
                    guard j + 1 < cs.count else { throw error("missing closing ]", at: start) }
                    var name = String(String.UnicodeScalarView(cs[(i + 2)..<j]))
                    let negated = name.hasPrefix("^")
                    if negated { name.removeFirst() }
                    guard let body = RegexSyntax.posixClasses[name] else {
                        throw error("invalid character class range", at: i)
                    }
                    emit(negated ? "[^" + body + "]" : body)
                    i = j + 2
                    continue
                }
                if c == "\\", let d = peek(1), "dDsSwWpP".unicodeScalars.contains(d) {
                    let (body, negated) = try classEscape()
                    emit(negated ? "[^" + body + "]" : body)
                    continue
                }
                let loAt = i
                let lo = try classChar()
                if peek() == "-", let n = peek(1), n != "]" {
                    i += 1
                    if n == "\\", let d = peek(1), "dDsSwWpP".unicodeScalars.contains(d) {
                        throw error("invalid character class range", at: loAt)
                    }
                    let hi = try classChar()
                    guard lo.value <= hi.value else { throw error("invalid character class range", at: loAt) }
                    emitLiteral(lo)
                    emit("-")
                    emitLiteral(hi)
                } else {
                    emitLiteral(lo)
                }
            }
            emit("]")
            i += 1
        }

        /// One character inside a class: a plain scalar or a character escape.
        mutating func classChar() throws(MatcherError) -> Unicode.Scalar {
            let c = cs[i]
            if c == "\\" {
                if let d = peek(1), "AzbBQE".unicodeScalars.contains(d) {
                    throw error("invalid escape sequence", at: i)
                }
                return try charEscape()
            }
            i += 1
            return c
        }
    }

    // RE2's Perl classes are ASCII-only (https://github.com/google/re2/wiki/Syntax).
    static let perlDigit = "0-9"
    static let perlSpace = "\\t\\n\\f\\r "
    static let perlWord = "0-9A-Za-z_"

    /// RE2's POSIX classes, all ASCII.
    static let posixClasses: [String: String] = [
        "alnum": "0-9A-Za-z",
        "alpha": "A-Za-z",
        "ascii": "\\x{0}-\\x{7f}",
        "blank": "\\t ",
        "cntrl": "\\x{0}-\\x{1f}\\x{7f}",
        "digit": "0-9",
        "graph": "!-~",
        "lower": "a-z",
        "print": " -~",
        "punct": "!-/:-@\\[-`{-~",
        "space": "\\t\\n\\x{b}\\f\\r ",
        "upper": "A-Z",
        "word": "0-9A-Za-z_",
        "xdigit": "0-9A-Fa-f",
    ]
}

extension Unicode.Scalar {
    fileprivate var hexValue: UInt32? {
        switch self {
        case "0"..."9": return value - 0x30
        case "a"..."f": return value - 0x61 + 10
        case "A"..."F": return value - 0x41 + 10
        default: return nil
        }
    }
}
