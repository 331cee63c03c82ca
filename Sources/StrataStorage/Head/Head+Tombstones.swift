/// Deletions in the head (issue #5): deleted ranges per series ref, logged
/// to the WAL as `tombstones` records (docs/format/wal.md) and applied when
/// reading (`Querier`) and when head data is persisted into a block. As in
/// Prometheus, a range masks every head sample in it, including samples
/// appended after the deletion, until the range leaves the head.
extension Head {
    /// Deletes [mint, maxt] of the series `refs`: logs one tombstones record,
    /// fsyncs the log, then masks the samples.
    public func delete(refs: [SeriesRef], mint: Int64, maxt: Int64) throws(IOError) {
        guard !refs.isEmpty, mint <= maxt else { return }
        var buf: [UInt8] = []
        WAL.beginRecord(&buf)
        WALRecord.encodeTombstones(refs.map { ($0, mint, maxt) }, into: &buf)
        try wal.log(&buf)
        try wal.syncNow()
        tombstones.withLock { t in
            for r in refs { t.add(r, DeletedRange(mint, maxt)) }
        }
    }

    /// A snapshot of the head's deleted ranges, by series ref.
    public var tombstoneSnapshot: Tombstones { tombstones.withLock { $0 } }

    /// Applies a replayed tombstones record.
    func replayTombstones(_ payload: UnsafeRawBufferPointer) throws(WALRecordError) {
        var added = Tombstones()
        try WALRecord.decodeTombstones(payload) { ref, mint, maxt in added.add(ref, DeletedRange(mint, maxt)) }
        tombstones.withLock { $0.merge(added) }
    }

    /// Forgets ranges that end before `t` or belong to series no longer in the head.
    func truncateTombstones(before t: Int64) {
        tombstones.withLock { ts in
            guard !ts.isEmpty else { return }
            ts.truncate(before: t)
            ts.filter { self.stripes.get(ref: $0) != nil }
        }
    }

    /// The tombstones record a checkpoint carries, or nil if there are none.
    func encodeTombstonesRecord(into buf: inout [UInt8]) -> Bool {
        let snap = tombstoneSnapshot
        guard !snap.isEmpty else { return false }
        var entries: [(ref: SeriesRef, mint: Int64, maxt: Int64)] = []
        for (ref, rs) in snap.ranges { for r in rs { entries.append((ref, r.mint, r.maxt)) } }
        entries.sort { $0.ref < $1.ref }
        WAL.beginRecord(&buf)
        WALRecord.encodeTombstones(entries, into: &buf)
        return true
    }
}
