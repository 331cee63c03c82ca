/// Why the server closed a connection (`strata_connections_dropped_total{reason}`).
enum ConnectionDropReason: String, Sendable {
    case maxConnections = "max_connections"
    case headerTimeout = "header_timeout"
    case readTimeout = "read_timeout"
    case idleTimeout = "idle_timeout"
}
