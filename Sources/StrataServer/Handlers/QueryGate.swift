import Synchronization

/// Bounds how many queries evaluate at once (Prometheus'
/// `--query.max-concurrency`, default 20); later ones wait their turn in
/// arrival order, but no longer than their timeout: as in Prometheus, the
/// time spent in the queue counts against the query's timeout.
final class QueryGate: Sendable {
    let limit: Int
    private struct Waiter {
        var id: UInt64
        var continuation: CheckedContinuation<Bool, Never>
        var timer: Task<Void, Never>?
    }
    private struct State {
        var running = 0
        var nextID: UInt64 = 0
        var waiting: [Waiter] = []
    }
    private let state = Mutex(State())

    init(limit: Int) { self.limit = max(1, limit) }

    /// Queries running now (for tests and metrics).
    var running: Int { state.withLock { $0.running } }
    /// Queries waiting for a slot.
    var waiting: Int { state.withLock { $0.waiting.count } }

    /// Takes a slot: true once admitted, false when `timeout` passed first
    /// (then no slot is held).
    func enter(timeout: Duration) async -> Bool {
        // A free slot is taken without suspending: a continuation resumed at
        // once still re-enqueues the task, a scheduling round trip that a
        // small query would otherwise pay on every request.
        if state.withLock({ s -> Bool in
            guard s.running < limit && s.waiting.isEmpty else { return false }
            s.running += 1
            return true
        }) { return true }
        return await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let id = state.withLock { s -> UInt64? in
                if s.running < limit { s.running += 1; return nil }
                s.nextID += 1
                s.waiting.append(Waiter(id: s.nextID, continuation: c, timer: nil))
                return s.nextID
            }
            guard let id else { c.resume(returning: true); return }
            let timer = Task { [self] in
                guard (try? await Task.sleep(for: timeout)) != nil else { return }   // cancelled: admitted
                let expired = state.withLock { s -> Waiter? in
                    guard let i = s.waiting.firstIndex(where: { $0.id == id }) else { return nil }
                    return s.waiting.remove(at: i)
                }
                expired?.continuation.resume(returning: false)
            }
            // The timer may already have fired and found the waiter; then
            // there is nothing left to attach it to.
            state.withLock { s in
                if let i = s.waiting.firstIndex(where: { $0.id == id }) { s.waiting[i].timer = timer }
            }
        }
    }

    func leave() {
        let next = state.withLock { s -> Waiter? in
            if s.waiting.isEmpty { s.running -= 1; return nil }
            return s.waiting.removeFirst()   // the slot passes straight to the next query
        }
        next?.timer?.cancel()
        next?.continuation.resume(returning: true)
    }

    /// Runs `body` holding a slot; `body` receives the time left of
    /// `timeout` after waiting. Throws 503 timeout "query timed out in query
    /// queue" (Prometheus' wording) when no slot came free in time.
    func run<T>(timeout: Duration, _ body: (Duration) async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let start = clock.now
        guard await enter(timeout: timeout) else {
            throw APIError(.timeout, "query timed out in query queue")
        }
        defer { leave() }
        let left = timeout - (clock.now - start)
        return try await body(left > .zero ? left : .zero)
    }
}
