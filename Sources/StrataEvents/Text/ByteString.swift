/// A string compared and hashed by its UTF-8 bytes. Swift's `String`
/// equality follows Unicode canonical equivalence (precomposed `é` equals
/// `e` + combining accent); a dictionary keyed by `String` would merge the
/// two and store one spelling for both, changing the other event's bytes
/// (and so its hash). Block writers key their dictionaries by bytes.
struct ByteString: Hashable, Sendable {
    let string: String

    init(_ s: String) { string = s }

    static func == (a: ByteString, b: ByteString) -> Bool {
        let x = a.string.utf8, y = b.string.utf8
        return x.count == y.count && x.elementsEqual(y)
    }

    func hash(into h: inout Hasher) {
        var s = string
        s.withUTF8 { h.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
