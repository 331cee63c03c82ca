import StrataCodec
import StrataStorage

extension EventStore {
    /// Cuts every head partition that ended at least half a partition ago
    /// (by the newest event time or the clock, whichever is later) into a
    /// block, then checkpoints the WAL. Half a partition of grace, as for
    /// metric blocks, lets slightly late events still land in the head.
    @discardableResult
    public func cutIfNeeded(now: Int64) throws -> [EventBlockMeta] {
        maintenance.lock()
        defer { maintenance.unlock() }
        let watermark = max(now, wal.withWriter { _ in headMaxTime })
        let due = sources().partitions.filter { $0.end + options.partition / 2 <= watermark }
        return try persist(due)
    }

    /// Cuts every head partition into blocks, durably, and checkpoints the WAL.
    @discardableResult
    public func flush() throws -> [EventBlockMeta] {
        maintenance.lock()
        defer { maintenance.unlock() }
        return try persist(sources().partitions)
    }

    private func persist(_ parts: [PartitionHead]) throws -> [EventBlockMeta] {
        var written: [EventBlockMeta] = []
        for p in parts.sorted(by: { $0.start < $1.start }) {
            if let m = try persist(p) { written.append(m) }
        }
        if !written.isEmpty { try checkpoint() }
        return written
    }

    /// Writes a partition's events as a block and swaps it in for them.
    private func persist(_ p: PartitionHead) throws -> EventBlockMeta? {
        var events = BlockEvents()
        var anchors: [(id: UInt64, hash: ChainHash)] = []
        let taken: Int = p.lock.withReadLock {
            for i in 0..<p.count {
                p.withBody(i) { events.append(id: p.ids[i], timestamp: p.timestamps[i], key: p.keys[i], body: $0) }
            }
            if options.chained { anchors = Self.anchors(ids: p.ids[...], prevHashes: p.prevHashes) }
            return p.count
        }
        guard taken > 0 else {
            dropPartitionIfEmpty(p)
            return nil
        }
        var o = EventBlockWriter.Options(partitionStart: p.start, partitionEnd: p.end)
        o.chained = options.chained
        o.textIndexed = options.textIndexed
        let (path, meta) = try EventBlockWriter.write(directory: blocksDirectory, events: events, anchors: anchors, options: o)
        let block: EventBlock
        do { block = try EventBlock(path: path) } catch { throw EventStoreError.block(path: path, error) }

        // Swap: appends are held off (WAL lock) while the block replaces the
        // events it holds, so every event is in exactly one source.
        let leftover: PartitionHead? = wal.withWriter { _ in
            var rest: PartitionHead?
            if p.count > taken { rest = p.lock.withReadLock { copyTail(of: p, from: taken) } }
            sourcesLock.lock()
            blocks = Self.sortBlocks(blocks + [block])
            if partitions[p.start] === p {
                if let rest { partitions[p.start] = rest } else { partitions[p.start] = nil }
            }
            sourcesLock.unlock()
            return rest
        }
        logger.info("event block written", metadata: [
            "block": "\(meta.id)", "start": "\(p.start)", "events": "\(meta.count)",
            "bytes": "\(block.sizeOnDisk)", "lateEventsKept": "\(leftover?.count ?? 0)",
        ])
        return meta
    }

    private func dropPartitionIfEmpty(_ p: PartitionHead) {
        wal.withWriter { _ in
            sourcesLock.lock()
            if partitions[p.start] === p && p.count == 0 { partitions[p.start] = nil }
            sourcesLock.unlock()
        }
    }

    /// A new partition head with the events of `p` from local index `from` on.
    private func copyTail(of p: PartitionHead, from: Int) -> PartitionHead {
        let q = PartitionHead(start: p.start, end: p.end)
        for i in from..<p.count {
            guard let d = p.draft(i) else { continue }
            var terms = TermBatch()
            terms.add(d, text: options.textIndexed)
            p.withBody(i) { body in
                q.append(id: p.ids[i], timestamp: p.timestamps[i], key: p.keys[i], body: body,
                         prevHash: p.prevHashes[i], batch: terms, termIndex: 0)
            }
        }
        return q
    }

    /// Chain anchors for events in id order: every run's first event (its
    /// predecessor lives elsewhere), and every `EventChain.anchorInterval`-th
    /// event within a run.
    static func anchors(ids: ArraySlice<UInt64>, prevHashes: [ChainHash]) -> [(id: UInt64, hash: ChainHash)] {
        var out: [(id: UInt64, hash: ChainHash)] = []
        var runStart = 0
        var prev: UInt64 = 0
        for (k, i) in ids.indices.enumerated() {
            let id = ids[i]
            if k == 0 || id != prev + 1 { runStart = k }
            if (k - runStart) % EventChain.anchorInterval == 0 { out.append((id, prevHashes[k])) }
            prev = id
        }
        return out
    }

    /// Rolls the WAL and writes a checkpoint of the head, so the log no
    /// longer holds what blocks hold (docs/format/events.md, "Checkpoint").
    func checkpoint() throws {
        let closed = try wal.roll()
        // Taken after the roll: events logged in between are in the next
        // segment too, and replay skips ids below the checkpoint's nextID.
        let (next, hash) = wal.withWriter { _ in (nextID, headHash) }
        let parts = sources().partitions
        var entries: [(id: UInt64, part: PartitionHead, index: Int)] = []
        for p in parts {
            p.lock.withReadLock {
                for i in 0..<p.count where p.ids[i] < next { entries.append((p.ids[i], p, i)) }
            }
        }
        entries.sort { $0.id < $1.id }
        try WALReplay.writeCheckpoint(directory: walDirectory, upTo: closed) { (w: inout WAL.Writer) throws(IOError) in
            var buf: [UInt8] = []
            WAL.beginRecord(&buf)
            EventWALRecord.encodeChainState(nextID: next, headHash: hash, into: &buf)
            _ = try w.log(&buf)
            var k = 0
            while k < entries.count {
                let end = min(entries.count, k + 1000)
                WAL.beginRecord(&buf)
                buf.append(EventWALRecord.checkpointEvents)
                buf.appendUVarint(UInt64(end - k))
                for e in entries[k..<end] {
                    buf.appendUVarint(e.id)
                    e.part.lock.withReadLock {
                        e.part.prevHashes[e.index].append(to: &buf)
                        e.part.withBody(e.index) { buf.append(contentsOf: $0) }
                    }
                }
                _ = try w.log(&buf)
                k = end
            }
        }
    }
}
