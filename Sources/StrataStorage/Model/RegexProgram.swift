/// A compiled Swift `Regex` for the matchers that have no fast path, shared
/// by every copy of the `Matcher`.
///
/// `Regex` is not `Sendable` in the standard library because a regex built
/// with RegexBuilder may capture arbitrary closures (custom components,
/// transforms). This one is built only from a pattern string: it holds no
/// closures and no mutable state we touch. Its single piece of internal
/// mutability, the lazily lowered matching program, is published with an
/// atomic compare-and-swap (`Regex.Program.loweredProgram` in
/// swift-experimental-string-processing, `Sources/_StringProcessing/Regex/Core.swift`),
/// and every match runs on a fresh `Processor`. We also lower it eagerly in
/// `init`, so later concurrent uses only read. Hence `@unchecked Sendable`.
///
/// Alternatives measured (release build, `api-server-[0-9]+` over 10 k
/// label values, 2 threads on a busy 2-core machine): sharing this box
/// 400 ns per match (wall), a `Mutex` around the regex 880 ns (it
/// serialises the threads), compiling per use 30–60 µs. One thread alone
/// matches in about 250 ns.
final class RegexProgram: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
    /// Literals every match starts / ends with; checked first because they
    /// reject most label values at memcmp speed.
    let prefix: String
    let suffix: String
    /// For patterns with nested repetition (`(a+)+b`), where backtracking
    /// could take exponential time: the linear-time NFA (`LinearRegex`).
    let linear: LinearRegex?

    init(pattern: String, translated: String, prefix: String, suffix: String) throws(MatcherError) {
        do {
            regex = try Regex(translated)
                // Prometheus 2.x compiles `^(?:re)$`: `.` does not match `\n`
                // (Prometheus 3 changed that; `(?s)` opts in either way).
                // RE2 matches code points, not grapheme clusters.
                .matchingSemantics(.unicodeScalar)
                // RE2's `\b` is the ASCII word boundary.
                .wordBoundaryKind(.simple)
                .asciiOnlyWordCharacters()
        } catch {
            throw .invalidRegex(pattern: pattern, reason: "\(error)", offset: nil)
        }
        self.prefix = prefix
        self.suffix = suffix
        linear = LinearRegex.compile(pattern)
        // Lower the program now (see above).
        _ = try? regex.wholeMatch(in: "")
    }

    /// Fully anchored match: the whole of `s` must match.
    func matches(_ s: String) -> Bool {
        if !prefix.isEmpty && !s.utf8HasPrefix(prefix) { return false }
        if !suffix.isEmpty && !s.utf8HasSuffix(suffix) { return false }
        if let linear { return linear.matches(s) }
        // `wholeMatch` only throws from custom components, which we never have.
        return (try? regex.wholeMatch(in: s)) != nil
    }
}
