/// Where and how the log is damaged. Replay decides the repair from it
/// (docs/format/wal.md, "Recovery").
public struct WALCorruption: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The segment ends inside a fragment: a write that never completed.
        case torn
        case badSegmentHeader
        case badKind(UInt8)
        case badLength(UInt32)
        case badChecksum
        case badFragmentSequence
        /// The framing is intact but the record inside cannot be decoded.
        case badContent(String)
    }

    public let segment: Int
    public let offset: Int
    public let reason: Reason

    public init(segment: Int, offset: Int, reason: Reason) {
        self.segment = segment
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "WAL segment \(segment) offset \(offset): \(reason)" }
}
