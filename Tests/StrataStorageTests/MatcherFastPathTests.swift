import Testing
import PropertyBased
@testable import StrataStorage

/// Which strategy `init` picks, and that every fast path agrees with the
/// regex engine.
@Suite struct MatcherFastPathTests {
    struct PathCase: Sendable, CustomTestStringConvertible {
        let pattern: String
        let strategy: Matcher.Strategy
        init(_ pattern: String, _ strategy: Matcher.Strategy) {
            self.pattern = pattern
            self.strategy = strategy
        }
        var testDescription: String { String(reflecting: pattern) }
    }

    static let cases: [PathCase] = [
        .init("abc", .literal("abc")), .init("", .literal("")), .init("a\\.b", .literal("a.b")),
        .init("\\Qa|b\\E", .literal("a|b")), .init("a{", .literal("a{")), .init("^abc$", .literal("abc")),
        .init("\\Aabc\\z", .literal("abc")), .init("a|a", .literal("a")), .init("é", .literal("é")),
        .init("a\\x41", .literal("aA")),
        .init("a|b|c", .literalSet(["a", "b", "c"])), .init("(a|b)", .literalSet(["a", "b"])),
        .init("(?:b|a)", .literalSet(["a", "b"])), .init("^a$|^b$", .literalSet(["a", "b"])),
        .init("a|", .literalSet(["", "a"])), .init("(?P<x>a|b)", .literalSet(["a", "b"])),
        .init("abc.*", .prefix("abc")), .init("^abc.*$", .prefix("abc")), .init("a\\.b.*", .prefix("a.b")),
        .init("(abc.*)", .prefix("abc")), .init("abc.*?", .prefix("abc")),
        .init(".*abc", .suffix("abc")), .init(".*\\.com", .suffix(".com")),
        .init(".*abc.*", .contains("abc")), .init(".*日本.*", .contains("日本")),
        .init(".*", .any), .init("(.*)", .any), .init(".*?", .any), .init("^.*$", .any),
        .init(".+", .nonEmpty), .init("(?:.+)", .nonEmpty),
        // Not fast paths.
        .init("a.*b", .regex(prefix: "a", suffix: "b")),
        .init("ab+c", .regex(prefix: "a", suffix: "c")),
        .init("x*yz", .regex(prefix: "", suffix: "yz")),
        .init("foo\\d", .regex(prefix: "foo", suffix: "")),
        .init("[ab]c", .regex(prefix: "", suffix: "c")),
        .init(".+abc", .regex(prefix: "", suffix: "abc")),
        .init("abc.+", .regex(prefix: "abc", suffix: "")),
        .init(".*a.*b.*", .regex(prefix: "", suffix: "")),
        .init("a.*|b", .regex(prefix: "", suffix: "")),
        .init("(?i)abc", .regex(prefix: "", suffix: "")),
        .init("a(?i)bc", .regex(prefix: "", suffix: "")),
        .init("a+", .regex(prefix: "", suffix: "")),
        .init("ab?", .regex(prefix: "a", suffix: "")),
        .init("$abc", .regex(prefix: "", suffix: "abc")),
        .init("abc^", .regex(prefix: "abc", suffix: "")),
        .init("(a|b)c", .regex(prefix: "", suffix: "c")),
        .init("(a)(b)", .regex(prefix: "", suffix: "")),
        .init(".*.*", .regex(prefix: "", suffix: "")),
        .init("a|b.*", .regex(prefix: "", suffix: "")),
    ]

    @Test(arguments: cases)
    func detection(_ c: PathCase) throws {
        #expect(try Matcher(.regexMatch, "l", c.pattern).strategy == c.strategy)
        #expect(try Matcher(.regexNoMatch, "l", c.pattern).strategy == c.strategy)
    }

    @Test func equalityIsAlwaysLiteral() throws {
        #expect(try Matcher(.equal, "l", "a.*").strategy == .literal("a.*"))
        #expect(try Matcher(.notEqual, "l", "(").strategy == .literal("("))
        #expect(try Matcher(.regexMatch, "l", "x", forceRegex: true).strategy == .regex(prefix: "", suffix: ""))
    }

