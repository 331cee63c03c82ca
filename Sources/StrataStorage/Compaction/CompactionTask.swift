/// One unit of compaction work: raw blocks to rewrite into one.
public struct CompactionTask: Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// The blocks overlap in time (a flush, a backfill): merge and deduplicate.
        case overlap
        /// Adjacent blocks of one window of this level's range.
        case level(Int)
        /// A single block rewritten without its deleted samples (`clean_tombstones`).
        case tombstones
    }

    public var reason: Reason
    /// Ids of the blocks to merge, ordered by (minTime, id).
    public var sources: [String]
    /// Range of the new block: the union of the sources' ranges.
    public var minTime: Int64
    /// Exclusive.
    public var maxTime: Int64

    public init(reason: Reason, sources: [String], minTime: Int64, maxTime: Int64) {
        self.reason = reason
        self.sources = sources
        self.minTime = minTime
        self.maxTime = maxTime
    }

    public var description: String { "\(reason) \(sources) [\(minTime), \(maxTime))" }
}
