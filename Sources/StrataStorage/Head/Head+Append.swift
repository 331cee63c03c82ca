import StrataCodec

/// Buffers samples and commits them as one batch: validated, logged to the
/// WAL, and applied to the head atomically with respect to other commits.
///
/// An appender is a value owned by one task. `append` only buffers (and looks
/// up or creates series); nothing is visible or durable before `commit()`.
/// `rollback()` discards the buffer. Samples of one series appended
/// consecutively form a "run", so a batch costs one series lookup per run, not
/// per sample.
public struct HeadAppender {
    let head: Head
    var refs: [SeriesRef] = []
    var ts: [Int64] = []
    var vs: [Double] = []
    /// One entry per run of consecutive samples of one series; these own the series…
    var runSeries: [MemSeries] = []
    /// …and these are the same references, used without ARC traffic in commit's loops.
    var runUnmanaged: [Unmanaged<MemSeries>] = []
    var runEnds: [Int] = []
    var record: [UInt8] = []
    var status: [UInt8] = []

    init(head: Head) { self.head = head }

    /// Number of buffered samples.
    public var count: Int { ts.count }

    /// Buffers a sample for the series `labels` (sorted), creating the series if needed.
    @discardableResult
    public mutating func append(_ labels: Labels, _ t: Int64, _ v: Double) throws(SeriesError) -> SeriesRef {
        let series = try head.getOrCreateSeries(labels, hash: labels.stableHash)
        appendResolved(series, t, v)
        return series.ref
    }

    /// Buffers a sample for a series known by ref (from an earlier `append` or `getOrCreate`).
    public mutating func append(ref: SeriesRef, _ t: Int64, _ v: Double) throws(SeriesError) {
        if let last = runUnmanaged.last, last._withUnsafeGuaranteedRef({ $0.ref }) == ref {
            refs.append(ref)
            ts.append(t)
            vs.append(v)
            runEnds[runEnds.count - 1] = ts.count
            return
        }
        guard let series = head.stripes.get(ref: ref) else { throw .unknownRef(ref) }
        appendResolved(series, t, v)
    }

    @inline(__always)
    @usableFromInline
    mutating func appendResolved(_ series: MemSeries, _ t: Int64, _ v: Double) {
        refs.append(series.ref)
        ts.append(t)
        vs.append(v)
        if let last = runUnmanaged.last, last.toOpaque() == Unmanaged.passUnretained(series).toOpaque() {
            runEnds[runEnds.count - 1] = ts.count
        } else {
            runSeries.append(series)
            runUnmanaged.append(Unmanaged.passUnretained(series))
            runEnds.append(ts.count)
        }
    }

    /// Buffers a sample for a series resolved earlier with `Head.series(for:)`:
    /// no lookup at all, the fastest path for callers that cache series.
    @inlinable
    public mutating func append(_ series: SeriesHandle, _ t: Int64, _ v: Double) {
        appendResolved(series.series, t, v)
    }

    /// Reserves buffer capacity for `n` more samples.
    public mutating func reserveCapacity(_ n: Int) {
        refs.reserveCapacity(refs.count + n)
        ts.reserveCapacity(ts.count + n)
        vs.reserveCapacity(vs.count + n)
    }

    public mutating func rollback() {
        refs.removeAll(keepingCapacity: true)
        ts.removeAll(keepingCapacity: true)
        vs.removeAll(keepingCapacity: true)
        runSeries.removeAll(keepingCapacity: true)
        runUnmanaged.removeAll(keepingCapacity: true)
        runEnds.removeAll(keepingCapacity: true)
    }

    /// Validates, logs and applies the buffered samples; with `--wal-fsync
    /// always`, returns once they are on stable storage. Rejected samples are
    /// reported in the result, never stored. Throws only if the WAL write or
    /// fsync failed, in which case nothing of this batch is acknowledged.
    public mutating func commit() async throws -> CommitResult {
        defer { rollback() }
        let result = try commitWithoutWaiting()
        if result.appended > 0 || result.duplicates > 0 {
            try await head.wal.waitDurable(result.walPosition)
        }
        return result
    }

    /// The synchronous part of `commit()`: everything but the fsync wait.
    public mutating func commitWithoutWaiting() throws -> CommitResult {
        while true {
            if let result = try commitOnce() { return result }
        }
    }

    /// Replaces series that garbage collection removed after they were
    /// appended to (their data had all been persisted and they went idle).
    private mutating func resolveRemoved() throws(SeriesError) {
        var start = 0
        for r in 0..<runSeries.count {
            let s = runSeries[r]
            let end = runEnds[r]
            if s.removed.load(ordering: .relaxed) {
                let fresh = try head.getOrCreateSeries(s.labels, hash: s.labels.stableHash)
                runSeries[r] = fresh
                runUnmanaged[r] = Unmanaged.passUnretained(fresh)
                for i in start..<end { refs[i] = fresh.ref }
            }
            start = end
        }
    }

