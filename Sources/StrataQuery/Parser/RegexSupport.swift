/// Regular expressions of `=~`/`!~` matchers, for the two things the parser
/// needs: rejecting patterns that do not compile, and knowing whether a
/// matcher matches the empty string (a selector needs one that does not).
///
/// Prometheus anchors patterns as `^(?:pattern)$` and uses Go's RE2. Until
/// the storage engine's `Matcher` (which owns regex matching) lands, this uses
/// Swift's `Regex`, whose syntax is a superset of RE2's for common patterns.
enum RegexSupport {
    static func anchored(_ pattern: String) -> String { "^(?:" + pattern + ")$" }

    /// nil if `pattern` compiles; Prometheus' error text otherwise.
    static func compileError(_ pattern: String) -> String? {
        do {
            _ = try Regex(anchored(pattern))
            return nil
        } catch {
            return "error parsing regexp: invalid regular expression " + GoFormat.quote(pattern) + ": \(error)"
        }
    }

    /// Whether the anchored pattern matches "". Patterns that do not compile
    /// (already refused by the parser) count as not matching.
    static func matchesEmpty(_ pattern: String) -> Bool {
        // Fast answers for the patterns dashboards use most.
        switch pattern {
        case "", ".*", ".*?": return true
        case ".+", ".+?": return false
        default: break
        }
        guard let regex = try? Regex(anchored(pattern)) else { return false }
        return (try? regex.wholeMatch(in: "")) != nil
    }
}
