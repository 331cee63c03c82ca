/// Why encoded postings could not be decoded. `offset` is the byte offset
/// in the buffer handed to `PostingsCodec.decode` where the problem was found.
public enum PostingsDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The buffer ended inside the list.
    case truncated(offset: Int)
    /// The first byte is not a format this version can read.
    case unknownFormat(tag: UInt8, offset: Int)
    /// The declared count cannot fit in the bytes that follow (guards
    /// against allocating for a corrupt count).
    case implausibleCount(UInt64, offset: Int)
    /// A block header declares a bit width above 32.
    case invalidBitWidth(UInt8, offset: Int)
    /// The ids do not fit in 32 bits.
    case idOverflow(offset: Int)

    public var description: String {
        switch self {
        case .truncated(let o): return "postings truncated at offset \(o)"
        case .unknownFormat(let t, let o): return "unknown postings format \(t) at offset \(o)"
        case .implausibleCount(let n, let o): return "postings count \(n) at offset \(o) exceeds the encoded size"
        case .invalidBitWidth(let w, let o): return "postings block bit width \(w) at offset \(o) is above 32"
        case .idOverflow(let o): return "postings ids overflow 32 bits in the block at offset \(o)"
        }
    }
}
