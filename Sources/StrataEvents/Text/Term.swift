/// A term compared and hashed by its UTF-8 bytes. Swift's `String`
/// equality follows Unicode canonical equivalence (precomposed `é` equals
/// `e` + combining accent), but block term dictionaries compare bytes; the
/// head must agree with them, so its index is keyed by bytes too.
struct Term: Hashable, Sendable {
    let string: String

    init(_ s: String) { string = s }

    static func == (a: Term, b: Term) -> Bool { a.string.utf8.elementsEqual(b.string.utf8) }

    func hash(into h: inout Hasher) {
        var s = string
        s.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    func hasPrefix(_ p: String) -> Bool { string.utf8.starts(with: p.utf8) }
}

extension String {
    /// Byte-wise equality (no Unicode normalisation), as the term dictionaries compare.
    func bytesEqual(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }
    func bytesHavePrefix(_ p: String) -> Bool { utf8.starts(with: p.utf8) }
}
