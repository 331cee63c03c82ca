import StrataCodec

/// Walks the series of several raw blocks in label order and hands out
/// each series' samples merged across the blocks: deleted samples
/// (tombstones) removed, restricted to [mint, maxt), in time order, and on
/// equal timestamps the sample of the newest block (the greatest id; ids
/// sort by creation time) kept — newer data wins, as in the querier.
///
/// Each block's series list is already sorted by labels, so this is a
/// k-way merge; buffers are reused from series to series.
struct BlockMerger {
    let readers: [BlockReader]
    let tombstones: [Tombstones]
    let mint: Int64
    let maxt: Int64
    /// Reader indices by increasing id (priority on equal timestamps).
    private let priority: [Int]

    private var ts: [Int64] = []
    private var vs: [Double] = []
    private var decoder = ChunkIterator()
    private var merged: [(t: Int64, p: Int, v: Double)] = []

    /// Samples read (before deduplication and deletion), for stats.
    private(set) var samplesRead = 0

    init(readers: [BlockReader], mint: Int64, maxt: Int64) {
        self.readers = readers
        self.tombstones = readers.map(\.tombstones)
        self.mint = mint
        self.maxt = maxt
        var rank = [Int](repeating: 0, count: readers.count)
        for (r, i) in readers.indices.sorted(by: { readers[$0].id < readers[$1].id }).enumerated() { rank[i] = r }
        priority = rank
    }

    /// Calls `body` for every series with at least one sample left, in label order.
    mutating func forEachSeries<E: Error>(
        _ body: (Labels, UnsafeBufferPointer<Int64>, UnsafeBufferPointer<Double>) throws(E) -> Void
    ) throws(E) {
        var pos = [Int](repeating: 0, count: readers.count)
        var parts: [(reader: Int, series: Int)] = []
        while true {
            // The smallest label set among the readers' current series.
            var best: Labels? = nil
            for r in readers.indices where pos[r] < readers[r].series.count {
                let l = readers[r].series[pos[r]].labels
                if best == nil || l < best! { best = l }
            }
            guard let labels = best else { return }
            parts.removeAll(keepingCapacity: true)
            for r in readers.indices where pos[r] < readers[r].series.count && readers[r].series[pos[r]].labels == labels {
                parts.append((r, pos[r]))
                pos[r] += 1
            }
            gather(parts)
            if ts.isEmpty { continue }
            let r: Result<Void, E> = ts.withUnsafeBufferPointer { t in
                vs.withUnsafeBufferPointer { v in Result { () throws(E) in try body(labels, t, v) } }
            }
            try r.get()
        }
    }

    /// Fills `ts`/`vs` with the merged samples of `parts`.
    private mutating func gather(_ parts: [(reader: Int, series: Int)]) {
        ts.removeAll(keepingCapacity: true)
        vs.removeAll(keepingCapacity: true)
        if parts.count == 1 {
            append(parts[0])
            return
        }
        // Disjoint in time (the usual level merge): concatenate in time order.
        let ordered = parts.sorted { firstTime($0) < firstTime($1) }
        var disjoint = true
        for i in 1..<ordered.count where firstTime(ordered[i]) <= lastTime(ordered[i - 1]) { disjoint = false }
        if disjoint {
            for p in ordered { append(p) }
            return
        }
        // Overlapping (a flush or a backfill): sort by (time, priority), keep the last per time.
        merged.removeAll(keepingCapacity: true)
        for p in parts {
            let start = ts.count
            append(p)
            for i in start..<ts.count { merged.append((ts[i], priority[p.reader], vs[i])) }
            ts.removeLast(ts.count - start)
            vs.removeLast(vs.count - start)
        }
        merged.sort { $0.t != $1.t ? $0.t < $1.t : $0.p < $1.p }
        var i = 0
        while i < merged.count {
            var j = i
            while j + 1 < merged.count && merged[j + 1].t == merged[i].t { j += 1 }
            ts.append(merged[j].t)
            vs.append(merged[j].v)
            i = j + 1
        }
    }

    private func firstTime(_ p: (reader: Int, series: Int)) -> Int64 {
        readers[p.reader].series[p.series].chunks.first?.minTime ?? .max
    }

    private func lastTime(_ p: (reader: Int, series: Int)) -> Int64 {
        readers[p.reader].series[p.series].chunks.last?.maxTime ?? .min
    }

    /// Appends one block series' samples in [mint, maxt), deleted ones removed.
    private mutating func append(_ p: (reader: Int, series: Int)) {
        let reader = readers[p.reader]
        let s = reader.series[p.series]
        let deleted = tombstones[p.reader][UInt64(p.series)]
        let start = ts.count
        // Work on a local decoder: the closures below append to `self`'s buffers.
        var decoder = ChunkIterator()
        swap(&decoder, &self.decoder)
        defer { swap(&decoder, &self.decoder) }
        for c in s.chunks where c.maxTime >= mint && c.minTime < maxt {
            if let deleted, Tombstones.covers(deleted, c.minTime, c.maxTime) { continue }
            let ok = reader.withColumn(c.timestampsRef) { tb in
                reader.withColumn(c.valuesRef) { vb in
                    do throws(CodecError) { try decoder.reset(timestamps: tb, values: vb); return true } catch { return false }
                }
            }
            // Columns were verified when the block was opened.
            guard ok else { continue }
            samplesRead += decoder.count
            let lo = mint, hi = maxt
            decoder.withDecoded { dts, dvs in
                if c.minTime >= lo && c.maxTime < hi {
                    ts.append(contentsOf: dts)
                    vs.append(contentsOf: dvs)
                } else {
                    for i in 0..<dts.count where dts[i] >= lo && dts[i] < hi {
                        ts.append(dts[i])
                        vs.append(dvs[i])
                    }
                }
            }
        }
        if let deleted { Tombstones.filter(deleted, ts: &ts, vs: &vs, from: start) }
    }
}
