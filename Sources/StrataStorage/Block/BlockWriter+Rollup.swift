import StrataCodec

/// Rollup blocks (issue #5, docs/format/rollups.md): the same directory,
/// index and chunk files as raw blocks, `meta.resolution` set to the
/// window, and each series chunk a pair (window-start timestamp column,
/// rollup record).
extension BlockWriter {
    /// Windows per rollup chunk: cut at multiples of 288 windows (a day of
    /// 5-minute windows, 12 days of hours) and at `maxSamplesPerChunk`.
    static let rollupChunkWindows: Int64 = 288

    /// Adds one series' windows (sorted by start, inside the block's range).
    /// Series must be added in increasing label order.
    public func addRollup(_ labels: Labels, _ w: RollupWindows, scratch: inout RollupChunk.Scratch) throws(IOError) {
        precondition(meta.resolution > 0, "rollup windows in a raw block")
        if let last = lastLabels { precondition(last < labels, "series must be added in label order") }
        lastLabels = labels
        let n = w.windows
        guard n > 0 else { return }
        let span = meta.resolution * Self.rollupChunkWindows
        var chunks: [BlockChunkMeta] = []
        var start = 0
        var samples = 0
        while start < n {
            let boundary = (MemSeries.floorDiv(w.timestamps[start], span) + 1) * span
            var end = start + 1
            let limit = min(n, start + BlockFormat.maxSamplesPerChunk)
            while end < limit && w.timestamps[end] < boundary { end += 1 }
            column.removeAll(keepingCapacity: true)
            w.timestamps.withUnsafeBufferPointer { TimestampColumn.encode(UnsafeBufferPointer(rebasing: $0[start..<end]), into: &column) }
            let tsRef: UInt64
            if let existing = tsDedup[column] {
                tsRef = existing
            } else {
                tsRef = try writeColumn(column)
                tsDedup[column] = tsRef
            }
            column.removeAll(keepingCapacity: true)
            RollupChunk.encode(w, start..<end, into: &column, scratch: &scratch)
            let vRef = try writeColumn(column)
            chunks.append(BlockChunkMeta(minTime: w.timestamps[start], maxTime: w.timestamps[end - 1], samples: end - start,
                                         timestampsRef: tsRef, valuesRef: vRef))
            for i in start..<end { samples += Int(w.count[i]) }
            start = end
        }
        seriesLabels.append(labels)
        seriesChunks.append(chunks)
        meta.stats.series += 1
        meta.stats.samples += samples
        meta.stats.chunks += chunks.count
    }
}
