/// Why a label matcher could not be built.
public enum MatcherError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The regex of a `=~` / `!~` matcher is not valid RE2 syntax, or uses a
    /// construct we do not support. `offset` is the UTF-8 byte offset in
    /// `pattern` where the problem starts, when known.
    case invalidRegex(pattern: String, reason: String, offset: Int?)

    public var description: String {
        switch self {
        case .invalidRegex(let pattern, let reason, let offset):
            if let offset {
                return "invalid regular expression \"\(pattern)\" at offset \(offset): \(reason)"
            }
            return "invalid regular expression \"\(pattern)\": \(reason)"
        }
    }
}
