import StrataCodec

/// Deleted samples are never returned (issue #5). A chunk entirely inside a
/// deleted range is dropped; one that only overlaps a range is decoded, its
/// surviving samples re-encoded as an in-memory XOR chunk. Deletions are
/// rare and compaction removes them for good (`clean_tombstones`), so the
/// cost falls only on queries that touch freshly deleted data.
extension Querier {
    /// `chunks` (in time order) with the samples in `deleted` removed.
    static func removeDeleted(_ chunks: [ChunkMeta], _ deleted: [DeletedRange], decoder: inout ChunkIterator) -> [ChunkMeta] {
        var out: [ChunkMeta] = []
        out.reserveCapacity(chunks.count)
        for c in chunks {
            if Tombstones.covers(deleted, c.minTime, c.maxTime) { continue }
            guard deleted.contains(where: { $0.overlaps(c.minTime, c.maxTime) }) else {
                out.append(c)
                continue
            }
            guard StorageSeries.decode(c.source, into: &decoder) else { continue }
            var app = XORChunkAppender()
            decoder.withDecoded { ts, vs in
                for i in 0..<ts.count where !Tombstones.isDeleted(ts[i], in: deleted) { app.append(ts[i], vs[i]) }
            }
            if app.count > 0 { out.append(ChunkMeta(minTime: app.minTime, maxTime: app.maxTime, source: .xor(app.bytes))) }
        }
        return out
    }
}
