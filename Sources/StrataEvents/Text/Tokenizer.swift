/// Splits text into search terms (docs/events.md, "Search syntax").
///
/// A token is a maximal run of ASCII letters, digits and `_`, or of
/// non-ASCII characters (so `Größe` and `東京` stay whole); everything
/// else separates. ASCII letters are lowercased, so search is
/// case-insensitive for ASCII. Tokens longer than `maxTokenBytes` are cut at
/// a character boundary: indexing and querying cut alike, so a long token
/// still matches itself.
public enum Tokenizer {
    public static let maxTokenBytes = 64

    @inline(__always)
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F: return true
        default: return b >= 0x80
        }
    }

    /// Calls `body` with each token's lowercased bytes (valid during the call).
    public static func forEachToken(
        _ bytes: UnsafeRawBufferPointer, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Void
    ) {
        var i = 0
        let n = bytes.count
        while i < n {
            while i < n && !isTokenByte(bytes[i]) { i += 1 }
            if i >= n { break }
            scratch.removeAll(keepingCapacity: true)
            while i < n && isTokenByte(bytes[i]) {
                let b = bytes[i]
                scratch.append(b >= 0x41 && b <= 0x5A ? b | 0x20 : b)
                i += 1
            }
            if scratch.count > maxTokenBytes {
                // Keep [0, end) where scratch[end] starts a character.
                var end = maxTokenBytes
                while end > 0 && scratch[end] & 0xC0 == 0x80 { end -= 1 }
                scratch.removeLast(scratch.count - end)
            }
            scratch.withUnsafeBytes { body($0) }
        }
    }

    public static func forEachToken(_ s: String, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) {
        var s = s
        s.withUTF8 { u in forEachToken(UnsafeRawBufferPointer(u), scratch: &scratch, body) }
    }

    /// The tokens of `s`, in order.
    public static func tokens(_ s: String) -> [String] {
        var out: [String] = []
        var scratch: [UInt8] = []
        forEachToken(s, scratch: &scratch) { out.append(String(decoding: $0, as: UTF8.self)) }
        return out
    }
}
