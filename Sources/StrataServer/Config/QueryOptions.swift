import StrataQuery

/// Server-wide PromQL limits, Prometheus 2.42's `--query.*` flags with their
/// defaults (issue #4): `query: {timeout: 2m, max_samples: 50000000,
/// max_concurrency: 20, lookback_delta: 5m}`.
///
/// A request's `timeout` parameter can only shorten `timeout`, as in
/// Prometheus (`min(timeout param, --query.timeout)`). The time a query
/// waits for one of the `max_concurrency` slots counts against its timeout;
/// running out there answers 503 "query timed out in query queue".
public struct QueryOptions: Sendable, Equatable {
    /// `--query.timeout`, in ms.
    public var timeoutMs: Int64 = 120_000
    /// `--query.max-samples`: samples one query may hold at once.
    public var maxSamples = 50_000_000
    /// `--query.max-concurrency`: queries evaluated at once; later ones wait.
    public var maxConcurrency = 20
    /// `--query.lookback-delta`, in ms.
    public var lookbackDeltaMs: Int64 = 300_000

    public init() {}

    /// The engine limits of one query whose `timeout` parameter (if any) asked for `requestedMs`.
    public func limits(requestedTimeoutMs: Int64? = nil) -> QueryLimits {
        var l = QueryLimits()
        l.timeout = .milliseconds(Swift.min(timeoutMs, requestedTimeoutMs ?? timeoutMs))
        l.maxSamples = maxSamples
        l.lookbackDelta = lookbackDeltaMs
        return l
    }

    public mutating func apply(yaml v: Any) throws(ConfigError) {
        guard let map = v as? [String: Any] else { throw .invalid("query", "must be a mapping") }
        for (k, raw) in map {
            let key = "query." + k
            switch k {
            case "timeout": timeoutMs = try Self.duration(key, raw)
            case "lookback_delta": lookbackDeltaMs = try Self.duration(key, raw)
            case "max_samples": maxSamples = try Self.positiveInt(key, raw)
            case "max_concurrency": maxConcurrency = try Self.positiveInt(key, raw)
            default: throw .unknownKey(key)
            }
        }
    }

    static func positiveInt(_ key: String, _ v: Any) throws(ConfigError) -> Int {
        guard let n = v as? Int, n > 0 else { throw .invalid(key, "\(v)") }
        return n
    }

    static func duration(_ key: String, _ v: Any) throws(ConfigError) -> Int64 {
        guard let s = v as? String, let ms = TimeParameters.parsePromDuration(s), ms > 0 else { throw .invalid(key, "\(v)") }
        return ms
    }
}
