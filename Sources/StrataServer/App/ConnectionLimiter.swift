import Synchronization

/// Counts the server's open connections against `limits.max_connections`
/// (issue #7: slow or numerous clients must not exhaust file descriptors and
/// memory). Shared by every connection of one server.
final class ConnectionLimiter: Sendable {
    /// 0: no limit.
    let maxConnections: Int
    let metrics: ServerMetrics
    private let open = Atomic<Int>(0)

    init(maxConnections: Int, metrics: ServerMetrics) {
        self.maxConnections = maxConnections
        self.metrics = metrics
    }

    /// Takes a slot for a new connection; false when all are taken (the
    /// connection is then closed, and counted as dropped).
    func tryAcquire() -> Bool {
        let n = open.wrappingAdd(1, ordering: .relaxed).newValue
        if maxConnections > 0 && n > maxConnections {
            open.wrappingSubtract(1, ordering: .relaxed)
            metrics.connectionDropped(reason: .maxConnections)
            return false
        }
        metrics.openConnections(n)
        return true
    }

    func release() {
        metrics.openConnections(open.wrappingSubtract(1, ordering: .relaxed).newValue)
    }

    var current: Int { open.load(ordering: .relaxed) }
}
