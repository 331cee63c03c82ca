#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import StrataCodec
import StrataStorage

/// The event store: events go through a WAL into a head of time
/// partitions, which are cut into immutable columnar blocks, compacted per
/// day and deleted after the retention period (docs/events.md).
///
/// ```
/// <dir>/wal/            the engine's WAL, event record types 16–18 (docs/format/events.md)
/// <dir>/blocks/<id>     event blocks (docs/format/events.md, "Blocks")
/// <dir>/blocks/quarantine/<id>   blocks that failed verification
/// <dir>/lock            held while open
/// ```
///
/// Concurrency: ids, the chain state and the head change only inside the
/// WAL's critical section, so the log's order is the id order and the
/// chain order. Searches snapshot the list of sources under `sourcesLock`
/// and read head partitions under their read locks. Cuts, compactions and
/// retention are serialised by `maintenance`.
public final class EventStore: @unchecked Sendable {
    public let directory: String
    public let options: EventStoreOptions
    let logger: Logger
    let wal: WAL

    // Chain state: only inside `wal.withWriter`.
    var nextID: UInt64 = 1
    var headHash = EventChain.genesis
    /// Newest event time seen (for the cut policy); inside `wal.withWriter`.
    var headMaxTime = Int64.min

    let sourcesLock = NSLock()
    /// Head partitions by start time. Mutated under the WAL lock and `sourcesLock`.
    var partitions: [Int64: PartitionHead] = [:]
    /// Blocks ordered by partition start.
    var blocks: [EventBlock] = []

    let maintenance = NSLock()
    private var lockFD: Int32 = -1
    public internal(set) var replayStats = EventReplayStats()
    public internal(set) var quarantined: [String] = []
    /// Events appended since open, per type and severity.
    public let counters = EventCounters()

    public var blocksDirectory: String { directory + "/" + EventBlockFormat.blocksDirectory }
    public var walDirectory: String { directory + "/wal" }

    public static func open(directory: String, options: EventStoreOptions = EventStoreOptions(),
                            logger: Logger = Logger(label: "strata.events")) throws -> EventStore {
        try EventStore(directory: directory, options: options, logger: logger)
    }

