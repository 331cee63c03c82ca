import Synchronization

/// Wakes one group's evaluation loop before its next tick (data arrived).
/// A kick while the loop is not waiting is kept, so none is lost between
/// two waits; any number of kicks coalesce into one wake-up.
final class GroupWake: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func kick() {
        let w: CheckedContinuation<Void, Never>? = state.withLock { s in
            guard let w = s.waiter else { s.pending = true; return nil }
            s.waiter = nil
            return w
        }
        w?.resume()
    }

    /// Returns at the next kick (at once if one is pending) or on cancellation.
    func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now: Bool = state.withLock { s in
                    if s.pending || Task.isCancelled { s.pending = false; return true }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            kick()
        }
    }

    /// Drops a kick that arrived while the group was evaluating anyway.
    func clear() { state.withLock { $0.pending = false } }
}
