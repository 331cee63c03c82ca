/// Constants of the block format (docs/format/block.md), in one place.
public enum BlockFormat {
    public static let chunkMagic: [UInt8] = Array("SCHK".utf8)
    public static let indexMagic: [UInt8] = Array("SIDX".utf8)
    public static let version: UInt8 = 1
    public static let fileHeaderSize = 8
    public static let maxChunkFileSize = 512 << 20
    /// Block chunks are cut at multiples of this span…
    public static let chunkSpan: Int64 = 2 * 3600 * 1000
    /// …and at this many samples.
    public static let maxSamplesPerChunk = 4096

    public static let blocksDirectory = "blocks"
    public static let quarantineDirectory = "quarantine"
    public static let chunksDirectory = "chunks"
    public static let indexFile = "index"

    static func fileHeader(_ magic: [UInt8]) -> [UInt8] { magic + [version, 0, 0, 0] }

    public static func chunkFileName(_ i: Int) -> String {
        let s = String(i)
        return String(repeating: "0", count: max(0, 6 - s.count)) + s
    }

    public enum Compression: UInt8 { case identity = 0, lz4 = 1 }
}

/// One chunk of a series in a block: a timestamp column and a value column.
public struct BlockChunkMeta: Sendable, Equatable {
    public var minTime: Int64
    public var maxTime: Int64
    public var samples: Int
    public var timestampsRef: UInt64
    public var valuesRef: UInt64
}
