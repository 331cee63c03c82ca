import Synchronization

/// Lets one caller at a time through and turns the others away at once,
/// for work that is expensive and pointless to queue: a full audit chain
/// verification reads every block and recomputes every hash (about 30 s
/// for 10 M events on the project machine, docs/events.md "Performance"),
/// and a second one started meanwhile would only repeat it.
final class ExclusiveGate: Sendable {
    private let busy = Mutex(false)

    /// True if the caller may go ahead; it must then call `leave()`.
    func tryEnter() -> Bool {
        busy.withLock { b in
            if b { return false }
            b = true
            return true
        }
    }

    func leave() {
        busy.withLock { $0 = false }
    }
}
