/// Which blocks retention deletes: a pure function of the block metas and
/// sizes (issue #5).
///
/// - Time: a block goes once it lies entirely outside its retention, i.e.
///   `maxTime ≤ newest − retention`, where `newest` is the end of the newest
///   data (raw blocks and head). Every sample in it is then older than the
///   cut-off; a block holding any sample inside retention is kept whole.
///   Raw blocks use `raw`; rollup blocks the retention of their resolution.
/// - Size (optional): while the blocks kept exceed `maxBytes`, raw blocks
///   go first, oldest (smallest `maxTime`) first, then 5-minute rollup
///   blocks, then 1-hour ones, each oldest first: raw data is most of the
///   bytes, and its rollups (made before a raw block goes, see
///   `Database.runRollups`) keep old ranges answerable at a coarser
///   resolution for a tenth of its size. The head and the WAL are never
///   counted or touched.
public struct RetentionPolicy: Sendable, Equatable {
    public var raw: Int64
    /// Retention per rollup resolution (ms → ms); resolutions not listed use `raw`.
    public var rollups: [Int64: Int64]
    /// 0: no size bound.
    public var maxBytes: Int64

    public init(raw: Int64, rollups: [Int64: Int64] = [:], maxBytes: Int64 = 0) {
        self.raw = raw
        self.rollups = rollups
        self.maxBytes = maxBytes
    }

    public enum Reason: Sendable, Equatable { case time, size }

    public func retention(ofResolution r: Int64) -> Int64 { r == 0 ? raw : (rollups[r] ?? raw) }

    /// Blocks to delete, with why, oldest first.
    public func blocksToDelete(_ blocks: [(meta: BlockMeta, bytes: Int)], newest: Int64) -> [(id: String, reason: Reason)] {
        var out: [(String, Reason)] = []
        var kept: [(meta: BlockMeta, bytes: Int)] = []
        let ordered = blocks.sorted {
            if $0.meta.maxTime != $1.meta.maxTime { return $0.meta.maxTime < $1.meta.maxTime }
            if $0.meta.resolution != $1.meta.resolution { return $0.meta.resolution < $1.meta.resolution }
            return $0.meta.id < $1.meta.id
        }
        for b in ordered {
            let ret = retention(ofResolution: b.meta.resolution)
            let (cutoff, overflow) = newest.subtractingReportingOverflow(ret)
            if !overflow && b.meta.maxTime <= cutoff {
                out.append((b.meta.id, .time))
            } else {
                kept.append(b)
            }
        }
        if maxBytes > 0 {
            var total = kept.reduce(Int64(0)) { $0 + Int64($1.bytes) }
            // Finer resolutions first (raw is 0); `sort` is not stable, so
            // the time order is restated.
            kept.sort {
                if $0.meta.resolution != $1.meta.resolution { return $0.meta.resolution < $1.meta.resolution }
                if $0.meta.maxTime != $1.meta.maxTime { return $0.meta.maxTime < $1.meta.maxTime }
                return $0.meta.id < $1.meta.id
            }
            var i = 0
            while total > maxBytes && i < kept.count {
                out.append((kept[i].meta.id, .size))
                total -= Int64(kept[i].bytes)
                i += 1
            }
        }
        return out
    }
}
