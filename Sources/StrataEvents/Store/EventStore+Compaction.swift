import StrataCodec
import StrataStorage

extension EventStore {
    /// Merges the blocks of each completed day (`compactedPartition`) into
    /// one: the 2 h blocks cut from the head, plus small blocks of late
    /// events. A day is complete once its last partition has been cut and
    /// no head partition inside it remains.
    @discardableResult
    public func compactIfNeeded(now: Int64) throws -> [EventBlockMeta] {
        maintenance.lock()
        defer { maintenance.unlock() }
        let watermark = max(now, wal.withWriter { _ in headMaxTime })
        let day = options.compactedPartition
        let (parts, current) = sources()
        var byDay: [Int64: [EventBlock]] = [:]
        for b in current { byDay[floorDiv(b.meta.partitionStart, day) * day, default: []].append(b) }
        var written: [EventBlockMeta] = []
        for (start, group) in byDay.sorted(by: { $0.key < $1.key }) where group.count > 1 {
            let end = start + day
            guard end + options.partition / 2 <= watermark else { continue }
            guard !parts.contains(where: { $0.start < end && $0.end > start }) else { continue }
            // Blocks spanning more than the day (never written today) are left alone.
            guard group.allSatisfy({ $0.meta.partitionEnd <= end }) else { continue }
            do {
                written.append(try merge(group, start: start, end: end))
            } catch let e as EventStoreError {
                // A chain mismatch means a source block was altered: keep the
                // evidence as it is rather than rewriting it.
                logger.error("event compaction skipped", metadata: ["day": "\(start)", "error": "\(e)"])
            }
        }
        return written
    }

    /// Writes the union of `sources` as one block, checking the hash chain
    /// across them, and swaps it in.
    func merge(_ sources: [EventBlock], start: Int64, end: Int64) throws -> EventBlockMeta {
        var all: [Event] = []
        all.reserveCapacity(sources.reduce(0) { $0 + $1.count })
        var sourceAnchors: [UInt64: ChainHash] = [:]
        for b in sources {
            try b.forEachEvent { _, e in all.append(e) }
            for (i, id) in b.anchorIDs.enumerated() { sourceAnchors[id] = b.anchorHashes[i] }
        }
        all.sort { $0.id < $1.id }
        var events = BlockEvents()
        var lastID: UInt64 = 0
        for e in all where events.count == 0 || e.id != lastID {
            events.append(id: e.id, e.draft)
            lastID = e.id
        }
        var anchors: [(id: UInt64, hash: ChainHash)] = []
        if options.chained {
            // Recompute the chain through each run from its first anchor and
            // require every source anchor on the way to agree, so that a
            // compaction can never launder an altered event into a
            // consistent-looking block.
            let w = ChainWalk.walk(ids: events.ids, anchors: sourceAnchors) { k, f in events.withBody(k, f) }
            if let m = w.mismatches.first {
                throw EventStoreError.chainMismatch(id: m.id, detail: "recomputed \(m.expected.hex), block anchor \(m.stored.hex)")
            }
            if let u = w.unanchored.first {
                throw EventStoreError.chainMismatch(id: u, detail: "run start without an anchor")
            }
            anchors = w.anchors
        }
        var o = EventBlockWriter.Options(partitionStart: start, partitionEnd: end)
        o.level = (sources.map(\.meta.level).max() ?? 1) + 1
        o.chained = options.chained
        o.textIndexed = options.textIndexed
        o.sources = sources.map(\.id)
        let (path, meta) = try EventBlockWriter.write(directory: blocksDirectory, events: events, anchors: anchors, options: o)
        let block: EventBlock
        do { block = try EventBlock(path: path) } catch { throw EventStoreError.block(path: path, error) }
        let ids = Set(sources.map(\.id))
        sourcesLock.lock()
        blocks = Self.sortBlocks(blocks.filter { !ids.contains($0.id) } + [block])
        sourcesLock.unlock()
        for b in sources { try FileIO.unlink(b.path) }
        try FileIO.syncDirectory(blocksDirectory)
        logger.info("event blocks compacted", metadata: [
            "block": "\(meta.id)", "sources": "\(sources.count)", "events": "\(meta.count)", "bytes": "\(block.sizeOnDisk)",
        ])
        return meta
    }
}
