import Testing
@testable import StrataStorage

/// What RE2 rejects is rejected (with the pattern, a reason and, where we
/// know it, the byte offset); the PromQL text form.
@Suite struct MatcherSyntaxTests {
    struct BadCase: Sendable, CustomTestStringConvertible {
        let pattern: String
        /// nil when the error comes from Swift's regex parser, which gives no offset.
        let offset: Int?
        let reason: String
        init(_ pattern: String, _ offset: Int?, _ reason: String) {
            self.pattern = pattern
            self.offset = offset
            self.reason = reason
        }
        var testDescription: String { String(reflecting: pattern) }
    }

    static let badCases: [BadCase] = [
        .init("(", 0, "missing closing )"),
        .init("ab(c", 2, "missing closing )"),
        .init("a)", 1, "unexpected )"),
        .init("é)", 2, "unexpected )"),
        .init("[a", 0, "missing closing ]"),
        .init("a**", 1, "invalid nested repetition operator"),
        .init("a*+", 1, "invalid nested repetition operator"),
        .init("a++", 1, "invalid nested repetition operator"),
        .init("a??+", 1, "invalid nested repetition operator"),
        .init("a{2}{3}", 1, "invalid nested repetition operator"),
        .init("*a", 0, "missing argument to repetition operator"),
        .init("a|*", 2, "missing argument to repetition operator"),
        .init("(*ACCEPT)", 1, "missing argument to repetition operator"),
        .init("(?i)*", 4, "missing argument to repetition operator"),
        .init("{2}", 0, "missing argument to repetition operator"),
        .init("(?=a)", 0, "invalid or unsupported Perl syntax"),
        .init("(?!a)", 0, "invalid or unsupported Perl syntax"),
        .init("b(?<=a)", 1, "invalid or unsupported Perl syntax"),
        .init("(?<!a)b", 0, "invalid or unsupported Perl syntax"),
        .init("(?>a)", 0, "invalid or unsupported Perl syntax"),
        .init("(?#comment)", 0, "invalid or unsupported Perl syntax"),
        .init("(?x)a b", 0, "invalid or unsupported Perl syntax"),
        .init("(?P=n)", 0, "invalid or unsupported Perl syntax"),
        .init("(?)", 0, "invalid or unsupported Perl syntax"),
        .init("(?i-)", 0, "invalid or unsupported Perl syntax"),
        .init("(?<>a)", 0, "invalid named capture"),
        .init("(?P<a-b>x)", 0, "invalid named capture"),
        .init("(a)\\1", 3, "invalid escape sequence (backreferences are not supported)"),
        .init("\\8", 0, "invalid escape sequence (backreferences are not supported)"),
        .init("\\y", 0, "invalid escape sequence"),
        .init("\\Z", 0, "invalid escape sequence"),
        .init("\\é", 0, "invalid escape sequence"),
        .init("\\C", 0, "\\C (any byte) is not supported"),
        .init("a\\", 1, "trailing backslash at end of expression"),
        .init("\\x{110000}", 0, "invalid escape sequence"),
        .init("\\x{D800}", 0, "invalid escape sequence"),
        .init("\\xZZ", 0, "invalid escape sequence"),
        .init("x{1001}", 1, "invalid repeat count"),
        .init("x{2,1}", 1, "invalid repeat count"),
        .init("[z-a]", 1, "invalid character class range"),
        .init("[a--b]", 1, "invalid character class range"),
        .init("[a-\\d]", 1, "invalid character class range"),
        .init("[[:nope:]]", 1, "invalid character class range"),
        .init("[\\b]", 1, "invalid escape sequence"),
        .init("\\p{}", 0, "invalid character class range"),
    ]

