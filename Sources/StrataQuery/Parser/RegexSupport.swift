/// Building StrataStorage's `Matcher` for the parser, with Prometheus' error
/// text for regular expressions that do not compile.
///
/// Prometheus builds each matcher with `labels.NewMatcher`, which compiles
/// `=~`/`!~` patterns (anchored) with Go's RE2 and reports
/// `error parsing regexp: <reason>: `<expr>``. `Matcher` checks RE2 syntax
/// itself; its reason strings are RE2's (`missing closing )`, ...).
enum RegexSupport {
    /// The parse error message of a matcher that could not be built.
    struct Failure: Error {
        var text: String
    }

    static func makeMatcher(_ type: MatchType, _ name: String, _ value: String) -> Result<Matcher, Failure> {
        do {
            return .success(try Matcher(type, name, value))
        } catch {
            switch error {
            case .invalidRegex(let pattern, let reason, _):
                return .failure(Failure(text: "error parsing regexp: " + reason + ": `" + pattern + "`"))
            }
        }
    }

    /// `name="value"` never fails to build (no regex involved).
    static func equalMatcher(_ name: String, _ value: String) -> Matcher {
        // `.equal` cannot throw: only regex matchers compile a pattern.
        guard case .success(let m) = makeMatcher(.equal, name, value) else { preconditionFailure("equal matcher threw") }
        return m
    }

    /// Whether the anchored pattern matches "". Patterns that do not compile
    /// (already refused by the parser) count as not matching.
    static func matchesEmpty(_ pattern: String) -> Bool {
        guard case .success(let m) = makeMatcher(.regexMatch, "x", pattern) else { return false }
        return m.matchesEmpty
    }
}
