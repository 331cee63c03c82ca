/// The literals of an alternation such as `job=~"api|web|db"`, looked up by
/// UTF-8 bytes (Prometheus compares label values as bytes; `Set<String>`
/// would use canonical equivalence).
final class MatcherLiteralSet: Sendable {
    let members: Set<UTF8Key>
    /// Sorted by UTF-8 bytes, unique.
    let sorted: [String]
    /// Lengths outside [minLength, maxLength] are rejected without hashing.
    let minLength: Int
    let maxLength: Int

    init(_ sorted: [String]) {
        self.sorted = sorted
        members = Set(sorted.map(UTF8Key.init))
        minLength = sorted.map(\.utf8.count).min() ?? 0
        maxLength = sorted.map(\.utf8.count).max() ?? 0
    }

    func contains(_ s: String) -> Bool {
        let n = s.utf8.count
        guard n >= minLength && n <= maxLength else { return false }
        // A short list is faster to scan than to hash (Prometheus measured a
        // crossover at 16 values for the same trade-off).
        if sorted.count <= 8 {
            for m in sorted where m.utf8Equals(s) { return true }
            return false
        }
        return members.contains(UTF8Key(s))
    }
}

/// A `String` compared and hashed by its UTF-8 bytes.
struct UTF8Key: Hashable, Sendable {
    let string: String
    init(_ string: String) { self.string = string }
    static func == (a: UTF8Key, b: UTF8Key) -> Bool { a.string.utf8Equals(b.string) }
    func hash(into hasher: inout Hasher) { string.hashUTF8(into: &hasher) }
}
