/// RE2 patterns (Prometheus' regex dialect) for other Strata modules that
/// compile their own Swift `Regex`, such as PromQL's `label_replace`, which
/// needs capture groups and so cannot use `Matcher`.
package enum RE2Pattern {
    /// `pattern` checked as RE2 and rewritten in Swift `Regex` syntax with
    /// the same meaning, when compiled with `.matchingSemantics(.unicodeScalar)`,
    /// `.wordBoundaryKind(.simple)` and `.asciiOnlyWordCharacters()` (as
    /// `RegexProgram` does): ASCII `\d \s \w` and POSIX classes, Unicode
    /// classes such as `\pL`, `.` without `\n` unless `(?s)`. Capture groups
    /// keep their numbers and names. Not anchored.
    package static func swiftSyntax(_ pattern: String) throws(MatcherError) -> String {
        try RegexSyntax.parse(pattern).translated
    }
}
