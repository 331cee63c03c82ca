import Foundation

/// `meta.json` of a block (docs/format/block.md).
public struct BlockMeta: Codable, Sendable, Equatable {
    public struct Stats: Codable, Sendable, Equatable {
        public var series: Int = 0
        public var samples: Int = 0
        public var chunks: Int = 0
        public var chunkBytes: Int = 0
        public var indexBytes: Int = 0
        public init() {}
    }
    public struct Compaction: Codable, Sendable, Equatable {
        public var level: Int = 1
        public var sources: [String] = []
        public var parents: [String] = []
        public init() {}
    }

    public var id: String
    /// Inclusive lower bound (ms).
    public var minTime: Int64
    /// Exclusive upper bound (ms).
    public var maxTime: Int64
    public var version: Int = 1
    /// 0 for raw data, else the rollup window in ms.
    public var resolution: Int64 = 0
    public var stats = Stats()
    public var compaction = Compaction()
    /// For a rollup block (issue #5): the raw block it was computed from.
    /// Rollups are current for a raw block only if this names it.
    public var rollupSource: String?

    public init(id: BlockID, minTime: Int64, maxTime: Int64) {
        self.id = id.string
        self.minTime = minTime
        self.maxTime = maxTime
        compaction.sources = [id.string]
    }

    public static let fileName = "meta.json"

    func encoded() throws -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return Array(try enc.encode(self))
    }

    static func decode(_ bytes: [UInt8]) throws -> BlockMeta {
        try JSONDecoder().decode(BlockMeta.self, from: Data(bytes))
    }
}
