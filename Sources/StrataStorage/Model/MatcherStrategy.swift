extension Matcher {
    /// How `matches` decides, chosen in `init`. Describes the positive test;
    /// `!=` and `!~` negate it. The index layer may use it too: a `prefix`
    /// can be answered by a range scan over sorted label values.
    public enum Strategy: Sendable, Equatable {
        /// Byte equality.
        case literal(String)
        /// Membership in a set of literals (sorted by UTF-8 bytes, ≥ 2 values).
        case literalSet([String])
        /// `abc.*`
        case prefix(String)
        /// `.*abc`
        case suffix(String)
        /// `.*abc.*`
        case contains(String)
        /// `.*`: every value, including `""`.
        case any
        /// `.+`: every non-empty value.
        case nonEmpty
        /// Swift `Regex`, after checking the literal `prefix`/`suffix` every
        /// match must have (empty when there is none).
        case regex(prefix: String, suffix: String)
    }

    public var strategy: Strategy {
        switch test {
        case .literal(let s): return .literal(s)
        case .set(let set): return .literalSet(set.sorted)
        case .prefix(let s): return .prefix(s)
        case .suffix(let s): return .suffix(s)
        case .contains(let s): return .contains(s)
        case .any: return .any
        case .nonEmpty: return .nonEmpty
        case .regex(let p): return .regex(prefix: p.prefix, suffix: p.suffix)
        }
    }
}

/// The positive test behind a `Matcher`.
enum ValueTest: Sendable {
    case literal(String)
    case set(MatcherLiteralSet)
    case prefix(String)
    case suffix(String)
    case contains(String)
    case any
    case nonEmpty
    case regex(RegexProgram)

    init(regex pattern: String, forceRegex: Bool) throws(MatcherError) {
        let syntax = try RegexSyntax.parse(pattern)
        let path = forceRegex ? .regex(prefix: "", suffix: "") : syntax.fastPath
        switch path {
        case .literal(let s): self = .literal(s)
        case .set(let values): self = .set(MatcherLiteralSet(values))
        case .prefix(let s): self = .prefix(s)
        case .suffix(let s): self = .suffix(s)
        case .contains(let s): self = .contains(s)
        case .any: self = .any
        case .nonEmpty: self = .nonEmpty
        case .regex(let prefix, let suffix):
            self = .regex(try RegexProgram(pattern: pattern, translated: syntax.translated,
                                           prefix: prefix, suffix: suffix))
        }
    }

    func matches(_ s: String) -> Bool {
        switch self {
        case .literal(let l): return s.utf8Equals(l)
        case .set(let set): return set.contains(s)
        // `.` does not match `\n` (Prometheus 2.x), so the wildcard parts must
        // be newline-free; fast paths are only chosen for literals without
        // `\n`, so "no newline anywhere" is exactly that condition.
        case .prefix(let p): return s.utf8HasPrefix(p) && !s.utf8.contains(0x0A)
        case .suffix(let p): return s.utf8HasSuffix(p) && !s.utf8.contains(0x0A)
        case .contains(let p): return s.utf8Contains(p) && !s.utf8.contains(0x0A)
        case .any: return !s.utf8.contains(0x0A)
        case .nonEmpty: return !s.isEmpty && !s.utf8.contains(0x0A)
        case .regex(let program): return program.matches(s)
        }
    }
}
