import Testing
@testable import StrataStorage

/// Table tests of matcher semantics: Prometheus 3 (Go RE2, fully anchored,
/// `.` matches `\n`, values compared as bytes).
@Suite struct MatcherTests {
    struct RegexCase: Sendable, CustomTestStringConvertible {
        let pattern: String
        let value: String
        let matches: Bool
        init(_ pattern: String, _ value: String, _ matches: Bool) {
            self.pattern = pattern
            self.value = value
            self.matches = matches
        }
        var testDescription: String { "\(String(reflecting: pattern)) ~ \(String(reflecting: value)) → \(matches)" }
    }

    static let regexCases: [RegexCase] = [
        // Literals, fully anchored.
        .init("foo", "foo", true), .init("foo", "xfoo", false), .init("foo", "foox", false),
        .init("foo", "", false), .init("", "", true), .init("", "a", false),
        // Alternations of literals.
        .init("a|b", "a", true), .init("a|b", "b", true), .init("a|b", "ab", false), .init("a|b", "", false),
        .init("a|b|c", "c", true), .init("a|", "", true), .init("a|", "a", true), .init("(a|b)", "a", true),
        .init("(?:api|web)", "web", true), .init("(?:api|web)", "apiweb", false),
        .init("api|web|db|cache|queue|auth|search|mail|billing|api2", "billing", true),
        .init("api|web|db|cache|queue|auth|search|mail|billing|api2", "bill", false),
        // Prefix, suffix, contains, .*, .+
        .init("abc.*", "abc", true), .init("abc.*", "abcdef", true), .init("abc.*", "xabc", false),
        .init("abc.*", "abc\ndef", false), .init("abc.*", "ab", false),
        .init(".*abc", "xxabc", true), .init(".*abc", "abcx", false), .init(".*abc", "abc", true),
        .init(".*abc", "\nabc", false),
        .init(".*abc.*", "xxabcyy", true), .init(".*abc.*", "abc", true), .init(".*abc.*", "ab", false),
        .init(".*abc.*", "a\nabc\n", false), .init(".*abc.*", "abab", false),
        .init(".*", "", true), .init(".*", "anything", true), .init(".*", "\n", false),
        .init(".+", "", false), .init(".+", "x", true), .init(".+", "\n", false),
        // General regexes, still anchored at both ends.
        .init("a.*b", "axxb", true), .init("a.*b", "axxbc", false), .init("a.*b", "ab", true),
        .init("[0-9]+", "123", true), .init("[0-9]+", "12a", false),
        .init("foo|bar.*", "barx", true), .init("foo|bar.*", "foox", false),
        .init("(foo|bar)baz", "barbaz", true), .init("(foo|bar)baz", "foo", false),
        .init("b", "abc", false), .init("a+", "aaa", true), .init("a+", "aaab", false),
        .init("^foo$", "foo", true), .init("foo$", "foo", true), .init("$foo", "foo", false),
        .init("^abc.*", "abcd", true), .init("a.c", "a\nc", false),
        .init("ab+c", "abbbc", true), .init("ab+c", "ac", false), .init("x*yz", "xxyz", true), .init("x*yz", "xxy", false),
        // Characters that are special in regexes.
        .init("a\\.b", "a.b", true), .init("a\\.b", "axb", false), .init("a.b", "axb", true),
        .init("\\(x\\)", "(x)", true), .init("\\$5", "$5", true), .init("10\\.0\\.0\\.1", "10.0.0.1", true),
        .init("10\\.0\\.0\\.1", "10x0x0x1", false),
        .init("a\\|b", "a|b", true), .init("a\\|b", "a", false), .init("a\\*", "a*", true), .init("a\\*", "aa", false),
        .init("a{", "a{", true), .init("a{,3}", "a{,3}", true), .init("a{,3}", "a", false),
        .init("x{2}", "xx", true), .init("x{2}", "x", false), .init("x{1,2}y", "xxy", true),
        .init("]", "]", true), .init("}", "}", true), .init("a b", "a b", true), .init("#", "#", true),
        .init("\\\\", "\\", true), .init("\"", "\"", true), .init("a\\/b", "a/b", true),
        // RE2 escapes and classes, ASCII-only where RE2 is.
        .init("\\d+", "123", true), .init("\\d", "٣", false), .init("\\w+", "héllo", false), .init("\\w+", "hello_1", true),
        .init("\\s", "\u{0B}", false), .init("\\s", " ", true), .init("\\v", "\u{0B}", true), .init("\\D", "a", true),
        .init("\\x41", "A", true), .init("\\x{1F600}", "😀", true), .init("\\101", "A", true), .init("\\0", "\0", true),
        .init("\\n", "\n", true), .init("\\t", "\t", true),
        .init("\\Qa.b\\E", "a.b", true), .init("\\Qa.b\\E", "axb", false), .init("\\Qa.b", "a.b", true),
        .init("[[:alpha:]]+", "abc", true), .init("[[:alpha:]]", "é", false), .init("[[:^digit:]]", "a", true),
        .init("[[:^digit:]]", "1", false),
        .init("[^a]", "\n", true), .init("[]a]", "]", true), .init("[^]a]", "b", true), .init("[^]a]", "]", false),
        .init("[a-c-e]", "-", true), .init("[a-c-e]", "d", false), .init("[a-c-e]", "e", true),
        .init("[a&&b]", "&", true), .init("[--/]", ".", true), .init("[a[b]", "[", true), .init("[\\d]", "7", true),
        .init("[\\D]", "7", false), .init("[\\]]", "]", true),
        .init("\\pL", "é", true), .init("\\p{Greek}+", "αβγ", true), .init("\\PL", "1", true), .init("\\p{^L}", "1", true),
        .init("[\\p{Lu}]", "A", true), .init("[\\p{Lu}]", "a", false),
        // Unicode: code points, not grapheme clusters; bytes, not canonical equivalence.
        .init("é", "é", true), .init("é", "e\u{301}", false), .init(".", "é", true), .init(".", "e\u{301}", false),
        .init("..", "e\u{301}", true), .init("日本.*", "日本語", true), .init(".*語", "日本語", true),
        .init("😀|🙂", "🙂", true), .init(".", "😀", true),
        // Flags.
        .init("(?i)abc", "aBc", true), .init("(?i)é", "É", true), .init("(?-s).", "\n", false), .init("(?s).", "\n", true),
        .init("(?m)^a$", "a", true), .init("(?U)a+", "aa", true), .init("a(?i)b", "aB", true), .init("a(?i)b", "AB", false),
        .init("(?i:a)b", "AB", false), .init("(?i:a)b", "Ab", true),
        // Word boundaries are ASCII in RE2.
        .init("a\\b", "a", true), .init("\\b", "", false), .init("foo\\bbar", "foobar", false),
        .init("foo\\Bbar", "foobar", true),
        // Groups and captures do not change matching.
        .init("(?P<x>a)b", "ab", true), .init("(?<x>a)b", "ab", true), .init("((a))", "a", true),
    ]

