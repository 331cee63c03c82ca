/// A linear-time matcher for the regexes that would make Swift's
/// backtracking `Regex` take exponential time: nested repetition such as
/// `(a+)+b` or `(x|xx)*y` against a long label value (issue #7: hostile
/// input must not hold a query thread for ever). RE2, which Prometheus uses,
/// never backtracks; this gives the same guarantee for those patterns.
///
/// It compiles a subset of RE2's syntax to a Thompson NFA and simulates it
/// over the value's Unicode scalars, all states at once (Pike's VM without
/// captures): O(length × program size) whatever the input. The subset:
/// literals and escaped punctuation, `\t \n \r \f \v \a`, `.` (not `\n`, as
/// Prometheus 2.x compiles without `(?s)`), `\d \s \w` and their negations
/// (ASCII, as RE2's Perl classes), bracket classes with ranges, negation and
/// those escapes (a negated class matches `\n`, as RE2's `ClassNL`), groups
/// `( )`, `(?: )`, `(?P<name> )`, alternation, and the quantifiers `* + ?
/// {n} {n,} {n,m}` (lazy or not: a full match does not care). Anything else
/// (flags, anchors, `\b`, `\p`, POSIX classes, hex escapes) makes `compile`
/// return nil, and the caller keeps Swift's `Regex`.
///
/// The pattern has already been validated by `RegexSyntax.parse`.
package struct LinearRegex: Sendable {
    enum Inst: Sendable, Equatable {
        case scalar(UInt32)
        /// Any scalar but `\n`.
        case any
        /// Index into `classes`.
        case set(Int)
        case split(Int, Int)
        case jump(Int)
        case match
    }

    struct CharClass: Sendable, Equatable {
        var ranges: [ClosedRange<UInt32>]
        var negated: Bool

        func contains(_ c: UInt32) -> Bool {
            var hit = false
            for r in ranges where r.contains(c) { hit = true; break }
            return hit != negated
        }
    }

    let program: [Inst]
    let classes: [CharClass]

    /// Programs larger than this (counted repetition expands its body) stay
    /// with Swift's `Regex`.
    static let maxProgram = 20_000

    // MARK: parsing

    indirect enum Node: Equatable {
        case empty
        case scalar(UInt32)
        case any
        case set(CharClass)
        case concat([Node])
        case alternate([Node])
        case repeatNode(Node, min: Int, max: Int?)

        /// Whether this node repeats something that can match in more than
        /// one way: the shapes that make a backtracking engine exponential.
        var isRisky: Bool {
            switch self {
            case .empty, .scalar, .any, .set: return false
            case .concat(let xs): return xs.contains(where: \.isRisky)
            case .alternate(let xs): return xs.contains(where: \.isRisky)
            case .repeatNode(let body, _, let max):
                if max == nil || max! > 1, body.hasChoice { return true }
                return body.isRisky
            }
        }

        /// Contains a repetition or an alternation.
        var hasChoice: Bool {
            switch self {
            case .empty, .scalar, .any, .set: return false
            case .concat(let xs): return xs.contains(where: \.hasChoice)
            case .alternate: return true
            case .repeatNode(_, let min, let max): return max != min
            }
        }
    }

    struct Parser {
        let s: [Unicode.Scalar]
        var i = 0

        init(_ pattern: String) { s = Array(pattern.unicodeScalars) }

        mutating func parse() -> Node? {
            guard let n = parseAlternation(), i == s.count else { return nil }
            return n
        }

        mutating func parseAlternation() -> Node? {
            var branches: [Node] = []
            while true {
                guard let c = parseConcat() else { return nil }
                branches.append(c)
                if i < s.count, s[i] == "|" { i += 1; continue }
                break
            }
            return branches.count == 1 ? branches[0] : .alternate(branches)
        }

        mutating func parseConcat() -> Node? {
            var items: [Node] = []
            while i < s.count, s[i] != "|", s[i] != ")" {
                guard var atom = parseAtom() else { return nil }
                while let q = parseQuantifier() {
                    atom = .repeatNode(atom, min: q.min, max: q.max)
                }
                items.append(atom)
            }
            if items.isEmpty { return .empty }
            return items.count == 1 ? items[0] : .concat(items)
        }

        mutating func parseAtom() -> Node? {
            let c = s[i]
            switch c {
            case "(":
                i += 1
                if i < s.count, s[i] == "?" {
                    // Only non-capturing and named groups; flags are not supported.
                    if i + 1 < s.count, s[i + 1] == ":" {
                        i += 2
                    } else if i + 2 < s.count, s[i + 1] == "P", s[i + 2] == "<" {
                        i += 3
                        while i < s.count, s[i] != ">" { i += 1 }
                        guard i < s.count else { return nil }
                        i += 1
                    } else {
                        return nil
                    }
                }
                guard let inner = parseAlternation(), i < s.count, s[i] == ")" else { return nil }
                i += 1
                return inner
            case ".":
                i += 1
                return .any
            case "[":
                return parseClass()
            case "\\":
                guard let e = parseEscape(inClass: false) else { return nil }
                return e.node
            case "^", "$", "*", "+", "?":
                return nil
            default:
                i += 1
                return .scalar(c.value)
            }
        }

        /// `{n}`, `{n,}`, `{n,m}` or one of `* + ?`, with an optional lazy `?`.
        mutating func parseQuantifier() -> (min: Int, max: Int?)? {
            guard i < s.count else { return nil }
            var q: (min: Int, max: Int?)
            switch s[i] {
            case "*": q = (0, nil); i += 1
            case "+": q = (1, nil); i += 1
            case "?": q = (0, 1); i += 1
            case "{":
                var j = i + 1
                func number(_ j: inout Int) -> Int? {
                    var n = 0, digits = 0
                    while j < s.count, s[j].value >= 48, s[j].value <= 57 {
                        n = n * 10 + Int(s[j].value - 48)
                        digits += 1
                        j += 1
                        if n > 1000 { return nil }
                    }
                    return digits > 0 ? n : nil
                }
                guard let lo = number(&j) else { return nil }   // not a repeat: `{` is a literal
                var hi: Int? = lo
                if j < s.count, s[j] == "," {
                    j += 1
                    hi = j < s.count && s[j] != "}" ? number(&j) : nil
                    if hi == nil, j < s.count, s[j] != "}" { return nil }
                }
                guard j < s.count, s[j] == "}" else { return nil }
                if let h = hi, h < lo { return nil }
                i = j + 1
                q = (lo, hi)
            default:
                return nil
            }
            if i < s.count, s[i] == "?" { i += 1 }
            return q
        }

        /// An escape at `s[i] == "\\"`: a single scalar, or a Perl class.
        mutating func parseEscape(inClass: Bool) -> (node: Node, ranges: CharClass?)? {
            guard i + 1 < s.count else { return nil }
            let e = s[i + 1]
            i += 2
            func perl(_ r: [ClosedRange<UInt32>], _ negated: Bool) -> (Node, CharClass?) {
                let cls = CharClass(ranges: r, negated: negated)
                return (.set(cls), cls)
            }
            switch e {
            case "d": return perl(Self.digit, false)
            case "D": return perl(Self.digit, true)
            case "s": return perl(Self.space, false)
            case "S": return perl(Self.space, true)
            case "w": return perl(Self.word, false)
            case "W": return perl(Self.word, true)
            case "t": return (.scalar(9), nil)
            case "n": return (.scalar(10), nil)
            case "v": return (.scalar(11), nil)
            case "f": return (.scalar(12), nil)
            case "r": return (.scalar(13), nil)
            case "a": return (.scalar(7), nil)
            default:
                // Escaped ASCII punctuation stands for itself; anything else
                // (\b, \p, \x, \Q, octal, …) is not supported here.
                guard e.isASCII, !e.properties.isAlphabetic, !("0"..."9").contains(e) else { return nil }
                return (.scalar(e.value), nil)
            }
        }

        mutating func parseClass() -> Node? {
            i += 1  // "["
            var negated = false
            if i < s.count, s[i] == "^" { negated = true; i += 1 }
            var ranges: [ClosedRange<UInt32>] = []
            var first = true
            while i < s.count {
                if s[i] == "]" && !first { break }
                first = false
                if s[i] == "[" { return nil }   // POSIX classes: not supported
                var lo: UInt32
                if s[i] == "\\" {
                    guard let e = parseEscape(inClass: true) else { return nil }
                    if let cls = e.ranges {
                        // A Perl class inside brackets; a negated one only on its own.
                        if cls.negated { return nil }
                        ranges += cls.ranges
                        continue
                    }
                    guard case .scalar(let v) = e.node else { return nil }
                    lo = v
                } else {
                    lo = s[i].value
                    i += 1
                }
                var hi = lo
                if i + 1 < s.count, s[i] == "-", s[i + 1] != "]" {
                    i += 1
                    if s[i] == "\\" {
                        guard let e = parseEscape(inClass: true), e.ranges == nil, case .scalar(let v) = e.node else { return nil }
                        hi = v
                    } else {
                        hi = s[i].value
                        i += 1
                    }
                    guard lo <= hi else { return nil }
                }
                ranges.append(lo...hi)
            }
            guard i < s.count, s[i] == "]" else { return nil }
            i += 1
            return .set(CharClass(ranges: ranges, negated: negated))
        }

        static let digit: [ClosedRange<UInt32>] = [48...57]
        static let space: [ClosedRange<UInt32>] = [9...10, 12...13, 32...32]
        static let word: [ClosedRange<UInt32>] = [48...57, 65...90, 95...95, 97...122]
    }

    // MARK: compiling

    /// The NFA for `pattern`, only if it uses the supported subset and has
    /// a risky shape (nil: keep Swift's `Regex`). `always` skips the shape
    /// test (tests compare both engines on every pattern).
    package static func compile(_ pattern: String, always: Bool = false) -> LinearRegex? {
        var p = Parser(pattern)
        guard let node = p.parse(), always || node.isRisky else { return nil }
        var c = Compiler()
        guard c.emit(node) else { return nil }
        c.program.append(.match)
        return LinearRegex(program: c.program, classes: c.classes)
    }

    struct Compiler {
        var program: [Inst] = []
        var classes: [CharClass] = []

        /// Appends `node`; false when the program grows past `maxProgram`.
        mutating func emit(_ node: Node) -> Bool {
            guard program.count < LinearRegex.maxProgram else { return false }
            switch node {
            case .empty:
                return true
            case .scalar(let v):
                program.append(.scalar(v))
            case .any:
                program.append(.any)
            case .set(let cls):
                classes.append(cls)
                program.append(.set(classes.count - 1))
            case .concat(let xs):
                for x in xs where !emit(x) { return false }
            case .alternate(let xs):
                // split L1, next; L1: x0; jump end; next: split L2, … ; last
                var jumps: [Int] = []
                for (k, x) in xs.enumerated() {
                    if k < xs.count - 1 {
                        let split = program.count
                        program.append(.split(split + 1, -1))
                        guard emit(x) else { return false }
                        jumps.append(program.count)
                        program.append(.jump(-1))
                        program[split] = .split(split + 1, program.count)
                    } else {
                        guard emit(x) else { return false }
                    }
                }
                for j in jumps { program[j] = .jump(program.count) }
            case .repeatNode(let body, let min, let max):
                for _ in 0..<min where !emit(body) { return false }
                if let max {
                    // Optional copies, nested: (body (body …)?)?
                    var splits: [Int] = []
                    for _ in min..<max {
                        splits.append(program.count)
                        program.append(.split(program.count + 1, -1))
                        guard emit(body) else { return false }
                    }
                    for sp in splits { program[sp] = .split(sp + 1, program.count) }
                } else {
                    // L: split body, end; body; jump L
                    let loop = program.count
                    program.append(.split(loop + 1, -1))
                    guard emit(body) else { return false }
                    program.append(.jump(loop))
                    program[loop] = .split(loop + 1, program.count)
                }
            }
            return program.count <= LinearRegex.maxProgram
        }
    }

    // MARK: matching

    /// Whether the whole of `s` matches, in O(|s| × program size).
    package func matches(_ s: String) -> Bool {
        let n = program.count
        var current = [Int](), next = [Int]()
        current.reserveCapacity(n)
        next.reserveCapacity(n)
        // mark[pc] == generation: pc is already in the list being built.
        var mark = [Int](repeating: -1, count: n)
        var stack: [Int] = []
        var generation = 0

        func add(_ start: Int, to list: inout [Int], _ generation: Int) {
            stack.append(start)
            while let pc = stack.popLast() {
                if mark[pc] == generation { continue }
                mark[pc] = generation
                switch program[pc] {
                case .split(let a, let b):
                    stack.append(b)
                    stack.append(a)
                case .jump(let a):
                    stack.append(a)
                default:
                    list.append(pc)
                }
            }
        }

        add(0, to: &current, generation)
        for c in s.unicodeScalars {
            if current.isEmpty { return false }
            generation += 1
            next.removeAll(keepingCapacity: true)
            let v = c.value
            for pc in current {
                let step: Bool
                switch program[pc] {
                case .scalar(let x): step = x == v
                case .any: step = v != 10
                case .set(let k): step = classes[k].contains(v)
                default: step = false
                }
                if step { add(pc + 1, to: &next, generation) }
            }
            swap(&current, &next)
        }
        return current.contains { program[$0] == .match }
    }
}
