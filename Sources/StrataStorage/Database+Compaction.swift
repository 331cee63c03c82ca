import Foundation
import Logging

/// What one `compact()` did.
public struct CompactionReport: Sendable, Equatable {
    /// Merges and rewrites run, and the raw blocks they produced.
    public var tasks: [CompactionTask] = []
    /// Rollup blocks written.
    public var rollupBlocks: [String] = []
    /// Blocks deleted by retention.
    public var deletedByTime: [String] = []
    public var deletedBySize: [String] = []
    public var samplesRead = 0
    public var samplesWritten = 0
    public var seconds: Double = 0

    public init() {}
}

/// Compaction, rollups and retention (issue #5). All of it runs under
/// `compactionLock`, never under the locks of the write or read path.
///
/// Publishing a block swaps the block list under `blocksLock` in one step:
/// the new block in, the blocks it replaces out. Queries hold their
/// `BlockReader`s, so a query that started before the swap keeps reading
/// the old blocks' mappings after their files are deleted (Linux keeps the
/// inodes alive while mapped); no query ever sees both or neither.
extension Database {
    var compactionPlanner: CompactionPlanner {
        CompactionPlanner(ranges: options.compactionRanges, maxBlockSpan: options.maxBlockSpan)
    }

    var rollupPlanner: RollupPlanner {
        RollupPlanner(resolutions: options.rollups.windows, after: options.rollups.after,
                      afterByResolution: options.rollups.afterByWindow)
    }

    var retentionPolicy: RetentionPolicy {
        var rollups: [Int64: Int64] = [:]
        for r in options.rollups.resolutions { rollups[r.window] = r.retention }
        return RetentionPolicy(raw: options.retention, rollups: rollups, maxBytes: options.retentionBytes)
    }

    /// End (exclusive) of the newest data: raw blocks and head.
    public var newestDataTime: Int64? {
        var newest = blocks.filter { $0.resolution == 0 }.map(\.maxTime).max()
        if let h = head.maxTime { newest = max(newest ?? .min, h + 1) }
        return newest
    }

    /// Runs compaction to completion, then rollups, then retention,
    /// synchronously (`POST /api/v1/admin/tsdb/compact`).
    @discardableResult
    public func compact() throws -> CompactionReport {
        compactionLock.lock()
        defer { compactionLock.unlock() }
        return try compactLocked()
    }

    /// One background round (call it periodically, e.g. every 15 s, from the
    /// server's database service instead of `cutBlocksIfNeeded`): cuts head
    /// data into blocks if due, then compacts unless a compaction is already
    /// running. Returns the compaction report, or nil if it was skipped.
    @discardableResult
    public func runMaintenance() throws -> CompactionReport? {
        try cutBlocksIfNeeded()
        guard compactionLock.try() else { return nil }
        defer { compactionLock.unlock() }
        return try compactLocked()
    }

    /// Rewrites every raw block that has tombstones without its deleted
    /// samples, and nothing else (`POST /api/v1/admin/tsdb/clean_tombstones`).
    @discardableResult
    public func cleanTombstones() throws -> CompactionReport {
        compactionLock.lock()
        defer { compactionLock.unlock() }
        var report = CompactionReport()
        for b in blocks where b.resolution == 0 && !b.tombstones.isEmpty {
            try runTask(CompactionTask(reason: .tombstones, sources: [b.id], minTime: b.minTime, maxTime: b.maxTime), &report)
        }
        return report
    }

    private func compactLocked() throws -> CompactionReport {
        let clock = ContinuousClock()
        let started = clock.now
        var report = CompactionReport()
        // Merges, until the plan is empty (levels climb one round at a time).
        var rounds = 0
        while rounds < 1000 {
            rounds += 1
            let current = blocks
            let tombstoned = Set(current.filter { $0.resolution == 0 && !$0.tombstones.isEmpty }.map(\.id))
            let tasks = compactionPlanner.plan(current.map(\.meta), tombstoned: tombstoned)
            if tasks.isEmpty { break }
            for t in tasks { try runTask(t, &report) }
        }
        try runRollups(&report)
        try applyRetention(&report)
        let took = clock.now - started
        report.seconds = Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18
        if !report.tasks.isEmpty || !report.rollupBlocks.isEmpty || !report.deletedByTime.isEmpty || !report.deletedBySize.isEmpty {
            logger.info("compaction done", metadata: [
                "tasks": "\(report.tasks.count)", "rollups": "\(report.rollupBlocks.count)",
                "deleted": "\(report.deletedByTime.count + report.deletedBySize.count)",
                "samples": "\(report.samplesWritten)", "seconds": "\(report.seconds)",
            ])
        }
        return report
    }

    /// Merges (or rewrites) the task's blocks, with rollups of the result if it is old enough.
    private func runTask(_ task: CompactionTask, _ report: inout CompactionReport) throws {
        let current = blocks
        let byID = Dictionary(uniqueKeysWithValues: current.map { ($0.id, $0) })
        let sources = task.sources.compactMap { byID[$0] }
        guard sources.count == task.sources.count else { return }
        var rollups: [Compactor.RollupOutput] = []
        if let newest = newestDataTime {
            let metas = current.map(\.meta)
            for w in options.rollups.windows where rollupPlanner.eligible(maxTime: task.maxTime, newest: newest, resolution: w) {
                rollups.append(.init(window: w, replaces: rollupPlanner.replaced(by: task.minTime, task.maxTime, resolution: w, in: metas)))
            }
        }
        let stats = try Compactor(blocksDirectory: blocksDirectory).run(
            sources: sources, minTime: task.minTime, maxTime: task.maxTime,
            writeRaw: true, rollups: rollups, rollupSource: nil
        ) { meta in
            try publish(meta)
            if meta.resolution != 0 && meta.stats.series > 0 { report.rollupBlocks.append(meta.id) }
        }
        report.tasks.append(task)
        report.samplesRead += stats.samplesRead
        report.samplesWritten += stats.samplesWritten
    }

