import StrataCodec

extension Head {
    /// Drops head data older than `t` (it is persisted in blocks), removes
    /// series left without data, and rejects samples older than `t` from now on.
    ///
    /// Lock order everywhere: hash stripe → WAL → ref stripe. Series removal
    /// therefore happens in two phases: inside the WAL critical section the
    /// series are marked `removed` and unpublished by ref; after it, they leave
    /// the hash stripes and the index. A commit that raced with removal notices
    /// `gcEpoch` changed and re-resolves its series (see `HeadAppender.commit`).
    public func truncate(before t: Int64) {
        var cur = minValidA.load(ordering: .relaxed)
        while t > cur {
            let (done, orig) = minValidA.compareExchange(expected: cur, desired: t, ordering: .relaxed)
            if done { break }
            cur = orig
        }
        var removed: [MemSeries] = []
        wal.withWriter { _ in
            stripes.forEachLocked { s in
                s.truncate(before: t)
                if s.isEmpty && s.lastT < t {
                    s.removed.store(true, ordering: .relaxed)
                    removed.append(s)
                }
            }
            if !removed.isEmpty {
                for s in removed {
                    let r = stripes.refStripe(s.ref)
                    r.lock.lock()
                    r.series[s.ref] = nil
                    r.lock.unlock()
                }
                gcEpoch.wrappingAdd(1, ordering: .relaxed)
            }
        }
        for s in removed { stripes.remove(s, hash: s.labels.stableHash) }
        index.remove(Set(removed.map(\.ref)), labels: removed.map(\.labels))
        seriesCountA.wrappingSubtract(removed.count, ordering: .relaxed)
        recomputeMinTime()
        truncateTombstones(before: t)
    }

    /// Recomputes the head's oldest sample time after truncation.
    func recomputeMinTime() {
        var lo = Int64.max
        stripes.forEachLocked { s in lo = min(lo, s.minTime) }
        minTimeA.store(lo, ordering: .relaxed)
        if lo == .max { maxTimeA.store(.min, ordering: .relaxed) }
    }

    /// Writes a WAL checkpoint of the head's current state and deletes the
    /// segments it replaces (docs/format/wal.md, "Checkpoint").
    public func checkpoint() throws(IOError) {
        let closed = try wal.roll()
        // Snapshot series and chunk bytes; encode outside the stripe locks.
        var entries: [(ref: SeriesRef, labels: Labels, chunks: [[UInt8]])] = []
        stripes.forEachLocked { s in
            var cs = s.closed.map(\.bytes)
            if s.open.count > 0 { cs.append(s.open.bytes) }
            entries.append((s.ref, s.labels, cs))
        }
        entries.sort { $0.ref < $1.ref }
        try WALReplay.writeCheckpoint(directory: wal.directory, upTo: closed, keepSegmentsFrom: wal.retentionFloor) { (w) throws(IOError) in
            var buf: [UInt8] = []
            // Series records in batches.
            var i = 0
            while i < entries.count {
                let batch = entries[i..<min(i + 1000, entries.count)]
                WAL.beginRecord(&buf)
                WALRecord.encodeSeries(batch.map { ($0.ref, $0.labels) }, into: &buf)
                _ = try w.log(&buf)
                i += 1000
            }
            // Deletions still masking head data (issue #5).
            if encodeTombstonesRecord(into: &buf) { _ = try w.log(&buf) }
            // Samples, at most ~64k per record.
            var refs: [SeriesRef] = [], ts: [Int64] = [], vs: [Double] = []
            var it = ChunkIterator()
            func flush() throws(IOError) {
                guard !ts.isEmpty else { return }
                WAL.beginRecord(&buf)
                refs.withUnsafeBufferPointer { r in ts.withUnsafeBufferPointer { t in vs.withUnsafeBufferPointer { v in
                    WALRecord.encodeSamples(refs: r, ts: t, vs: v, into: &buf) } } }
                _ = try w.log(&buf)
                refs.removeAll(keepingCapacity: true)
                ts.removeAll(keepingCapacity: true)
                vs.removeAll(keepingCapacity: true)
            }
            for e in entries {
                for c in e.chunks {
                    let ok: Bool = c.withUnsafeBytes { raw in
                        do throws(CodecError) { try it.reset(xor: raw) } catch { return false }
                        return true
                    }
                    // Head chunks are produced in memory by our own appender; a
                    // decode failure is a bug, not bad input.
                    precondition(ok, "head chunk failed to decode")
                    while it.next() {
                        refs.append(e.ref)
                        ts.append(it.timestamp)
                        vs.append(it.value)
                    }
                }
                if ts.count >= 65_536 { try flush() }
            }
            try flush()
        }
    }
}

extension Head {
    /// Refuses samples older than `t` from now on. Runs inside the WAL's
    /// critical section, so commits in flight finish first and nothing older
    /// than `t` is applied after this returns.
    public func raiseMinValid(to t: Int64) {
        wal.withWriter { _ in
            var cur = minValidA.load(ordering: .relaxed)
            while t > cur {
                let (done, orig) = minValidA.compareExchange(expected: cur, desired: t, ordering: .relaxed)
                if done { break }
                cur = orig
            }
        }
    }
}