    @Test(arguments: regexCases)
    func regexSemantics(_ c: RegexCase) throws {
        let m = try Matcher(.regexMatch, "l", c.pattern)
        #expect(m.matches(c.value) == c.matches)
        let n = try Matcher(.regexNoMatch, "l", c.pattern)
        #expect(n.matches(c.value) == !c.matches)
        // The same answer without any fast path.
        let slow = try Matcher(.regexMatch, "l", c.pattern, forceRegex: true)
        #expect(slow.matches(c.value) == c.matches)
    }

    @Test func equalityComparesBytes() throws {
        let eq = try Matcher(.equal, "job", "api")
        #expect(eq.matches("api"))
        #expect(!eq.matches("API"))
        #expect(!eq.matches("api "))
        #expect(!eq.matches(""))
        let ne = try Matcher(.notEqual, "job", "api")
        #expect(!ne.matches("api"))
        #expect(ne.matches("web"))
        #expect(ne.matches(""))
        // NFC and NFD spellings of é are equal Swift Strings but different bytes.
        let nfc = try Matcher(.equal, "x", "é")
        #expect(nfc.matches("é"))
        #expect(!nfc.matches("e\u{301}"))
        #expect(try Matcher(.notEqual, "x", "é").matches("e\u{301}"))
        // Values that look like regexes are plain text for = and !=.
        #expect(try Matcher(.equal, "x", "a.*").matches("a.*"))
        #expect(try !Matcher(.equal, "x", "a.*").matches("abc"))
    }

    struct EmptyCase: Sendable, CustomTestStringConvertible {
        let type: MatchType
        let value: String
        let matchesEmpty: Bool
        var testDescription: String { "l\(type)\(String(reflecting: value)) matchesEmpty=\(matchesEmpty)" }
    }

