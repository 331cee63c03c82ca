/// Builds a `String` from `base[range]`, or nil if the bytes are not valid UTF-8.
///
/// Every wire format here requires UTF-8, and Swift's `String(decoding:)`
/// would silently replace bad bytes with U+FFFD, turning garbage into a
/// different, valid-looking label. Label bytes are nearly always ASCII, so
/// a word-at-a-time ASCII scan picks the cheap constructor; anything else
/// goes through the validating one.
@inline(__always)
func makeValidatedString(_ base: UnsafeRawBufferPointer, _ range: Range<Int>) -> String? {
    let bytes = UnsafeRawBufferPointer(rebasing: base[range])
    let typed = bytes.assumingMemoryBound(to: UInt8.self)
    if isASCII(bytes) {
        return String(decoding: typed, as: UTF8.self)
    }
    return String(validating: typed, as: UTF8.self)
}

/// Builds a `String` from bytes in a scratch buffer (after unescaping).
@inline(__always)
func makeValidatedString(_ bytes: [UInt8]) -> String? {
    bytes.withUnsafeBytes { raw in makeValidatedString(raw, 0..<raw.count) }
}

@inline(__always)
func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var i = 0
    let n = bytes.count
    var acc: UInt64 = 0
    while i + 8 <= n {
        acc |= bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)
        i += 8
    }
    while i < n {
        acc |= UInt64(bytes[i])
        i += 1
    }
    return acc & 0x8080_8080_8080_8080 == 0
}
