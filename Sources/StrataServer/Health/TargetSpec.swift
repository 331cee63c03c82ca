import StrataStorage

/// A monitored server: from the `targets:` section of the YAML config, from
/// `POST/PUT /api/v1/targets`, or Strata's own `/metrics` (self-scrape).
///
/// ```yaml
/// targets:
///   - id: node-1                 # [A-Za-z0-9][A-Za-z0-9_.-]*, default: from name
///     name: "Node 1"             # display name, default: id
///     url: http://10.0.0.5:9100  # prometheus: /metrics when no path is given
///     kind: prometheus           # or http (a probe)
///     interval: 15s
///     timeout: 10s               # at most the interval
///     labels: {env: prod}        # job defaults to the id, instance to host:port
/// ```
public struct TargetSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Scrape a Prometheus text exposition into the TSDB.
        case prometheus
        /// Probe: status code and response time.
        case http
    }

    public enum Source: String, Sendable {
        case config
        case api
        /// Strata's self-scrape.
        case builtin
    }

    public var id: String
    public var name: String
    public var url: String
    public var kind: Kind
    public var intervalMs: Int64
    public var timeoutMs: Int64
    /// Extra labels; `job` and `instance` here override the defaults.
    public var labels: [String: String]
    public var source: Source

    public init(id: String, name: String? = nil, url: String, kind: Kind = .prometheus, intervalMs: Int64 = 15_000,
                timeoutMs: Int64? = nil, labels: [String: String] = [:], source: Source = .api) {
        self.id = id
        self.name = name ?? id
        self.url = url
        self.kind = kind
        self.intervalMs = intervalMs
        self.timeoutMs = timeoutMs ?? min(10_000, intervalMs)
        self.labels = labels
        self.source = source
    }

    var parsedURL: TargetURL? { TargetURL.parse(url, defaultPath: kind == .prometheus ? "/metrics" : "/") }

    /// The `job` label of the target's series.
    public var job: String { labels["job"] ?? id }

    /// The `instance` label of the target's series.
    public var instance: String { labels["instance"] ?? parsedURL?.hostPort ?? url }

    /// job, instance and the extra labels, sorted: what every series of this target carries.
    public var targetLabels: Labels {
        var d = labels
        d["job"] = job
        d["instance"] = instance
        return Labels(d)
    }

    /// The series whose average over 24 h is the target's uptime.
    var uptimeMetric: String { kind == .prometheus ? "up" : "probe_success" }
}

/// Why a target definition was refused. The API answers 400 with `message`.
public struct TargetError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
