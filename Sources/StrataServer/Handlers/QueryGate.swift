import Synchronization

/// Bounds how many queries evaluate at once (Prometheus'
/// `--query.max-concurrency`, default 20); later ones wait their turn in
/// arrival order.
final class QueryGate: Sendable {
    let limit: Int
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    init(limit: Int) { self.limit = max(1, limit) }

    func enter() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let admitted = state.withLock { s -> Bool in
                if s.running < limit { s.running += 1; return true }
                s.waiting.append(c)
                return false
            }
            if admitted { c.resume() }
        }
    }

    func leave() {
        let next = state.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.waiting.isEmpty { s.running -= 1; return nil }
            return s.waiting.removeFirst()   // the slot passes straight to the next query
        }
        next?.resume()
    }

    func run<T>(_ body: () async throws -> T) async throws -> T {
        await enter()
        defer { leave() }
        return try await body()
    }
}