    /// One attempt; nil if series were garbage-collected concurrently and the batch must be re-resolved.
    private mutating func commitOnce() throws -> CommitResult? {
        var result = CommitResult()
        let n = ts.count
        guard n > 0 else { return result }
        let gcEpoch = head.gcEpoch.load(ordering: .relaxed)
        try resolveRemoved()
        // Encode outside the critical section, assuming every sample is accepted.
        WAL.beginRecord(&record)
        refs.withUnsafeBufferPointer { r in
            ts.withUnsafeBufferPointer { t in
                vs.withUnsafeBufferPointer { v in WALRecord.encodeSamples(refs: r, ts: t, vs: v, into: &record) }
            }
        }
        status.removeAll(keepingCapacity: true)
        status.append(contentsOf: repeatElement(0, count: n))

        let head = self.head
        let options = head.options
        let raced = try head.wal.withWriter { (w: inout WAL.Writer) throws(IOError) -> Bool in
            if head.gcEpoch.load(ordering: .relaxed) != gcEpoch,
               runSeries.contains(where: { $0.removed.load(ordering: .relaxed) }) {
                return true
            }
            head.commitEpoch &+= 1
            let epoch = head.commitEpoch
            let minValid = head.minValidA.load(ordering: .relaxed)
            var start = 0
            var accepted = 0
            for r in 0..<runSeries.count {
              runUnmanaged[r]._withUnsafeGuaranteedRef { s in
                let end = runEnds[r]
                if s.vEpoch != epoch {
                    s.vEpoch = epoch
                    s.vT = s.lastT
                    s.vBits = s.lastBits
                    s.vHas = s.hasSamples
                }
                for i in start..<end {
                    let t = ts[i]
                    let bits = vs[i].bitPattern
                    if t < minValid {
                        status[i] = 2
                        result.rejected.append(RejectedSample(index: i, ref: s.ref, timestamp: t, rejection: .outOfBounds(minValid: minValid)))
                    } else if s.vHas && t <= s.vT {
                        if t == s.vT && bits == s.vBits {
                            status[i] = 1
                            result.duplicates += 1
                        } else {
                            status[i] = 2
                            let why: SampleRejection = t == s.vT ? .duplicateTimestamp : .outOfOrder(lastTimestamp: s.vT)
                            result.rejected.append(RejectedSample(index: i, ref: s.ref, timestamp: t, rejection: why))
                        }
                    } else {
                        s.vT = t
                        s.vBits = bits
                        s.vHas = true
                        accepted += 1
                    }
                }
                start = end
              }
            }
            guard accepted > 0 else {
                // Only identical duplicates: their originals may still wait for
                // their fsync, so acknowledge no earlier than everything logged.
                result.walPosition = w.written
                return false
            }
            if accepted != n { reencodeAccepted(accepted) }
            result.walPosition = try w.log(&record)

            // Apply. Readers are excluded per series by its sample lock.
            var lo = Int64.max, hi = Int64.min
            start = 0
            for r in 0..<runSeries.count {
                let end = runEnds[r]
                runUnmanaged[r]._withUnsafeGuaranteedRef { s in
                    s.lock()
                    for i in start..<end where status[i] == 0 {
                        let t = ts[i]
                        s.append(t, vs[i], chunkRange: options.chunkRange, samplesPerChunk: options.samplesPerChunk)
                        if t < lo { lo = t }
                        if t > hi { hi = t }
                    }
                    s.unlock()
                }
                start = end
            }
            result.appended = accepted
            head.noteTimes(min: lo, max: hi)
            return false
        }
        if raced { return nil }
        head.samplesAppendedA.wrappingAdd(UInt64(result.appended), ordering: .relaxed)
        return result
    }

    /// Re-encodes the WAL record with only the accepted samples (rare: a batch with rejections).
    private mutating func reencodeAccepted(_ accepted: Int) {
        var r2: [SeriesRef] = [], t2: [Int64] = [], v2: [Double] = []
        r2.reserveCapacity(accepted)
        t2.reserveCapacity(accepted)
        v2.reserveCapacity(accepted)
        for i in 0..<ts.count where status[i] == 0 {
            r2.append(refs[i])
            t2.append(ts[i])
            v2.append(vs[i])
        }
        WAL.beginRecord(&record)
        r2.withUnsafeBufferPointer { r in
            t2.withUnsafeBufferPointer { t in
                v2.withUnsafeBufferPointer { v in WALRecord.encodeSamples(refs: r, ts: t, vs: v, into: &record) }
            }
        }
    }
}
