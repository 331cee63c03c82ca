/// Why bytes could not be decoded (or, for compressors, encoded).
///
/// Every case carries the byte offset, relative to the start of the buffer
/// handed to the decoder, at which the problem was found, so that a block
/// reader can report "chunk 17 of series 42, byte 130: truncated". Corrupt
/// input always ends in one of these, never in a trap or an endless loop.
public enum CodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The input ended before `what` was complete.
    case truncated(offset: Int, what: String)
    /// A header field holds an impossible value (a width above 64, an
    /// exponent out of range, a sample count above the limit...).
    case badHeader(offset: Int, what: String)
    /// The first byte of a column or chunk names no encoding we know.
    case unknownEncoding(offset: Int, kind: UInt8)
    /// Two parts that must agree on the number of samples don't.
    case countMismatch(expected: Int, actual: Int)
    /// The payload is internally inconsistent (e.g. a compressed frame that
    /// does not inflate to its declared size).
    case corrupt(offset: Int, what: String)
    /// A compressor or decompressor of a C library failed.
    case compression(library: String, code: Int)

    public var description: String {
        switch self {
        case .truncated(let o, let w): return "truncated input at byte \(o): \(w)"
        case .badHeader(let o, let w): return "bad header at byte \(o): \(w)"
        case .unknownEncoding(let o, let k): return "unknown encoding kind \(k) at byte \(o)"
        case .countMismatch(let e, let a): return "sample count mismatch: expected \(e), found \(a)"
        case .corrupt(let o, let w): return "corrupt data at byte \(o): \(w)"
        case .compression(let lib, let code): return "\(lib) failed with code \(code)"
        }
    }
}
