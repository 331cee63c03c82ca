import NIOCore

/// The per-connection limits `ConnectionGuardHandler` enforces, from
/// `limits:` in the config (`ServeConfig.Limits`).
struct ConnectionGuardOptions: Sendable {
    /// From accept (or from the first byte of a keep-alive connection's next
    /// request) until the complete request head has arrived.
    var headerTimeout: TimeAmount
    /// While a request body is being read: the longest the server waits for
    /// the client's next bytes.
    var readTimeout: TimeAmount
    /// A keep-alive connection with no request in progress.
    var idleTimeout: TimeAmount
    var limiter: ConnectionLimiter
}