    /// Computes missing rollups of raw blocks, one pass per raw block for
    /// all its missing resolutions. Raw blocks retention is about to delete
    /// (a size bound can take them long before their rollups are due) get
    /// all their rollups first; as new rollup blocks count towards the size
    /// bound too, that repeats until no raw block retention would delete
    /// lacks rollups.
    private func runRollups(_ report: inout CompactionReport) throws {
        guard newestDataTime != nil else { return }
        var forced = Set<String>()
        for _ in 0..<100 {
            guard let newest = newestDataTime else { return }
            let current = blocks
            let doomed = retentionPolicy.blocksToDelete(current.map { ($0.meta, $0.sizeOnDisk) }, newest: newest)
            let raw = Set(current.filter { $0.resolution == 0 }.map(\.id))
            forced.formUnion(doomed.map(\.id).filter(raw.contains))
            let byID = Dictionary(uniqueKeysWithValues: current.map { ($0.id, $0.maxTime) })
            // Not rollups that time retention would delete at once.
            let tasks = rollupPlanner.plan(current.map(\.meta), newest: newest, forced: forced).filter { t in
                let (cutoff, overflow) = newest.subtractingReportingOverflow(retentionPolicy.retention(ofResolution: t.resolution))
                return overflow || (byID[t.raw] ?? .max) > cutoff
            }
            if tasks.isEmpty { return }
            try runRollupTasks(tasks, &report)
        }
    }

    private func runRollupTasks(_ tasks: [RollupPlanner.Task], _ report: inout CompactionReport) throws {
        let byRaw = Dictionary(grouping: tasks, by: \.raw)
        for raw in byRaw.keys.sorted() {
            guard let reader = blocks.first(where: { $0.id == raw }) else { continue }
            let outputs = byRaw[raw]!.map { Compactor.RollupOutput(window: $0.resolution, replaces: $0.replaces) }
            let stats = try Compactor(blocksDirectory: blocksDirectory).run(
                sources: [reader], minTime: reader.minTime, maxTime: reader.maxTime,
                writeRaw: false, rollups: outputs, rollupSource: raw
            ) { meta in
                try publish(meta)
                if meta.stats.series > 0 { report.rollupBlocks.append(meta.id) }
            }
            report.samplesRead += stats.samplesRead
        }
    }

    /// Deletes blocks outside retention (time, then size).
    private func applyRetention(_ report: inout CompactionReport) throws {
        guard let newest = newestDataTime else { return }
        let current = blocks
        let doomed = retentionPolicy.blocksToDelete(current.map { ($0.meta, $0.sizeOnDisk) }, newest: newest)
        guard !doomed.isEmpty else { return }
        let ids = Set(doomed.map(\.id))
        blocksLock.lock()
        _blocks.removeAll { ids.contains($0.id) }
        blocksLock.unlock()
        for d in doomed {
            logger.info("retention: deleting block", metadata: ["block": "\(d.id)", "reason": "\(d.reason)"])
            try Self.deleteBlockDirectory(blocksDirectory, d.id)
            if d.reason == .time { report.deletedByTime.append(d.id) } else { report.deletedBySize.append(d.id) }
        }
    }

    /// Makes a durable block visible and retires the blocks it replaces (its
    /// `compaction.parents`): one swap of the block list, then the old
    /// directories are deleted. A meta without series stands for "no block,
    /// the parents just go" (everything in them was deleted).
    func publish(_ meta: BlockMeta) throws {
        var reader: BlockReader? = nil
        if meta.stats.series > 0 {
            reader = try BlockReader(directory: blocksDirectory + "/" + meta.id)
        }
        let parents = Set(meta.compaction.parents)
        blocksLock.lock()
        _blocks.removeAll { parents.contains($0.id) }
        if let reader { _blocks.append(reader) }
        _blocks.sort { $0.minTime != $1.minTime ? $0.minTime < $1.minTime : $0.id < $1.id }
        blocksLock.unlock()
        if reader != nil {
            logger.info("compacted block written", metadata: [
                "block": "\(meta.id)", "resolution": "\(meta.resolution)", "mint": "\(meta.minTime)", "maxt": "\(meta.maxTime)",
                "series": "\(meta.stats.series)", "samples": "\(meta.stats.samples)", "parents": "\(meta.compaction.parents)",
            ])
        }
        for p in meta.compaction.parents.sorted() { try Self.deleteBlockDirectory(blocksDirectory, p) }
    }

    /// Deletes a block directory so that a crash never leaves a half-deleted
    /// block that looks like a block: it is first renamed to
    /// `<id>.deleted.tmp` (open removes `*.tmp`), then removed.
    static func deleteBlockDirectory(_ blocksDirectory: String, _ id: String) throws {
        let path = blocksDirectory + "/" + id
        let doomed = path + ".deleted.tmp"
        if FileIO.exists(path) {
            try FileIO.rename(path, doomed)
            try FileIO.syncDirectory(blocksDirectory)
        }
        if FileIO.exists(doomed) {
            try FileIO.removeTree(doomed)
            try FileIO.syncDirectory(blocksDirectory)
        }
    }
}
