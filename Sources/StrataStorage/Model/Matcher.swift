/// The four label matcher operators of PromQL.
public enum MatchType: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case equal, notEqual, regexMatch, regexNoMatch

    /// The PromQL operator: `=`, `!=`, `=~`, `!~`.
    public var description: String {
        switch self {
        case .equal: return "="
        case .notEqual: return "!="
        case .regexMatch: return "=~"
        case .regexNoMatch: return "!~"
        }
    }
}

/// A label matcher such as `job="api"` or `path=~"/v1/.*"`, with Prometheus
/// semantics:
///
/// - Values compare as UTF-8 bytes.
/// - Regexes are fully anchored (Prometheus 2.x compiles `^(?:re)$`): `foo`
///   does not match `xfoo`, and `a|b` does not match `ab`.
/// - `.` matches every character except `\n`, as in Prometheus 2.x (Prometheus 3
///   made it match `\n` too; `(?s)` turns that on in a pattern).
/// - The syntax is RE2's; `RegexSyntax` rejects what RE2 rejects and rewrites
///   what Swift reads differently. The engine is Swift's backtracking
///   `Regex`, except for patterns with nested repetition (`(a*)*b`,
///   `(x|xx)+`), which backtracking can make exponential in the value length:
///   those run on `LinearRegex`, a Thompson NFA, in linear time as RE2 does
///   (when they use its subset; with flags, anchors, `\b` or `\p` they stay
///   on `Regex`). What still differs from Go RE2: `(?i)` case folding and
///   `\p{…}` names follow Swift's Unicode tables.
/// - A label that a series lacks has the value `""`: a matcher that matches
///   the empty string (`foo=""`, `foo!~".+"`, `foo=~".*"`) also selects series
///   without the label. `matchesEmpty` tells the index layer so.
///
/// The way `matches` decides is chosen once in `init` (`strategy`): literal,
/// set, prefix/suffix/contains and `.*`/`.+` run without any regex engine.
public struct Matcher: Sendable, Hashable, CustomStringConvertible {
    public let type: MatchType
    public let name: String
    public let value: String
    /// `matches("")`: true if the matcher also selects series that lack the label.
    public let matchesEmpty: Bool
    /// The positive test (`=` / `=~`); negated for `!=` / `!~`.
    let test: ValueTest

    public init(_ type: MatchType, _ name: String, _ value: String) throws(MatcherError) {
        try self.init(type, name, value, forceRegex: false)
    }

    /// `forceRegex` skips fast-path detection (tests compare the two).
    init(_ type: MatchType, _ name: String, _ value: String, forceRegex: Bool) throws(MatcherError) {
        self.type = type
        self.name = name
        self.value = value
        switch type {
        case .equal, .notEqual:
            test = .literal(value)
        case .regexMatch, .regexNoMatch:
            test = try ValueTest(regex: value, forceRegex: forceRegex)
        }
        let positive = test.matches("")
        matchesEmpty = (type == .equal || type == .regexMatch) ? positive : !positive
    }

    /// Whether a label value satisfies the matcher. A missing label is `""`.
    public func matches(_ value: String) -> Bool {
        switch type {
        case .equal, .regexMatch: return test.matches(value)
        case .notEqual, .regexNoMatch: return !test.matches(value)
        }
    }

    /// The exact values this matcher selects, when it is `=` or a `=~` that
    /// is a literal or an alternation of literals: the index can then look
    /// these postings up directly instead of testing every label value.
    /// Sorted by UTF-8 bytes. May contain `""` (meaning "label absent").
    /// Nil for negative matchers and for every other regex.
    public var setMatches: [String]? {
        switch (type, test) {
        case (.equal, _): return [value]
        case (.regexMatch, .literal(let s)): return [s]
        case (.regexMatch, .set(let set)): return set.sorted
        default: return nil
        }
    }

    public static func == (a: Matcher, b: Matcher) -> Bool {
        a.type == b.type && a.name.utf8Equals(b.name) && a.value.utf8Equals(b.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        name.hashUTF8(into: &hasher)
        value.hashUTF8(into: &hasher)
    }
}
