import Synchronization

/// How the ingest path tells the subscription evaluator that data landed.
///
/// `signal()` is called once per committed batch on the ingest hot path, so it
/// must never wait: it bumps a counter and, only if the evaluator is parked,
/// hands it a wake-up under an uncontended lock. The evaluator coalesces any
/// number of signals into one evaluation per tick.
public final class CommitSignal: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var waiter: CheckedContinuation<UInt64, Never>?
        /// A `wake()` that found nobody parked: the next `wait` returns at once.
        var wakePending = false
        var finished = false
    }

    private let parked = Atomic<Bool>(false)
    private let generation = Atomic<UInt64>(0)
    /// The oldest sample timestamp committed since the evaluator last took it.
    private let oldestPending = Atomic<Int64>(.max)
    private let state = Mutex(State())

    public init() {}

    /// Records a commit whose oldest sample is at `oldestTimestamp` (Unix
    /// ms): subscriptions re-evaluate from there, not their whole late
    /// window. Non-blocking; safe from any thread.
    public func signal(oldestTimestamp: Int64 = .min) {
        // Atomic minimum: one load in the common case (samples newer than the pending minimum).
        var cur = oldestPending.load(ordering: .relaxed)
        while oldestTimestamp < cur {
            let (exchanged, original) = oldestPending.compareExchange(expected: cur, desired: oldestTimestamp, ordering: .relaxed)
            if exchanged { break }
            cur = original
        }
        generation.wrappingAdd(1, ordering: .sequentiallyConsistent)
        // Fast path: nobody parked, nothing else to do.
        guard parked.load(ordering: .sequentiallyConsistent) else { return }
        let w: CheckedContinuation<UInt64, Never>? = state.withLock { s in
            defer { s.waiter = nil }
            return s.waiter
        }
        if let w {
            parked.store(false, ordering: .releasing)
            w.resume(returning: generation.load(ordering: .acquiring))
        }
    }

    /// Takes the oldest timestamp signalled since the last call (nil: none).
    /// Called before evaluating, so commits during the evaluation count for the next one.
    func takeOldestTimestamp() -> Int64? {
        let t = oldestPending.exchange(.max, ordering: .acquiringAndReleasing)
        return t == .max ? nil : t
    }

    /// The number of commits signalled so far.
    public var current: UInt64 { generation.load(ordering: .acquiring) }

    /// Whether the evaluator is parked in `wait` (for tests: an idle server
    /// must park, not spin).
    var isParked: Bool { state.withLock { $0.waiter != nil } }

    /// Waits until the generation differs from `seen` (returns at once if it
    /// already does), or until `wake()`/cancellation. Returns the generation.
    func wait(after seen: UInt64) async -> UInt64 {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<UInt64, Never>) in
                let ready: UInt64? = state.withLock { s in
                    if s.finished || s.wakePending {
                        s.wakePending = false
                        return generation.load(ordering: .acquiring)
                    }
                    s.waiter = cont
                    parked.store(true, ordering: .sequentiallyConsistent)
                    // Re-check after publishing `parked`, so a signal between
                    // the caller's read and here is not lost.
                    let g = generation.load(ordering: .sequentiallyConsistent)
                    if g != seen {
                        s.waiter = nil
                        parked.store(false, ordering: .releasing)
                        return g
                    }
                    return nil
                }
                if let ready { cont.resume(returning: ready) }
            }
        } onCancel: {
            wake()
        }
    }

    /// Wakes a parked waiter without a commit (new subscription, shutdown).
    func wake() {
        let w: CheckedContinuation<UInt64, Never>? = state.withLock { s in
            defer { s.waiter = nil }
            if s.waiter == nil { s.wakePending = true }
            return s.waiter
        }
        parked.store(false, ordering: .releasing)
        w?.resume(returning: generation.load(ordering: .acquiring))
    }

    /// Wakes the waiter and makes every later `wait` return at once.
    func finish() {
        state.withLock { $0.finished = true }
        wake()
    }
}