    static let emptyCases: [EmptyCase] = [
        .init(type: .equal, value: "", matchesEmpty: true),
        .init(type: .notEqual, value: "", matchesEmpty: false),
        .init(type: .equal, value: "x", matchesEmpty: false),
        .init(type: .notEqual, value: "x", matchesEmpty: true),
        .init(type: .regexMatch, value: ".*", matchesEmpty: true),
        .init(type: .regexMatch, value: ".+", matchesEmpty: false),
        .init(type: .regexNoMatch, value: ".+", matchesEmpty: true),
        .init(type: .regexNoMatch, value: ".*", matchesEmpty: false),
        .init(type: .regexMatch, value: "a|", matchesEmpty: true),
        .init(type: .regexMatch, value: "a*", matchesEmpty: true),
        .init(type: .regexMatch, value: "a+", matchesEmpty: false),
        .init(type: .regexNoMatch, value: "a", matchesEmpty: true),
        .init(type: .regexMatch, value: "", matchesEmpty: true),
        .init(type: .regexNoMatch, value: "", matchesEmpty: false),
        .init(type: .regexMatch, value: "x?", matchesEmpty: true),
        .init(type: .regexMatch, value: "abc.*", matchesEmpty: false),
        .init(type: .regexMatch, value: ".*abc", matchesEmpty: false),
    ]

    /// A matcher that accepts "" also selects series that lack the label.
    @Test(arguments: emptyCases)
    func emptyValueBehaviour(_ c: EmptyCase) throws {
        let m = try Matcher(c.type, "l", c.value)
        #expect(m.matchesEmpty == c.matchesEmpty)
        #expect(m.matches("") == c.matchesEmpty)
    }

    @Test func setMatches() throws {
        #expect(try Matcher(.equal, "a", "x").setMatches == ["x"])
        #expect(try Matcher(.equal, "a", "").setMatches == [""])
        #expect(try Matcher(.regexMatch, "a", "x").setMatches == ["x"])
        #expect(try Matcher(.regexMatch, "a", "b|a|b").setMatches == ["a", "b"])
        #expect(try Matcher(.regexMatch, "a", "(c|a|b)").setMatches == ["a", "b", "c"])
        #expect(try Matcher(.regexMatch, "a", "a|").setMatches == ["", "a"])
        #expect(try Matcher(.regexMatch, "a", "^a$").setMatches == ["a"])
        #expect(try Matcher(.regexMatch, "a", "a\\.b|c").setMatches == ["a.b", "c"])
        #expect(try Matcher(.regexMatch, "a", "a.*").setMatches == nil)
        #expect(try Matcher(.regexMatch, "a", "(?i)a").setMatches == nil)
        #expect(try Matcher(.notEqual, "a", "x").setMatches == nil)
        #expect(try Matcher(.regexNoMatch, "a", "a|b").setMatches == nil)
        // Sorted by bytes: "Z" (0x5A) before "a" (0x61), "é" (0xC3…) last.
        #expect(try Matcher(.regexMatch, "a", "é|a|Z").setMatches == ["Z", "a", "é"])
    }

    @Test func hashableByBytes() throws {
        let a = try Matcher(.equal, "n", "é")
        let b = try Matcher(.equal, "n", "e\u{301}")
        #expect(a != b)
        #expect(a == (try Matcher(.equal, "n", "é")))
        #expect(a.hashValue == (try Matcher(.equal, "n", "é")).hashValue)
        #expect(a != (try Matcher(.notEqual, "n", "é")))
        #expect(a != (try Matcher(.equal, "m", "é")))
        let set: Set<Matcher> = [a, b, try Matcher(.equal, "n", "é")]
        #expect(set.count == 2)
    }

    @Test func sendableAcrossTasks() async throws {
        // The compiled regex is shared by copies; matching from many tasks at
        // once must give the same answers as sequential matching.
        let m = try Matcher(.regexMatch, "path", "/api/v[0-9]+/(users|orders)/[a-z0-9-]+")
        let values = (0..<200).map { i in i % 3 == 0 ? "/api/v\(i)/users/u-\(i)" : "/api/x\(i)/users/u-\(i)" }
        let expected = values.map { m.matches($0) }
        let results = await withTaskGroup(of: [Bool].self) { group in
            for _ in 0..<8 { group.addTask { values.map { m.matches($0) } } }
            var all: [[Bool]] = []
            for await r in group { all.append(r) }
            return all
        }
        #expect(expected.filter { $0 }.count == 67)
        for r in results { #expect(r == expected) }
    }
}
