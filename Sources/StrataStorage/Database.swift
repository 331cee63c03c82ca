import Foundation
import Logging
import Synchronization
import StrataCodec

/// The storage engine: a head behind a WAL, plus immutable blocks.
///
/// Layout of the data directory:
/// ```
/// <dir>/wal/           docs/format/wal.md
/// <dir>/blocks/<id>/   docs/format/block.md
/// <dir>/blocks/quarantine/<id>/   blocks that failed verification
/// <dir>/lock           held while open
/// ```
public final class Database: @unchecked Sendable {
    public let directory: String
    public let options: DatabaseOptions
    public let head: Head
    let wal: WAL
    let logger: Logger
    let blocksLock = NSLock()
    var _blocks: [BlockReader] = []
    /// Serialises block cuts and flushes (and deletions, which must not
    /// race a cut moving head data into a block).
    let maintenance = NSLock()
    /// Serialises compaction, retention, rollups, deletions and imports
    /// (issue #5); never held by the write or read path.
    let compactionLock = NSLock()
    private var lockFD: Int32 = -1
    public private(set) var replayStats = HeadReplayStats()
    public private(set) var quarantined: [BlockError] = []

    public var blocksDirectory: String { directory + "/" + BlockFormat.blocksDirectory }
    public var walDirectory: String { directory + "/wal" }

    /// Opens (or creates) the database in `directory`: removes leftovers,
    /// opens and verifies blocks (quarantining bad ones), replays the WAL.
    public static func open(directory: String, options: DatabaseOptions = DatabaseOptions(),
                            logger: Logger = Logger(label: "strata.storage")) throws -> Database {
        try Database(directory: directory, options: options, logger: logger)
    }

    private init(directory: String, options: DatabaseOptions, logger: Logger) throws {
        self.directory = directory
        self.options = options
        self.logger = logger
        try FileIO.mkdirs(directory)
        lockFD = try FileIO.open(directory + "/lock", O_RDWR | O_CREAT)
        if flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
            FileIO.close(lockFD)
            throw IOError("lock (is another strata using this directory?)", directory + "/lock", errno: errno)
        }
        let blocksDir = directory + "/" + BlockFormat.blocksDirectory
        try FileIO.mkdirs(blocksDir)

        // Blocks: drop unfinished ones, verify the rest.
        var readers: [BlockReader] = []
        var failed: [(name: String, error: BlockError)] = []
        for name in try FileIO.list(blocksDir).sorted() {
            let path = blocksDir + "/" + name
            if name.hasSuffix(".tmp") {
                logger.info("removing unfinished block", metadata: ["dir": "\(name)"])
                try FileIO.removeTree(path)
                continue
            }
            guard BlockID(name) != nil, FileIO.isDirectory(path) else { continue }
            // A tombstones file that was being replaced (docs/format/tombstones.md).
            if FileIO.exists(path + "/" + Tombstones.fileName + ".tmp") {
                try FileIO.unlink(path + "/" + Tombstones.fileName + ".tmp")
            }
            do throws(BlockError) {
                readers.append(try BlockReader(directory: path))
            } catch {
                failed.append((name, error))
            }
        }
        // Blocks a compaction already replaced (a crash between writing the
        // new block and deleting the old ones) go before anything is served.
        let superseded = BlockSupersession.superseded(readers.map(\.meta))
        let parents = Set(readers.filter { !superseded.contains($0.id) }.flatMap(\.meta.compaction.parents))
        for r in readers where superseded.contains(r.id) {
            logger.info("removing block replaced by compaction", metadata: ["block": "\(r.id)"])
            try Self.deleteBlockDirectory(blocksDir, r.id)
        }
        readers.removeAll { superseded.contains($0.id) }
        for (name, error) in failed {
            let path = blocksDir + "/" + name
            if parents.contains(name) {
                // Half deleted by an interrupted compaction; its data lives on in its child.
                logger.info("removing block replaced by compaction", metadata: ["block": "\(name)"])
                try Self.deleteBlockDirectory(blocksDir, name)
                continue
            }
            logger.error("quarantining corrupt block", metadata: ["block": "\(name)", "error": "\(error)"])
            quarantined.append(error)
            let qdir = blocksDir + "/" + BlockFormat.quarantineDirectory
            try FileIO.mkdirs(qdir)
            try FileIO.rename(path, qdir + "/" + name)
            try FileIO.syncDirectory(blocksDir)
        }
        readers.sort { $0.minTime != $1.minTime ? $0.minTime < $1.minTime : $0.id < $1.id }
        _blocks = readers
        try FileIO.syncDirectory(blocksDir)

