/// Tunables of the WebSocket feeds (`realtime:` in the YAML config).
///
/// ```yaml
/// realtime:
///   replay_buffer: 1024        # broadcast events kept per channel for resume
///   send_buffer_messages: 1024 # per connection; more pending and the client is dropped
///   send_buffer_bytes: 8388608
///   ping_interval: 15s         # WebSocket ping; no pong by the next ping closes the connection
///   idle_timeout: 5m           # no message from the client for this long closes it (0: never)
///   resume_wait: 200ms         # how long a client without ?since= may take to send "resume"
///   tick: 100ms                # subscriptions are re-evaluated at most this often
///   late_window: 30s           # how far back pushed points may still be corrected
///   max_subscriptions: 64      # per connection
///   max_frame_bytes: 1048576   # larger messages are sent as continuation frames
/// ```
public struct RealtimeOptions: Sendable, Equatable {
    public var replayBuffer = 1024
    public var sendBufferMessages = 1024
    public var sendBufferBytes = 8 << 20
    public var pingInterval: Duration = .seconds(15)
    public var idleTimeout: Duration = .seconds(300)
    public var resumeWait: Duration = .milliseconds(200)
    /// After a slow consumer is told to close, how long the server waits for
    /// the close frame to get through before it closes the socket itself.
    public var dropGrace: Duration = .seconds(5)
    public var closeTimeout: Duration = .seconds(5)
    public var tick: Duration = .milliseconds(100)
    public var lateWindowMs: Int64 = 30_000
    public var maxSubscriptionsPerConnection = 64
    public var maxFrameBytes = 1 << 20
    /// Largest message a client may send (a subscription with a long query).
    public var maxInboundMessageBytes = 1 << 20
    /// Evaluation timeout of one subscription query.
    public var queryTimeout: Duration = .seconds(10)

    public init() {}

    /// Applies the `realtime:` mapping of the YAML config.
    public mutating func apply(yaml v: Any) throws(ConfigError) {
        guard let map = v as? [String: Any] else { throw .invalid("realtime", "must be a mapping") }
        for (k, raw) in map {
            let key = "realtime." + k
            switch k {
            case "replay_buffer": replayBuffer = try Self.positiveInt(key, raw)
            case "send_buffer_messages": sendBufferMessages = try Self.positiveInt(key, raw)
            case "send_buffer_bytes": sendBufferBytes = try Self.positiveInt(key, raw)
            case "max_subscriptions": maxSubscriptionsPerConnection = try Self.positiveInt(key, raw)
            case "max_frame_bytes": maxFrameBytes = try Self.positiveInt(key, raw)
            case "max_message_bytes": maxInboundMessageBytes = try Self.positiveInt(key, raw)
            case "ping_interval": pingInterval = .milliseconds(try Self.duration(key, raw, allowZero: false))
            case "idle_timeout": idleTimeout = .milliseconds(try Self.duration(key, raw, allowZero: true))
            case "resume_wait": resumeWait = .milliseconds(try Self.duration(key, raw, allowZero: true))
            case "drop_grace": dropGrace = .milliseconds(try Self.duration(key, raw, allowZero: true))
            case "tick": tick = .milliseconds(try Self.duration(key, raw, allowZero: true))
            case "late_window": lateWindowMs = try Self.duration(key, raw, allowZero: true)
            case "query_timeout": queryTimeout = .milliseconds(try Self.duration(key, raw, allowZero: false))
            default: throw .unknownKey(key)
            }
        }
    }

    static func positiveInt(_ key: String, _ v: Any) throws(ConfigError) -> Int {
        guard let n = v as? Int, n > 0 else { throw .invalid(key, "\(v)") }
        return n
    }

    static func duration(_ key: String, _ v: Any, allowZero: Bool) throws(ConfigError) -> Int64 {
        let ms: Int64?
        if let i = v as? Int { ms = Int64(i) * 1000 } else if let s = v as? String { ms = s == "0" ? 0 : TimeParameters.parseDuration(s) } else { ms = nil }
        guard let ms, ms > 0 || (allowZero && ms == 0) else { throw .invalid(key, "\(v)") }
        return ms
    }
}