    private init(directory: String, options: EventStoreOptions, logger: Logger) throws {
        self.directory = directory
        self.options = options
        self.logger = logger
        try FileIO.mkdirs(directory)
        let fd = try FileIO.open(directory + "/lock", O_RDWR | O_CREAT)
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let e = errno
            FileIO.close(fd)
            throw IOError("lock (is another strata using this directory?)", directory + "/lock", errno: e)
        }
        do {
            let (opened, bad) = try Self.openBlocks(directory + "/" + EventBlockFormat.blocksDirectory, logger: logger)
            let (replayed, stats) = try Self.replay(walDirectory: directory + "/wal", chained: options.chained, logger: logger)
            wal = try WAL(directory: directory + "/wal", options: options.wal, startSegment: (replayed.lastSegment ?? -1) + 1)
            lockFD = fd
            blocks = opened
            quarantined = bad
            replayStats = stats
            try install(replayed)
        } catch {
            flock(fd, LOCK_UN)
            FileIO.close(fd)
            throw error
        }
        logger.info("event store open", metadata: [
            "dir": "\(directory)", "blocks": "\(blocks.count)", "headEvents": "\(headCount)",
            "nextID": "\(nextID)", "replaySeconds": "\(replayStats.seconds)",
        ])
    }

    /// Opens every block, removing unfinished writes and blocks superseded by
    /// a finished compaction, and quarantining blocks that fail verification.
    private static func openBlocks(_ dir: String, logger: Logger) throws -> ([EventBlock], [String]) {
        try FileIO.mkdirs(dir)
        var opened: [EventBlock] = []
        var quarantined: [String] = []
        for name in try FileIO.list(dir).sorted() {
            let path = dir + "/" + name
            if name.hasSuffix(".tmp") {
                logger.info("removing unfinished event block", metadata: ["file": "\(name)"])
                try FileIO.unlink(path)
                continue
            }
            guard BlockID(name) != nil, !FileIO.isDirectory(path) else { continue }
            do throws(EventBlockError) {
                opened.append(try EventBlock(path: path))
            } catch {
                logger.error("quarantining corrupt event block", metadata: ["block": "\(name)", "error": "\(error)"])
                quarantined.append("\(name): \(error)")
                let q = dir + "/" + EventBlockFormat.quarantineDirectory
                try FileIO.mkdirs(q)
                try FileIO.rename(path, q + "/" + name)
            }
        }
        // A compaction that crashed after writing its result but before
        // deleting its sources leaves both: the result wins.
        let superseded = Set(opened.flatMap(\.meta.sources))
        var kept: [EventBlock] = []
        for b in opened {
            if superseded.contains(b.id) {
                logger.info("removing compacted event block", metadata: ["block": "\(b.id)"])
                try FileIO.unlink(b.path)
            } else {
                kept.append(b)
            }
        }
        try FileIO.syncDirectory(dir)
        return (sortBlocks(kept), quarantined)
    }

    static func sortBlocks(_ b: [EventBlock]) -> [EventBlock] {
        b.sorted { $0.meta.partitionStart != $1.meta.partitionStart ? $0.meta.partitionStart < $1.meta.partitionStart : $0.id < $1.id }
    }

    // MARK: append

    /// The ids given to an appended batch and where its record ends in the log.
    public struct AppendReceipt: Sendable {
        public var firstID: UInt64
        public var count: Int
        public var logPosition: UInt64

        public var ids: ClosedRange<UInt64> { firstID...(firstID + UInt64(count) - 1) }
    }

    /// Appends a batch and waits until it is durable per the WAL's fsync mode.
    /// All events are validated first; an invalid one refuses the whole batch.
    @discardableResult
    public func append(_ drafts: [EventDraft]) async throws -> AppendReceipt {
        let r = try appendWithoutWaiting(drafts)
        try await wal.waitDurable(r.logPosition)
        return r
    }

    /// Appends a batch: written to the WAL (not necessarily fsynced) and
    /// searchable when this returns.
    public func appendWithoutWaiting(_ drafts: [EventDraft]) throws -> AppendReceipt {
        precondition(!drafts.isEmpty, "empty batch")
        for (i, d) in drafts.enumerated() {
            do { try d.validate(options.limits) } catch { throw EventStoreError.invalidEvent(index: i, error) }
        }
        // Everything that does not need the id or the chain state happens
        // outside the critical section: body encoding, tokenising.
        var buf: [UInt8] = []
        buf.reserveCapacity(64 + drafts.count * 160)
        let (hashOffset, _) = EventWALRecord.beginBatch(count: drafts.count, into: &buf)
        var bodies: [Range<Int>] = []
        bodies.reserveCapacity(drafts.count)
        for d in drafts {
            let s = buf.count
            EventBody.encode(d, into: &buf)
            bodies.append(s..<buf.count)
        }
        var terms = TermBatch(capacity: drafts.count)
        for d in drafts { terms.add(d, text: options.textIndexed) }
        var prevHashes = [ChainHash](repeating: .zero, count: drafts.count)
        let chained = options.chained

        let receipt = try wal.withWriter { (w: inout WAL.Writer) throws -> AppendReceipt in
            let first = nextID
            var h = headHash
            EventWALRecord.patchBatch(&buf, firstID: first, prevHash: h, hashOffset: hashOffset)
            if chained {
                buf.withUnsafeBytes { raw in
                    for k in 0..<bodies.count {
                        prevHashes[k] = h
                        h = EventChain.next(prev: h, id: first + UInt64(k), body: UnsafeRawBufferPointer(rebasing: raw[bodies[k]]))
                    }
                }
            }
            let pos = try w.log(&buf)
            nextID = first + UInt64(drafts.count)
            headHash = h
            // Apply to the head, one partition lock per run of same-partition events.
            buf.withUnsafeBytes { raw in
                var k = 0
                while k < drafts.count {
                    let p = partitionLocked(for: drafts[k].timestamp)
                    p.lock.withWriteLock {
                        while k < drafts.count && drafts[k].timestamp >= p.start && drafts[k].timestamp < p.end {
                            let d = drafts[k]
                            p.append(id: first + UInt64(k), timestamp: d.timestamp, key: d.key.rawValue,
                                     body: UnsafeRawBufferPointer(rebasing: raw[bodies[k]]), prevHash: prevHashes[k],
                                     batch: terms, termIndex: k)
                            if d.timestamp > headMaxTime { headMaxTime = d.timestamp }
                            k += 1
                        }
                    }
                }
            }
            return AppendReceipt(firstID: first, count: drafts.count, logPosition: pos)
        }
        counters.add(drafts.lazy.map { $0.key.rawValue })
        if let hook = options.onAppend { hook(drafts.map(\.key)) }
        return receipt
    }

    /// Waits until the log is durable up to `receipt` (no-op in interval mode).
    public func waitDurable(_ receipt: AppendReceipt) async throws {
        try await wal.waitDurable(receipt.logPosition)
    }

    /// The head partition for time `t`, created if needed. Inside the WAL lock.
    func partitionLocked(for t: Int64) -> PartitionHead {
        let start = floorDiv(t, options.partition) * options.partition
        if let p = partitions[start] { return p }
        let p = PartitionHead(start: start, end: start + options.partition)
        sourcesLock.lock()
        partitions[start] = p
        sourcesLock.unlock()
        return p
    }

    // MARK: state

    /// The id the next event will get, and h(nextID − 1).
    public var chainHead: (nextID: UInt64, hash: ChainHash) {
        wal.withWriter { _ in (nextID, headHash) }
    }

    /// Snapshot of the sources: head partitions and blocks.
    func sources() -> (partitions: [PartitionHead], blocks: [EventBlock]) {
        sourcesLock.lock()
        defer { sourcesLock.unlock() }
        return (Array(partitions.values), blocks)
    }

    public var blockMetas: [EventBlockMeta] { sources().blocks.map(\.meta) }

    /// The current blocks (reports, tools).
    public var blockReaders: [EventBlock] { sources().blocks }

    public var headCount: Int {
        sources().partitions.reduce(0) { n, p in n + p.lock.withReadLock { p.count } }
    }

    /// Events stored (head and blocks).
    public var count: Int {
        let s = sources()
        return s.blocks.reduce(0) { $0 + $1.count } + s.partitions.reduce(0) { n, p in n + p.lock.withReadLock { p.count } }
    }

    public var blockBytes: Int { sources().blocks.reduce(0) { $0 + $1.sizeOnDisk } }

    /// fsyncs the WAL and releases the directory lock.
    public func close() throws {
        try wal.close()
        if lockFD >= 0 {
            flock(lockFD, LOCK_UN)
            FileIO.close(lockFD)
            lockFD = -1
        }
    }
}

/// ⌊a / b⌋ for b > 0.
@inline(__always) func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
