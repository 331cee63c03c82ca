/// Decides which raw blocks to merge: a pure function of the block metas,
/// tested on its own (`CompactionPlannerTests`).
///
/// Rules, in order:
/// 1. Blocks that overlap in time are merged (with deduplication), and
///    nothing else is planned while overlaps exist: levels assume disjoint
///    blocks.
/// 2. Levels: `ranges` (ascending, `ranges[0]` the head's block range, e.g.
///    2 h → 12 h → 3 d) split time into aligned windows. The largest level
///    first: a window whose end lies at or before the newest block's end
///    (no more data will be cut into it) or whose blocks already cover it
///    entirely, and that holds two or more blocks fitting inside it, becomes
///    one block. Going largest-first means history loaded in bulk is merged
///    straight to its final level, and each sample is rewritten once; data
///    arriving live climbs 2 h → 12 h → 3 d as windows complete.
/// 3. A block with tombstones that no other task touches is rewritten alone.
///
/// Levels above `maxBlockSpan` (a tenth of the retention) are dropped, so no
/// block ever spans more (Prometheus' rule, and it lets retention delete in
/// steps of at most a tenth).
public struct CompactionPlanner: Sendable {
    public let ranges: [Int64]

    public init(ranges: [Int64], maxBlockSpan: Int64) {
        precondition(!ranges.isEmpty && ranges.allSatisfy { $0 > 0 })
        let sorted = ranges.sorted()
        self.ranges = [sorted[0]] + sorted.dropFirst().filter { $0 <= maxBlockSpan }
    }

    /// The tasks to run now; no block appears in two tasks. Rollup blocks
    /// (resolution ≠ 0) are ignored.
    public func plan(_ metas: [BlockMeta], tombstoned: Set<String> = []) -> [CompactionTask] {
        let blocks = metas.filter { $0.resolution == 0 }.sorted {
            $0.minTime != $1.minTime ? $0.minTime < $1.minTime : $0.id < $1.id
        }
        guard !blocks.isEmpty else { return [] }

        let overlaps = overlapTasks(blocks)
        if !overlaps.isEmpty { return overlaps }

        var tasks: [CompactionTask] = []
        var taken = Set<String>()
        let newest = blocks.map(\.maxTime).max()!
        for level in stride(from: ranges.count - 1, through: 1, by: -1) {
            let r = ranges[level]
            var windows: [Int64: [BlockMeta]] = [:]
            for b in blocks where !taken.contains(b.id) {
                let w = floorDiv(b.minTime, r)
                // Only blocks that fit inside one window, and aren't it already.
                guard b.maxTime <= (w + 1) * r, b.maxTime - b.minTime < r else { continue }
                windows[w, default: []].append(b)
            }
            for w in windows.keys.sorted() {
                let group = windows[w]!
                guard group.count >= 2 else { continue }
                let lo = w * r, hi = lo + r
                guard hi <= newest || covers(group, lo, hi) else { continue }
                tasks.append(CompactionTask(reason: .level(level), sources: group.map(\.id),
                                            minTime: group.map(\.minTime).min()!, maxTime: group.map(\.maxTime).max()!))
                for b in group { taken.insert(b.id) }
            }
        }
        for b in blocks where tombstoned.contains(b.id) && !taken.contains(b.id) {
            tasks.append(CompactionTask(reason: .tombstones, sources: [b.id], minTime: b.minTime, maxTime: b.maxTime))
        }
        return tasks
    }

    /// Groups of blocks (sorted by minTime) that overlap transitively.
    func overlapTasks(_ blocks: [BlockMeta]) -> [CompactionTask] {
        var tasks: [CompactionTask] = []
        var group: [BlockMeta] = [blocks[0]]
        var groupMax = blocks[0].maxTime
        func close() {
            if group.count >= 2 {
                tasks.append(CompactionTask(reason: .overlap, sources: group.map(\.id),
                                            minTime: group[0].minTime, maxTime: groupMax))
            }
        }
        for b in blocks.dropFirst() {
            if b.minTime < groupMax {
                group.append(b)
                groupMax = max(groupMax, b.maxTime)
            } else {
                close()
                group = [b]
                groupMax = b.maxTime
            }
        }
        close()
        return tasks
    }

    /// Whether sorted, disjoint `group` covers [lo, hi) without gaps.
    func covers(_ group: [BlockMeta], _ lo: Int64, _ hi: Int64) -> Bool {
        var at = lo
        for b in group.sorted(by: { $0.minTime < $1.minTime }) {
            if b.minTime > at { return false }
            at = max(at, b.maxTime)
        }
        return at >= hi
    }

    func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { MemSeries.floorDiv(a, b) }
}
