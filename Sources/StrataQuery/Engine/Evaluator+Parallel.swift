import Dispatch

extension Evaluator {
    /// Parts per thread in `inParts` (see there).
    static let partsPerThread = 4

    /// Runs `body` over contiguous parts of `0..<count`, in parallel on up
    /// to `limits.parallelism` threads when there are at least `minPerPart`
    /// items per part, each part with its own scratch buffers. Returns the
    /// parts' results in order; the first error in item order wins.
    ///
    /// There are up to `partsPerThread` parts per thread, claimed one at a
    /// time (`concurrentPerform` hands out iterations dynamically, and the
    /// calling thread takes part): when the machine is busy and a helper
    /// thread starts late, the caller has done most parts by then instead of
    /// waiting for a fixed half.
    ///
    /// `body` runs on other threads: it must not touch the evaluator's
    /// mutable state (`samplesHeld`, `scratch`); callers account for held
    /// samples after the join, in item order, as the sequential code would.
    func inParts<R>(
        _ count: Int, minPerPart: Int,
        _ body: (Range<Int>, inout SeriesScratch) throws(QueryError) -> R
    ) throws(QueryError) -> [R] {
        let threads = Swift.max(1, Swift.min(limits.parallelism, count / Swift.max(1, minPerPart)))
        if threads == 1 {
            return [try body(0..<count, &scratch)]
        }
        let parts = Swift.min(threads * Self.partsPerThread, count / Swift.max(1, minPerPart))
        if parts == 1 {
            return [try body(0..<count, &scratch)]
        }
        while extraScratch.count < parts - 1 { extraScratch.append(SeriesScratch()) }
        // Slot p holds worker p's scratch (moved in, so each buffer has one
        // owner) and its result. Each worker touches only its own slot.
        var slots: [(SeriesScratch, Result<R, QueryError>?)] = [(scratch, nil)]
        for i in 0..<(parts - 1) { slots.append((extraScratch[i], nil)) }
        scratch = SeriesScratch()
        for i in 0..<(parts - 1) { extraScratch[i] = SeriesScratch() }
        withoutActuallyEscaping(body) { body in
            slots.withUnsafeMutableBufferPointer { buffer in
                let shared = UnsafeSendable((body, buffer))
                DispatchQueue.concurrentPerform(iterations: parts) { p in
                    let (run, slot) = shared.value
                    let range = (count * p / parts)..<(count * (p + 1) / parts)
                    slot[p].1 = Result { () throws(QueryError) -> R in try run(range, &slot[p].0) }
                }
            }
        }
        scratch = slots[0].0
        for i in 0..<(parts - 1) { extraScratch[i] = slots[i + 1].0 }
        var out: [R] = []
        out.reserveCapacity(parts)
        for p in 0..<parts {
            switch slots[p].1! {
            case .success(let r): out.append(r)
            case .failure(let e): throw e
            }
        }
        return out
    }
}

/// A value handed to worker threads that the caller guarantees is safe to
/// use there (a non-escaping closure that only reads shared state).
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
