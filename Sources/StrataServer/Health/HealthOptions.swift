/// Tunables of health monitoring (`monitoring:` in the YAML config).
///
/// ```yaml
/// monitoring:
///   self_scrape: true            # scrape our own /metrics as job="strata"
///   self_scrape_interval: 15s
///   host_metrics: true           # CPU, memory, disk, fds of this host from /proc
///   host_metrics_interval: 15s
/// ```
public struct HealthOptions: Sendable, Equatable {
    public var selfScrape = true
    public var selfScrapeIntervalMs: Int64 = 15_000
    public var hostMetrics = true
    public var hostMetricsIntervalMs: Int64 = 15_000
    /// Where API changes to targets are kept (nil: `<data dir>/targets.json`).
    public var targetsFile: String?

    public init() {}

    public mutating func apply(yaml v: Any) throws(ConfigError) {
        guard let map = v as? [String: Any] else { throw .invalid("monitoring", "must be a mapping") }
        for (k, raw) in map {
            let key = "monitoring." + k
            switch k {
            case "self_scrape":
                guard let b = raw as? Bool else { throw .invalid(key, "\(raw)") }
                selfScrape = b
            case "host_metrics":
                guard let b = raw as? Bool else { throw .invalid(key, "\(raw)") }
                hostMetrics = b
            case "self_scrape_interval": selfScrapeIntervalMs = try RealtimeOptions.duration(key, raw, allowZero: false)
            case "host_metrics_interval": hostMetricsIntervalMs = try RealtimeOptions.duration(key, raw, allowZero: false)
            case "targets_file":
                guard let s = raw as? String, !s.isEmpty else { throw .invalid(key, "\(raw)") }
                targetsFile = s
            default: throw .unknownKey(key)
            }
        }
    }

    /// Parses the `targets:` list of the YAML config.
    public static func targets(yaml v: Any) throws(ConfigError) -> [TargetSpec] {
        guard let list = v as? [Any] else { throw .invalid("targets", "must be a list") }
        var out: [TargetSpec] = []
        var ids = Set<String>()
        for (i, item) in list.enumerated() {
            guard let j = JSONValue(yaml: item) else { throw .invalid("targets[\(i)]", "must be a mapping") }
            let spec: TargetSpec
            do { spec = try TargetSpec.decode(j, source: .config) } catch { throw .invalid("targets[\(i)]", error.message) }
            guard ids.insert(spec.id).inserted else { throw .invalid("targets[\(i)]", "duplicate id \"\(spec.id)\"") }
            out.append(spec)
        }
        return out
    }
}
