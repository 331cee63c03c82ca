import StrataCodec

/// Where a chunk's bytes live.
public enum ChunkSource: @unchecked Sendable {
    /// A head chunk (Gorilla XOR), shared copy-on-write with the head.
    case xor([UInt8])
    /// A block chunk: timestamp and value column references in `reader`'s chunk files.
    case columns(BlockReader, timestamps: UInt64, values: UInt64)
}

public struct ChunkMeta: Sendable {
    public var minTime: Int64
    public var maxTime: Int64
    public var source: ChunkSource
}

/// A series selected by a querier: its labels and its chunks from the head
/// and every block, ordered by `minTime`. Samples are decoded lazily.
public struct StorageSeries: Sendable {
    public let labels: Labels
    public internal(set) var chunks: [ChunkMeta]
    /// The query range; samples outside it are never returned.
    public let mint: Int64
    public let maxt: Int64

    /// Whether some chunks overlap in time (after a flush or with overlapping blocks).
    var overlapping: Bool {
        var prevMax = Int64.min
        for c in chunks {
            if c.minTime <= prevMax { return true }
            prevMax = c.maxTime
        }
        return false
    }

    /// Appends every sample in [mint, maxt] (or the narrower [from, to]) to
    /// `ts`/`vs`, in time order, duplicates removed. `decoder` is reused scratch.
    public func appendSamples(
        from: Int64? = nil, to: Int64? = nil,
        ts: inout [Int64], vs: inout [Double], decoder: inout ChunkIterator
    ) {
        let lo = max(mint, from ?? .min), hi = min(maxt, to ?? .max)
        guard lo <= hi else { return }
        if !overlapping {
            for c in chunks where c.maxTime >= lo && c.minTime <= hi {
                guard Self.decode(c.source, into: &decoder) else { continue }
                decoder.withDecoded { dts, dvs in
                    // Chunks don't overlap here, so samples arrive in increasing
                    // time order: copy the chunk's [lo, hi] slice in bulk.
                    let i = c.minTime >= lo ? 0 : lowerBound(dts, lo)
                    let j = c.maxTime <= hi ? dts.count : lowerBound(dts, hi &+ 1)
                    if i < j {
                        ts.append(contentsOf: UnsafeBufferPointer(rebasing: dts[i..<j]))
                        vs.append(contentsOf: UnsafeBufferPointer(rebasing: dvs[i..<j]))
                    }
                }
            }
            return
        }
        // Overlapping chunks: gather, then sort by time; on equal timestamps the
        // later chunk (newer data) wins.
        var all: [(Int64, Int, Double)] = []
        for (k, c) in chunks.enumerated() where c.maxTime >= lo && c.minTime <= hi {
            guard Self.decode(c.source, into: &decoder) else { continue }
            decoder.withDecoded { dts, dvs in
                for i in 0..<dts.count where dts[i] >= lo && dts[i] <= hi { all.append((dts[i], k, dvs[i])) }
            }
        }
        all.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var i = 0
        while i < all.count {
            var j = i
            while j + 1 < all.count && all[j + 1].0 == all[i].0 { j += 1 }
            ts.append(all[j].0)
            vs.append(all[j].2)
            i = j + 1
        }
    }

    /// All samples in the query range as arrays.
    public func samples() -> (timestamps: [Int64], values: [Double]) {
        var ts: [Int64] = [], vs: [Double] = []
        var d = ChunkIterator()
        appendSamples(ts: &ts, vs: &vs, decoder: &d)
        return (ts, vs)
    }

    /// A lazy iterator over the samples in the query range.
    public func makeIterator() -> SeriesIterator { SeriesIterator(self) }

    /// Decodes one chunk; false for a chunk that fails to decode (verified
    /// blocks and our own head chunks never do; see `BlockReader`).
    @inline(__always)
    static func decode(_ source: ChunkSource, into d: inout ChunkIterator) -> Bool {
        switch source {
        case .xor(let bytes):
            return bytes.withUnsafeBytes { raw in
                do throws(CodecError) { try d.reset(xor: raw); return true } catch { return false }
            }
        case .columns(let reader, let tRef, let vRef):
            return reader.withColumn(tRef) { tBytes in
                reader.withColumn(vRef) { vBytes in
                    do throws(CodecError) { try d.reset(timestamps: tBytes, values: vBytes); return true } catch { return false }
                }
            }
        }
    }
}

@inline(__always)
func lowerBound(_ a: UnsafeBufferPointer<Int64>, _ t: Int64) -> Int {
    var lo = 0, hi = a.count
    while lo < hi {
        let mid = (lo + hi) >> 1
        if a[mid] < t { lo = mid + 1 } else { hi = mid }
    }
    return lo
}

/// Iterates a series' samples chunk by chunk (decoding one chunk at a time).
/// For overlapping chunks it materialises the merged samples first.
public struct SeriesIterator {
    let series: StorageSeries
    var chunkIndex = -1
    var decoder = ChunkIterator()
    var merged: (ts: [Int64], vs: [Double])?
    var pos = -1
    var hasCurrent = false
    public private(set) var timestamp: Int64 = .min
    public private(set) var value: Double = 0

    init(_ s: StorageSeries) {
        series = s
        if s.overlapping {
            var ts: [Int64] = [], vs: [Double] = []
            var d = ChunkIterator()
            s.appendSamples(ts: &ts, vs: &vs, decoder: &d)
            merged = (ts, vs)
        }
    }

    /// Moves to the next sample; false at the end.
    public mutating func next() -> Bool {
        advance(atLeast: hasCurrent ? timestamp &+ 1 : series.mint)
    }

    /// Moves to the first sample at or after `t` (never backwards); false if there is none.
    public mutating func seek(to t: Int64) -> Bool {
        if hasCurrent && timestamp >= t { return true }
        return advance(atLeast: max(t, hasCurrent ? timestamp &+ 1 : series.mint))
    }

    /// Positions on the first sample with timestamp ≥ `t` and ≤ maxt.
    private mutating func advance(atLeast t: Int64) -> Bool {
        hasCurrent = false
        if let m = merged {
            var lo = max(pos, 0), hi = m.ts.count
            while lo < hi {
                let mid = (lo + hi) >> 1
                if m.ts[mid] < t { lo = mid + 1 } else { hi = mid }
            }
            pos = lo
            guard pos < m.ts.count, m.ts[pos] <= series.maxt else { pos = m.ts.count; return false }
            timestamp = m.ts[pos]
            value = m.vs[pos]
            hasCurrent = true
            return true
        }
        let chunks = series.chunks
        while true {
            if chunkIndex >= 0 && chunkIndex < chunks.count && decoder.seek(to: t) {
                let ts = decoder.timestamp
                if ts > series.maxt { chunkIndex = chunks.count; return false }
                timestamp = ts
                value = decoder.value
                hasCurrent = true
                return true
            }
            chunkIndex += 1
            while chunkIndex < chunks.count && chunks[chunkIndex].maxTime < t { chunkIndex += 1 }
            guard chunkIndex < chunks.count else { return false }
            if chunks[chunkIndex].minTime > series.maxt { chunkIndex = chunks.count; return false }
            if !StorageSeries.decode(chunks[chunkIndex].source, into: &decoder) { decoder.clear() }
        }
    }
}