    @Test(arguments: badCases)
    func rejectsInvalidRegex(_ c: BadCase) {
        #expect(throws: MatcherError.invalidRegex(pattern: c.pattern, reason: c.reason, offset: c.offset)) {
            try Matcher(.regexMatch, "l", c.pattern)
        }
        // The same for !~; = and != never parse the value.
        #expect(throws: MatcherError.self) { try Matcher(.regexNoMatch, "l", c.pattern) }
        #expect(throws: Never.self) { try Matcher(.equal, "l", c.pattern) }
    }

    @Test func swiftRegexErrorsCarryThePattern() {
        // Unknown Unicode property names are only caught by Swift's parser.
        do {
            _ = try Matcher(.regexMatch, "l", "\\p{NoSuchScript}")
            Issue.record("expected an error")
        } catch {
            guard case .invalidRegex(let pattern, let reason, let offset) = error else { return }
            #expect(pattern == "\\p{NoSuchScript}")
            #expect(!reason.isEmpty)
            #expect(offset == nil)
            #expect(error.description.hasPrefix("invalid regular expression \"\\p{NoSuchScript}\""))
        }
        #expect(MatcherError.invalidRegex(pattern: "a)", reason: "unexpected )", offset: 1).description
                == "invalid regular expression \"a)\" at offset 1: unexpected )")
    }

    @Test func acceptsRE2Syntax() throws {
        for p in ["a{2,}", "a{0,1000}", "(?i:abc)", "(?ims-U:x)", "(?P<name>x)", "(?<name>x)", "[[:word:]]",
                  "\\pN", "\\p{Han}", "\\Q(*)\\E", "a*?", "a+?", "a??", "a{2}?", "\\A\\z", "x|", "|x", "()",
                  "[^\\x00-\\x{10FFFF}]", "\\012", "\\f\\a\\r", "\\ ", "\\-", "\\<", "\\~"] {
            _ = try Matcher(.regexMatch, "l", p)
        }
    }

    /// RE2's `.` is any character but `\n` unless the `s` flag is set, for
    /// the rest of the group (`(?s)`) or inside it (`(?s:…)`); Swift's `.`
    /// alone would also refuse `\r`, `\u{85}` and `\u{2028}`.
    @Test func dotIsAnyCharacterButNewline() throws {
        let cases: [(String, String, Bool)] = [
            ("a.b", "a\rb", true), ("a.b", "a\u{85}b", true), ("a.b", "a\u{2028}b", true), ("a.b", "a\nb", false),
            ("x|a.b", "a\r\nb", false), ("x|.*\\s.*", "a\r\nb", true),
            ("(?s)a.b", "a\nb", true), ("(?s:a.)b", "a\nb", true), ("(?s:a).b", "a\nb", false),
            ("(?s)(?-s)a.b", "a\nb", false), ("((?s)a.)x|y", "a\nx", true), ("((?s)a)(.)", "a\n", false),
            ("(?i)A.B", "a\rb", true),
        ]
        for (pattern, value, expected) in cases {
            #expect(try Matcher(.regexMatch, "l", pattern).matches(value) == expected, "\(pattern) on \(value.debugDescription)")
        }
    }

    struct DescriptionCase: Sendable, CustomTestStringConvertible {
        let type: MatchType
        let name: String
        let value: String
        let text: String
        var testDescription: String { text }
    }

    static let descriptions: [DescriptionCase] = [
        .init(type: .equal, name: "job", value: "api", text: #"job="api""#),
        .init(type: .notEqual, name: "job", value: "", text: #"job!="""#),
        .init(type: .regexMatch, name: "path", value: "a\\.b", text: #"path=~"a\\.b""#),
        .init(type: .regexNoMatch, name: "x", value: "say \"hi\"\n", text: #"x!~"say \"hi\"\n""#),
        .init(type: .equal, name: "x", value: "tab\there\r\u{07}\u{08}\u{0C}\u{0B}", text: #"x="tab\there\r\a\b\f\v""#),
        .init(type: .equal, name: "x", value: "\u{01}\u{7f}", text: #"x="\x01\x7f""#),
        .init(type: .equal, name: "x", value: "é日本😀", text: #"x="é日本😀""#),
        .init(type: .equal, name: "x", value: "\u{A0}\u{200B}\u{E000}\u{F0000}\u{85}",
              text: #"x="\u00a0\u200b\ue000\U000f0000\u0085""#),
        .init(type: .equal, name: "e\u{301}", value: "e\u{301}", text: "\"e\u{301}\"=\"e\u{301}\""),
        .init(type: .equal, name: "__name__", value: "up", text: #"__name__="up""#),
        .init(type: .equal, name: "my.name", value: "x", text: #""my.name"="x""#),
        .init(type: .equal, name: "1a", value: "x", text: #""1a"="x""#),
        .init(type: .equal, name: "", value: "x", text: #"""="x""#),
    ]

    @Test(arguments: descriptions)
    func promQLText(_ c: DescriptionCase) throws {
        #expect(try Matcher(c.type, c.name, c.value).description == c.text)
    }

    @Test func matchTypeOperators() {
        #expect(MatchType.allCases.map(\.description) == ["=", "!=", "=~", "!~"])
    }
}
