import StrataCodec
import StrataStorage

/// Buffers one worker reuses for every series it loads: decoded samples,
/// the chunk decoder, and `rate`'s counter-reset prefix counts. Allocated
/// while they grow to the largest series, never per sample.
struct SeriesScratch {
    var timestamps: [Int64] = []
    var values: [Double] = []
    var decoder = ChunkIterator()
    var resetCounts: [Int32] = []

    /// Loads the samples of `s` in [mint, maxt] (`nil`: the series' whole
    /// query range).
    mutating func load(_ s: StorageSeries, mint: Int64? = nil, maxt: Int64? = nil) {
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        s.appendSamples(from: mint, to: maxt, ts: &timestamps, vs: &values, decoder: &decoder)
    }

    /// Prepares loaded samples for range functions: `dropStale()`, then,
    /// with `resets`, `computeResets()`. Most series hold no NaN and no
    /// reset: one read-only pass over the values finds that out for both.
    mutating func prepareWindows(resets: Bool) {
        let n = values.count
        var firstNaN = n, firstReset = n
        values.withUnsafeBufferPointer { v in
            guard n > 0 else { return }
            if v[0].isNaN { firstNaN = 0; return }
            var i = 1
            while i < n {
                let x = v[i]
                if x.isNaN { firstNaN = i; return }
                if resets && firstReset == n && x < v[i - 1] { firstReset = i }
                i += 1
            }
        }
        if firstNaN < n {
            dropStale(from: firstNaN)
            if resets { computeResets() }
            return
        }
        resetCounts.removeAll(keepingCapacity: true)
        if resets && firstReset < n { fillResets(from: firstReset) }
    }

    /// Removes staleness markers (range selectors never return them) and
    /// replaces other NaN payloads by the canonical NaN. Most series hold no
    /// NaN at all: one read-only pass finds that out.
    mutating func dropStale() {
        let n = values.count
        let first: Int? = values.withUnsafeBufferPointer { v in
            for i in 0..<n where v[i].isNaN { return i }
            return nil
        }
        guard let first else { return }
        dropStale(from: first)
    }

    /// `dropStale()` where `first` is the index of the first NaN.
    private mutating func dropStale(from first: Int) {
        let n = values.count
        var w = first
        timestamps.withUnsafeMutableBufferPointer { ts in
            values.withUnsafeMutableBufferPointer { vs in
                for i in first..<n {
                    let v = vs[i]
                    if v.bitPattern == StepValue.absentBits { continue }
                    ts[w] = ts[i]
                    vs[w] = StepValue.canonical(v)
                    w += 1
                }
            }
        }
        timestamps.removeSubrange(w...)
        values.removeSubrange(w...)
    }

    /// Fills `resetCounts[i]` with the number of counter resets (a value
    /// below its predecessor) among samples 1...i, or empties it when the
    /// series has none, the common case (then no window needs the slow path).
    mutating func computeResets() {
        let n = values.count
        resetCounts.removeAll(keepingCapacity: true)
        let firstReset: Int? = values.withUnsafeBufferPointer { v in
            var i = 1
            while i < n {
                if v[i] < v[i - 1] { return i }
                i += 1
            }
            return nil
        }
        guard let firstReset else { return }
        fillResets(from: firstReset)
    }

    /// The prefix counts, given the index of the first reset.
    private mutating func fillResets(from firstReset: Int) {
        let n = values.count
        resetCounts.removeAll(keepingCapacity: true)
        resetCounts.reserveCapacity(n)
        resetCounts.append(contentsOf: repeatElement(0, count: n))
        values.withUnsafeBufferPointer { v in
            resetCounts.withUnsafeMutableBufferPointer { rc in
                var c: Int32 = 0
                for i in firstReset..<n {
                    if v[i] < v[i - 1] { c += 1 }
                    rc[i] = c
                }
            }
        }
    }
}