        // Head: replay, then drop what blocks already hold (a crash between a
        // block cut and its WAL checkpoint leaves such samples in the log).
        head = Head(options: options.head)
        let walDir = directory + "/wal"
        replayStats = try head.replay(directory: walDir)
        for c in replayStats.wal.corruptions {
            logger.error("WAL damage repaired", metadata: ["segment": "\(c.segment)", "offset": "\(c.offset)", "reason": "\(c.reason)"])
        }
        wal = try WAL(directory: walDir, options: options.wal, startSegment: (replayStats.wal.lastSegment ?? -1) + 1)
        head.attach(wal: wal)
        if let maxBlock = readers.filter({ $0.meta.resolution == 0 }).map(\.maxTime).max() {
            head.truncate(before: maxBlock)
        }
        logger.info("database open", metadata: [
            "dir": "\(directory)", "blocks": "\(readers.count)", "series": "\(head.seriesCount)",
            "replayedSamples": "\(replayStats.samples)", "replaySeconds": "\(replayStats.seconds)",
        ])
    }

    /// The current blocks, ordered by time.
    public var blocks: [BlockReader] {
        blocksLock.lock()
        defer { blocksLock.unlock() }
        return _blocks
    }

    public func appender() -> HeadAppender { head.appender() }

    public struct WALStats: Sendable {
        public var bytesWritten: UInt64
        public var segment: Int
    }

    public var walStats: WALStats { WALStats(bytesWritten: wal.bytesWritten, segment: wal.currentSegment) }

    /// Keeps WAL segments from `segment` on through checkpoints, for a tail
    /// reader named `reader` (nil releases them). See `WALTailReader`.
    public func retainWALSegments(from segment: Int?, for reader: String) {
        wal.retainSegments(from: segment, for: reader)
    }

    /// A querier over head and blocks for [mint, maxt] (both inclusive).
    public func querier(mint: Int64, maxt: Int64) -> Querier {
        Querier(head: head, blocks: blocks.filter { $0.resolution == 0 && $0.maxTime > mint && $0.minTime <= maxt },
                mint: mint, maxt: maxt)
    }

    // MARK: block cuts

    /// Persists head data into blocks while the head spans more than 1.5 block
    /// ranges (Prometheus' rule: the newest half range stays appendable).
    /// Returns the blocks written.
    @discardableResult
    public func cutBlocksIfNeeded() throws -> [BlockMeta] {
        maintenance.lock()
        defer { maintenance.unlock() }
        var written: [BlockMeta] = []
        let range = options.blockRange
        while let lo = head.minTime, let hi = head.maxTime, hi - lo > range / 2 * 3 {
            let mint = MemSeries.floorDiv(lo, range) * range
            let maxt = mint + range
            if let meta = try persistHead(mint: mint, maxt: maxt) { written.append(meta) }
            try finishTruncation(before: maxt)
        }
        return written
    }

    /// Persists everything in the head into blocks, durably (`/api/v1/admin/tsdb/flush`).
    /// Samples older than the newest flushed one are refused afterwards.
    @discardableResult
    public func flush() throws -> [BlockMeta] {
        maintenance.lock()
        defer { maintenance.unlock() }
        var written: [BlockMeta] = []
        guard let hi = head.maxTime else { return [] }
        let end = hi + 1
        // Refuse older appends first, so nothing lands behind the snapshot.
        head.raiseMinValid(to: end)
        let range = options.blockRange
        while let lo = head.minTime, lo < end {
            let mint = MemSeries.floorDiv(lo, range) * range
            let maxt = min(mint + range, end)
            if let meta = try persistHead(mint: mint, maxt: maxt) { written.append(meta) }
            head.truncate(before: maxt)
            if maxt == end { break }
        }
        try finishTruncation(before: end)
        return written
    }

    private func finishTruncation(before t: Int64) throws {
        head.truncate(before: t)
        try head.checkpoint()
    }

    /// Writes the head's samples in [mint, maxt) as a block and publishes it.
    private func persistHead(mint: Int64, maxt: Int64) throws -> BlockMeta? {
        head.raiseMinValid(to: maxt)
        var entries: [(labels: Labels, ref: SeriesRef)] = []
        head.stripes.forEachLocked { s in
            if s.minTime < maxt && s.maxTime >= mint { entries.append((s.labels, s.ref)) }
        }
        guard !entries.isEmpty else { return nil }
        entries.sort { $0.labels < $1.labels }
        let writer = try BlockWriter(blocksDirectory: blocksDirectory, minTime: mint, maxTime: maxt)
        let tombstones = head.tombstoneSnapshot
        var ts: [Int64] = [], vs: [Double] = []
        var decoder = ChunkIterator()
        do {
            for e in entries {
                guard let snap = head.chunks(ref: e.ref, mint: mint, maxt: maxt - 1) else { continue }
                ts.removeAll(keepingCapacity: true)
                vs.removeAll(keepingCapacity: true)
                let series = StorageSeries(labels: snap.labels, chunks: snap.chunks.map {
                    ChunkMeta(minTime: $0.minTime, maxTime: $0.maxTime, source: .xor($0.bytes))
                }, mint: mint, maxt: maxt - 1)
                series.appendSamples(ts: &ts, vs: &vs, decoder: &decoder)
                if let deleted = tombstones[e.ref] { Tombstones.filter(deleted, ts: &ts, vs: &vs) }
                if ts.isEmpty { continue }
                try ts.withUnsafeBufferPointer { t in
                    try vs.withUnsafeBufferPointer { v in try writer.add(snap.labels, timestamps: t, values: v) }
                }
            }
            let meta = try writer.finish()
            let reader = try BlockReader(directory: blocksDirectory + "/" + meta.id)
            blocksLock.lock()
            _blocks.append(reader)
            _blocks.sort { $0.minTime != $1.minTime ? $0.minTime < $1.minTime : $0.id < $1.id }
            blocksLock.unlock()
            logger.info("block written", metadata: [
                "block": "\(meta.id)", "mint": "\(mint)", "maxt": "\(maxt)",
                "series": "\(meta.stats.series)", "samples": "\(meta.stats.samples)",
                "bytes": "\(meta.stats.chunkBytes + meta.stats.indexBytes)",
            ])
            return meta
        } catch {
            writer.abort()
            throw error
        }
    }

    // MARK: lifecycle

    /// Closes the WAL (fsynced) and releases the directory lock.
    public func close() throws {
        try wal.close()
        if lockFD >= 0 {
            flock(lockFD, LOCK_UN)
            FileIO.close(lockFD)
            lockFD = -1
        }
    }
}

