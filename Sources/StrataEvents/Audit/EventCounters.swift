import Synchronization

/// Events appended since the store opened, per type and severity (the key
/// byte): the source of `strata_audit_events_total{type,severity}`.
public final class EventCounters: Sendable {
    private let counts = Mutex<[UInt64]>([UInt64](repeating: 0, count: 256))

    public init() {}

    func add(_ keys: some Sequence<UInt8>) {
        counts.withLock { c in for k in keys { c[Int(k)] += 1 } }
    }

    /// Non-zero counters.
    public func snapshot() -> [(type: EventType, severity: Severity, count: UInt64)] {
        counts.withLock { c in
            var out: [(EventType, Severity, UInt64)] = []
            for (k, v) in c.enumerated() where v > 0 {
                let key = EventKey(rawValue: UInt8(k))
                out.append((key.type, key.severity, v))
            }
            return out
        }
    }
}
