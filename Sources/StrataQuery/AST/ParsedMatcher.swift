/// One label matcher as written in a selector: `name op "value"`.
///
/// The storage engine's `Matcher` (StrataStorage/Model) is being written on
/// another branch; until it lands the parser produces this plain value and
/// the evaluator converts it (`type`, `name`, `value` map one to one).
public struct ParsedMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum MatchType: String, Sendable, Hashable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case regexMatch = "=~"
        case regexNoMatch = "!~"
    }

    public var type: MatchType
    public var name: String
    public var value: String

    public init(_ type: MatchType, _ name: String, _ value: String) {
        self.type = type
        self.name = name
        self.value = value
    }

    /// `name="value"` with the value quoted as Go's `%q`, as Prometheus prints matchers.
    public var description: String { name + type.rawValue + GoFormat.quote(value) }
}
