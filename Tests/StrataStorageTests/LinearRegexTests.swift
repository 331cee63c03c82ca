import Testing
@testable import StrataStorage
import StrataTestSupport

/// The linear-time NFA that takes over from Swift's backtracking `Regex`
/// for nested repetition (issue #7, hostile input).
@Suite struct LinearRegexTests {
    /// Swift's `Regex` configured as `RegexProgram` does, without the NFA.
    static func backtracking(_ pattern: String, _ value: String) throws -> Bool {
        let translated = try RegexSyntax.parse(pattern).translated
        let r = try Regex(translated).matchingSemantics(.unicodeScalar).wordBoundaryKind(.simple).asciiOnlyWordCharacters()
        return (try r.wholeMatch(in: value)) != nil
    }

    static let patterns = [
        "(a+)+b", "(a|aa)*", "(x|xx)*y", "(a*)*", "(ab|a)(bc|c)*", "(a|b)*abb", "([a-c]+)+d?", "(\\d+\\.?)+",
        "a{2,3}(b|c){1,2}", "(a{0,2}b?)*c", "(?:a|b)+", "(?P<n>a+)+", "(.+)+x", "([^a]|a)*", "(\\w+\\s?)*",
        "(a|)+", "()*a", "(\\.|\\-)+", "[]a]+(b|a)*", "[^]a]*(x|y)+", "a{3}(a|b)*", "(é|e)+", "(日+本?)+",
        "[a-]+(-|a)*", "(\\t|\\n)*", "x{2,}(y|x)*",
    ]
    static let alphabet: [Unicode.Scalar] = ["a", "b", "c", "d", "x", "y", ".", "-", "\n", "é", "e", "日", "1", " ", "]", "\t"]

    @Test func agreesWithBacktrackingOnRandomValues() throws {
        var rng = WorkloadRandom(seed: 7)
        var compared = 0
        for p in Self.patterns {
            let nfa = try #require(LinearRegex.compile(p, always: true), "\(p) should compile")
            for _ in 0..<400 {
                let n = Int(rng.next() % 10)
                var v = ""
                for _ in 0..<n { v.unicodeScalars.append(Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))]) }
                let expected = try Self.backtracking(p, v)
                #expect(nfa.matches(v) == expected, "\(p) on \(v.debugDescription)")
                compared += 1
            }
            // Values built from the pattern's own letters match more often.
            let letters = Array(p.unicodeScalars.filter { !"()[]{}|*+?\\:<>P^,".unicodeScalars.contains($0) })
            for _ in 0..<400 where !letters.isEmpty {
                let n = Int(rng.next() % 9)
                var v = ""
                for _ in 0..<n { v.unicodeScalars.append(letters[Int(rng.next() % UInt64(letters.count))]) }
                #expect(nfa.matches(v) == (try Self.backtracking(p, v)), "\(p) on \(v.debugDescription)")
                compared += 1
            }
        }
        #expect(compared > 10_000)
    }

    @Test func onlyRiskyPatternsInTheSubsetUseIt() {
        #expect(LinearRegex.compile("(a+)+b") != nil)
        #expect(LinearRegex.compile("(x|xx)*y") != nil)
        // Not risky: Swift's Regex keeps them.
        #expect(LinearRegex.compile("[a-z]+") == nil)
        #expect(LinearRegex.compile("api-[0-9]+") == nil)
        #expect(LinearRegex.compile("a{3}") == nil)
        // Outside the subset: flags, anchors, \b, \p, POSIX classes.
        for p in ["(?i)(a+)+", "^(a+)+$", "\\b(a+)+", "(\\pL+)+", "([[:alpha:]]+)+", "(\\x41+)+"] {
            #expect(LinearRegex.compile(p) == nil, "\(p)")
        }
    }

    /// The hostile case: backtracking would try ~2^n ways to split the a's.
    @Test func nestedRepetitionOnALongValueIsLinear() throws {
        let long = String(repeating: "a", count: 20_000)
        let m = try Matcher(.regexMatch, "l", "(a+)+b")
        #expect(!m.matches(long + "c"))
        #expect(m.matches(long + "b"))
        let n = try Matcher(.regexNoMatch, "l", "(x|xx)*y")
        #expect(n.matches(String(repeating: "x", count: 20_000)))
        #expect(!n.matches(String(repeating: "x", count: 20_000) + "y"))
    }
}
