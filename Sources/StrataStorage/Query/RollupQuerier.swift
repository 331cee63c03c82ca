import StrataCodec

/// Selects series from the rollup blocks of one resolution (issue #5).
/// Windows are selected by their start: `[mint, maxt]` (inclusive) holds
/// the starts of the windows returned. Deleted ranges (tombstones of the
/// rollup blocks) drop every window that intersects them.
public struct RollupQuerier: Sendable {
    public let resolution: Int64
    public let blocks: [BlockReader]
    public let mint: Int64
    public let maxt: Int64

    public init(resolution: Int64, blocks: [BlockReader], mint: Int64, maxt: Int64) {
        self.resolution = resolution
        self.blocks = blocks.filter { $0.resolution == resolution }
        self.mint = mint
        self.maxt = maxt
    }

    /// Series matching all `matchers` with windows in range, sorted by labels.
    public func select(_ matchers: [Matcher]) -> [RollupSeries] {
        var byLabels: [Labels: Int] = [:]
        var out: [(labels: Labels, chunks: [RollupSeries.Chunk])] = []
        for b in blocks {
            let tombstones = b.tombstones
            for id in Querier.blockPostings(b, matchers) {
                let s = b.series[Int(id)]
                let deleted = tombstones[UInt64(id)]
                var cs: [RollupSeries.Chunk] = []
                for c in s.chunks where c.maxTime >= mint && c.minTime <= maxt {
                    if let deleted, Tombstones.covers(deleted, c.minTime, c.maxTime) { continue }
                    cs.append(RollupSeries.Chunk(reader: b, meta: c, deleted: deleted))
                }
                guard !cs.isEmpty else { continue }
                if let i = byLabels[s.labels] {
                    out[i].chunks.append(contentsOf: cs)
                } else {
                    byLabels[s.labels] = out.count
                    out.append((s.labels, cs))
                }
            }
        }
        out.sort { $0.labels < $1.labels }
        return out.map { e in
            RollupSeries(labels: e.labels, resolution: resolution,
                         chunks: e.chunks.sorted { $0.meta.minTime != $1.meta.minTime ? $0.meta.minTime < $1.meta.minTime : $0.reader.id < $1.reader.id },
                         mint: mint, maxt: maxt)
        }
    }
}

/// One series' rollup windows over a range; decoded on demand.
public struct RollupSeries: Sendable {
    struct Chunk: @unchecked Sendable {
        let reader: BlockReader
        let meta: BlockChunkMeta
        let deleted: [DeletedRange]?
    }

    public let labels: Labels
    public let resolution: Int64
    let chunks: [Chunk]
    public let mint: Int64
    public let maxt: Int64

    /// Reusable decoding buffers.
    public struct Decoder {
        var timestamps: [Int64] = []
        var chunk = RollupWindows()
        var scratch = RollupChunk.Scratch()
        /// Block id of each window appended by the current call, for deduplication.
        var origin: [String] = []
        public init() {}
    }

    /// Appends the series' windows with start in [mint, maxt] to `w`, in
    /// time order. Where rollup blocks overlap (data backfilled after its
    /// rollups were made), the window of the newest block wins.
    public func appendWindows(into w: inout RollupWindows, decoder d: inout Decoder) {
        let base = w.windows
        var sorted = true
        d.origin.removeAll(keepingCapacity: true)
        for c in chunks {
            let ok: Bool = c.reader.withColumn(c.meta.timestampsRef) { tb in
                do throws(CodecError) { try TimestampColumn.decode(tb, into: &d.timestamps); return true } catch { return false }
            }
            guard ok else { continue }
            d.chunk.removeAll()
            let decoded: Bool = d.timestamps.withUnsafeBufferPointer { tp in
                c.reader.withColumn(c.meta.valuesRef) { vb in
                    do throws(CodecError) {
                        try RollupChunk.decode(vb, timestamps: tp, into: &d.chunk, scratch: &d.scratch)
                        return true
                    } catch { return false }
                }
            }
            // Verified by CRC at open; a record that still fails to decode is skipped.
            guard decoded else { continue }
            for i in 0..<d.chunk.windows {
                let s = d.chunk.timestamps[i]
                guard s >= mint && s <= maxt else { continue }
                if let deleted = c.deleted,
                   deleted.contains(where: { $0.overlaps(s, s &+ resolution &- 1) }) { continue }
                if w.windows > base && w.timestamps[w.windows - 1] >= s { sorted = false }
                w.append(d.chunk, i)
                d.origin.append(c.reader.id)
            }
        }
        if !sorted { Self.deduplicate(&w, from: base, origin: d.origin) }
    }

    /// All windows in range.
    public func windows() -> RollupWindows {
        var w = RollupWindows()
        var d = Decoder()
        appendWindows(into: &w, decoder: &d)
        return w
    }

    /// Sorts windows from `base` on by start; on equal starts keeps the one
    /// from the newest block (greatest id: ids sort by creation time).
    static func deduplicate(_ w: inout RollupWindows, from base: Int, origin: [String]) {
        let idx = (base..<w.windows).sorted {
            if w.timestamps[$0] != w.timestamps[$1] { return w.timestamps[$0] < w.timestamps[$1] }
            return origin[$0 - base] < origin[$1 - base]
        }
        var out = RollupWindows()
        for (k, i) in idx.enumerated() {
            if k + 1 < idx.count && w.timestamps[idx[k + 1]] == w.timestamps[i] { continue }
            out.append(w, i)
        }
        w.truncate(to: base)
        for i in 0..<out.windows { w.append(out, i) }
    }
}