    // MARK: fast path vs regex engine

    /// Scalars chosen to hit the edges: regex metacharacters (escaped in
    /// patterns), `\n` (matched by `.`), a precomposed é and a bare combining
    /// accent (code points vs graphemes), multi-byte and astral scalars.
    static let alphabet: [Unicode.Scalar] = ["a", "b", "c", ".", "|", "*", "\n", "é", "e", "\u{301}", "日", "😀", " ", "\\"]

    static func escaped(_ scalars: [Unicode.Scalar]) -> String {
        var s = ""
        for c in scalars {
            if ".|*\\".unicodeScalars.contains(c) { s += "\\" }
            s.unicodeScalars.append(c)
        }
        return s
    }

    static func string(_ idx: [Int]) -> [Unicode.Scalar] { idx.map { alphabet[$0 % alphabet.count] } }

    static let scalarIndices = Gen.int(in: 0...(alphabet.count - 1)).array(of: 0...4)
    static let valueIndices = Gen.int(in: 0...(alphabet.count - 1)).array(of: 0...8).array(of: 12)

    @Test func fastPathsAgreeWithRegex() async {
        let shapes = Gen.int(in: 0...6)
        await propertyCheck(count: 400, input: shapes, Self.scalarIndices, Self.scalarIndices, Self.valueIndices) {
            shape, litA, litB, values in
            let a = Self.string(litA), b = Self.string(litB)
            let ea = Self.escaped(a), eb = Self.escaped(b)
            let pattern: String
            switch shape {
            case 0: pattern = ea
            case 1: pattern = ea + "|" + eb + "|" + eb + "x"
            case 2: pattern = ea + ".*"
            case 3: pattern = ".*" + ea
            case 4: pattern = ".*" + ea + ".*"
            case 5: pattern = "(" + ea + "|" + eb + ")"
            default: pattern = shape % 2 == 0 ? ".*" : ".+"
            }
            let fast = try Matcher(.regexMatch, "l", pattern)
            let slow = try Matcher(.regexMatch, "l", pattern, forceRegex: true)
            // Values: random strings, plus ones built around the literals so
            // that positive cases are common.
            var inputs = values.map { String(String.UnicodeScalarView(Self.string($0))) }
            for v in values.prefix(4) {
                let r = Self.string(v)
                inputs.append(String(String.UnicodeScalarView(a + r)))
                inputs.append(String(String.UnicodeScalarView(r + a)))
                inputs.append(String(String.UnicodeScalarView(r + a + r)))
                inputs.append(String(String.UnicodeScalarView(b)))
            }
            inputs.append("")
            for v in inputs {
                #expect(fast.matches(v) == slow.matches(v), "pattern \(String(reflecting: pattern)) value \(String(reflecting: v)) strategy \(fast.strategy)")
            }
        }
    }

    /// The literal prefix/suffix checked before the regex engine never
    /// changes an answer.
    @Test func prefiltersAgreeWithRegex() async {
        let middles = ["[ab]+", "x?", "(a|\\n)*", ".", "\\d*", "[^a]"]
        await propertyCheck(count: 300, input: Gen.int(in: 0...(middles.count - 1)), Self.scalarIndices, Self.scalarIndices, Self.valueIndices) {
            mid, litA, litB, values in
            let a = Self.string(litA), b = Self.string(litB)
            let pattern = Self.escaped(a) + middles[mid] + Self.escaped(b)
            let fast = try Matcher(.regexMatch, "l", pattern)
            let slow = try Matcher(.regexMatch, "l", pattern, forceRegex: true)
            var inputs: [String] = []
            for v in values {
                let r = Self.string(v)
                inputs.append(String(String.UnicodeScalarView(r)))
                inputs.append(String(String.UnicodeScalarView(a + r + b)))
                inputs.append(String(String.UnicodeScalarView(a + r.prefix(1) + b)))
            }
            for v in inputs {
                #expect(fast.matches(v) == slow.matches(v), "pattern \(String(reflecting: pattern)) value \(String(reflecting: v))")
            }
        }
    }
}
