/// A block that cannot be read; the database quarantines it.
public struct BlockError: Error, Sendable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case missingFile
        case badMagic
        case badVersion(Int)
        case badChecksum
        case truncated
        case badMeta(String)
        case badReference(UInt64)
        case badSection(String)
    }

    public let block: String
    public let file: String
    public let offset: Int
    public let reason: Reason

    public init(block: String, file: String, offset: Int, reason: Reason) {
        self.block = block
        self.file = file
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "block \(block) \(file) at \(offset): \(reason)" }
}
