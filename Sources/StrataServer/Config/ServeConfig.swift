import Foundation
import StrataStorage
import Yams

/// Everything `strata serve` can be configured with. Loaded from the optional
/// YAML file (`--config strata.yml`), then overridden by command-line flags.
///
/// ```yaml
/// data_dir: ./data
/// listen: 127.0.0.1:9201
/// retention: 30d
/// retention_size: 20GB       # optional bound on all blocks; raw (oldest first) before rollups
/// rollup_retention: {5m: 180d, 1h: 2y}
/// rollup_after: {5m: 27d, 1h: 0s}   # default 5m: retention minus the largest block span
/// compaction_interval: 1m    # background compaction, rollups and retention
/// wal_fsync: always          # or "interval"
/// wal_fsync_interval: 1s
/// global:
///   external_labels: {cluster: eu1}   # on forwarded series and alerts sent out; $externalLabels
/// remote_write:               # forward everything ingested (or what matches)
///   - url: http://127.0.0.1:8428/api/v1/write
///     name: vm                  # optional; names the queue's state directory
///     match: ['{job="node"}']   # optional selectors; default: every series
///     max_samples_per_send: 2000
///     shards: 2
///     max_lag_bytes: 1073741824 # WAL kept for a slow receiver before dropping
/// limits:
///   max_body_bytes: 67108864
///   max_decoded_bytes: 33554432
///   max_series: 0            # 0: unlimited
///   max_labels_per_series: 64
///   max_label_name_length: 256
///   max_label_value_length: 4096
///   max_future_ms: 600000
/// targets:                   # monitored servers (issue #8, see TargetSpec)
///   - {id: node, url: "http://127.0.0.1:9100", kind: prometheus, interval: 15s}
/// monitoring: {self_scrape: true, host_metrics: true}   # see HealthOptions
/// realtime: {tick: 100ms}    # WebSocket feeds, see RealtimeOptions
/// query: {timeout: 2m, max_samples: 50000000, max_concurrency: 20, lookback_delta: 5m}   # QueryOptions
/// ```
public struct ServeConfig: Sendable, Equatable {
    public var dataDir = "./data"
    public var host = "127.0.0.1"
    public var port = 9201
    public var retention: Int64 = 30 * 86_400_000
    /// Size bound on all blocks in bytes (raw blocks go first, oldest first, then 5 m and 1 h rollups; never the head). 0: none.
    public var retentionBytes: Int64 = 0
    /// Retention of 5-minute and 1-hour rollups (issue #5): 180 days, 2 years.
    public var rollupRetention5m: Int64 = 180 * 86_400_000
    public var rollupRetention1h: Int64 = 2 * 365 * 86_400_000
    /// How far behind the newest data a raw block must end before it gets
    /// rollups of each resolution (`rollup_after`). 5 m: nil means within one
    /// maximum block span of leaving raw retention
    /// (`RollupOptions.defaultFiveMinuteDelay`); 1 h: at once.
    public var rollupAfter5m: Int64? = nil
    public var rollupAfter1h: Int64 = 0
    /// Pause between background compaction rounds.
    public var compactionInterval: Int64 = 60_000
    public var walFsync: WALFsyncMode = .interval(milliseconds: 1000)
    public var limits = Limits()
    /// Remote-write receivers that ingested data is forwarded to (issue #4).
    public var remoteWrite: [RemoteWriteTarget] = []
    /// Monitored servers from the config file (issue #8).
    public var targets: [TargetSpec] = []
    public var monitoring = HealthOptions()
    public var realtime = RealtimeOptions()
    /// Prometheus' `global.external_labels`: added to alerts sent to
    /// Alertmanager and webhooks, to series forwarded by remote write, and
    /// available as `$externalLabels` in alert templates.
    public var externalLabels = Labels()
    /// Prometheus rule files (issue #9), reloaded on SIGHUP and `POST /-/reload`.
    public var ruleFiles: [String] = []
    public var alerting = AlertingOptions()
    /// PromQL limits (Prometheus' `--query.*` flags, issue #4).
    public var query = QueryOptions()
    /// Storage knobs that are not in `--help` (tests, issue #7).
    public var storage = StorageTuning()
    /// Authentication, authorization, CORS and TLS (issue #7).
    public var security = SecurityOptions()

    /// Knobs for tests that must see many block cuts, compactions and
    /// retention passes in seconds: the crash matrix runs with 60 s blocks.
    public struct StorageTuning: Sendable, Equatable {
        /// Length of a block cut from the head (ms); nil: 2 h. Compaction
        /// levels scale with it (×6, ×36, as 2 h → 12 h → 3 d).
        public var blockRange: Int64? = nil
        /// How often the background loops cut blocks, compact and apply
        /// retention; nil: every 15 s and `compaction_interval`.
        public var maintenanceInterval: Duration? = nil
        /// WAL segment size in bytes; nil: 128 MiB. The disk-full test uses
        /// small segments so that segment creation runs into ENOSPC too.
        public var walSegmentSize: Int? = nil
        public init() {}

        public func apply(to o: inout DatabaseOptions) {
            if let s = walSegmentSize, s > 0 { o.wal.segmentSize = s }
            guard let r = blockRange, r > 0 else { return }
            o.head.chunkRange = r
            o.compactionRanges = [r, 6 * r, 36 * r]
        }
    }

    public struct Limits: Sendable, Equatable {
        /// Largest request body accepted (compressed, as sent).
        public var maxBodyBytes = 64 << 20
        /// Largest decoded (decompressed) remote-write payload: 32 MiB, Prometheus' own cap.
        public var maxDecodedBytes = 32 << 20
        public var maxSeries = 0
        public var labels = LabelLimits.default
        /// Samples further in the future than this are refused (10 min).
        public var maxFutureMs: Int64 = 600_000
        /// Open connections (HTTP and WebSocket); more are answered 503 and
        /// closed at accept. 0: no limit.
        public var maxConnections = 1024
        /// A request head must be complete this long after accept (or after
        /// the first byte of a keep-alive connection's next request).
        public var headerTimeout: Duration = .seconds(10)
        /// While a request body is read: the longest wait for the client's next bytes.
        public var readTimeout: Duration = .seconds(30)
        /// A keep-alive connection with no request in progress is closed after this.
        public var idleTimeout: Duration = .seconds(90)
        public init() {}
    }

    public init() {}

    public var listen: String {
        get { "\(host):\(port)" }
    }

    /// Parses `host:port` (`[::1]:9201` for IPv6).
    public mutating func setListen(_ s: String) throws(ConfigError) {
        if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            host = String(s[s.index(after: s.startIndex)..<close])
            let rest = s[s.index(after: close)...]
            guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()), (0...65535).contains(p) else { throw .invalid("listen", s) }
            port = p
            return
        }
        guard let colon = s.lastIndex(of: ":"), let p = Int(s[s.index(after: colon)...]), (0...65535).contains(p) else {
            throw .invalid("listen", s)
        }
        host = String(s[..<colon])
        if host.isEmpty { host = "0.0.0.0" }
        port = p
    }

    public mutating func setWALFsync(_ s: String, interval: Int64? = nil) throws(ConfigError) {
        switch s {
        case "always": walFsync = .always
        case "interval": walFsync = .interval(milliseconds: Int(interval ?? 1000))
        default: throw .invalid("wal_fsync", s)
        }
    }

    /// Loads a YAML file on top of the defaults.
    public static func load(yaml path: String) throws -> ServeConfig {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch { throw ConfigError.unreadable(path, "\(error)") }
        var c = try parse(yaml: text)
        // As in Prometheus, relative rule file paths (and patterns) are
        // relative to the config file's directory.
        if let slash = path.lastIndex(of: "/") {
            let dir = String(path[..<slash])
            c.ruleFiles = c.ruleFiles.map { $0.hasPrefix("/") ? $0 : (dir.isEmpty ? "/" : dir + "/") + $0 }
        }
        return c
    }

    public static func parse(yaml text: String) throws -> ServeConfig {
        var c = ServeConfig()
        let node: Any?
        do { node = try Yams.load(yaml: text) } catch { throw ConfigError.syntax("\(error)") }
        guard let root = node else { return c }
        guard let map = root as? [String: Any] else { throw ConfigError.syntax("top level must be a mapping") }
        for (k, v) in map {
            switch k {
            case "data_dir": c.dataDir = try string(k, v)
            case "listen": try c.setListen(try string(k, v))
            case "retention":
                guard let r = TimeParameters.parsePromDuration(try string(k, v)), r > 0 else { throw ConfigError.invalid(k, "\(v)") }
                c.retention = r
            case "retention_size":
                guard let n = ByteSize.parse(try string(k, v)) else { throw ConfigError.invalid(k, "\(v)") }
                c.retentionBytes = n
            case "rollup_retention":
                guard let m = v as? [String: Any] else { throw ConfigError.invalid(k, "must be a mapping of 5m/1h to durations") }
                for (rk, rv) in m {
                    guard let d = TimeParameters.parsePromDuration(try string("rollup_retention.\(rk)", rv)), d > 0 else {
                        throw ConfigError.invalid("rollup_retention.\(rk)", "\(rv)")
                    }
                    switch rk {
                    case "5m": c.rollupRetention5m = d
                    case "1h": c.rollupRetention1h = d
                    default: throw ConfigError.unknownKey("rollup_retention.\(rk)")
                    }
                }
            case "rollup_after":
                guard let m = v as? [String: Any] else { throw ConfigError.invalid(k, "must be a mapping of 5m/1h to durations") }
                for (rk, rv) in m {
                    let text = try string("rollup_after.\(rk)", rv)
                    guard let d = text == "0" ? 0 : TimeParameters.parsePromDuration(text), d >= 0 else {
                        throw ConfigError.invalid("rollup_after.\(rk)", "\(rv)")
                    }
                    switch rk {
                    case "5m": c.rollupAfter5m = d
                    case "1h": c.rollupAfter1h = d
                    default: throw ConfigError.unknownKey("rollup_after.\(rk)")
                    }
                }
            case "compaction_interval":
                guard let d = TimeParameters.parsePromDuration(try string(k, v)), d > 0 else { throw ConfigError.invalid(k, "\(v)") }
                c.compactionInterval = d
            case "wal_fsync":
                let interval = (map["wal_fsync_interval"] as? String).flatMap(TimeParameters.parsePromDuration)
                try c.setWALFsync(try string(k, v), interval: interval)
            case "wal_fsync_interval":
                break  // read with wal_fsync
            case "remote_write":
                guard let list = v as? [Any] else { throw ConfigError.invalid(k, "must be a list") }
                for (i, item) in list.enumerated() {
                    guard let m = item as? [String: Any] else { throw ConfigError.invalid("remote_write[\(i)]", "must be a mapping") }
                    c.remoteWrite.append(try RemoteWriteTarget.parse(m, index: i))
                }
            case "limits":
                guard let lm = v as? [String: Any] else { throw ConfigError.invalid(k, "must be a mapping") }
                for (lk, lv) in lm {
                    if ["header_timeout", "read_timeout", "idle_timeout"].contains(lk) {
                        guard let ms = TimeParameters.parsePromDuration(try string("limits.\(lk)", lv)), ms > 0 else {
                            throw ConfigError.invalid("limits.\(lk)", "\(lv)")
                        }
                        switch lk {
                        case "header_timeout": c.limits.headerTimeout = .milliseconds(ms)
                        case "read_timeout": c.limits.readTimeout = .milliseconds(ms)
                        default: c.limits.idleTimeout = .milliseconds(ms)
                        }
                        continue
                    }
                    guard let n = lv as? Int, n >= 0 else { throw ConfigError.invalid("limits.\(lk)", "\(lv)") }
                    switch lk {
                    case "max_body_bytes": c.limits.maxBodyBytes = n
                    case "max_decoded_bytes": c.limits.maxDecodedBytes = n
                    case "max_series": c.limits.maxSeries = n
                    case "max_labels_per_series": c.limits.labels.maxLabels = n
                    case "max_label_name_length": c.limits.labels.maxNameLength = n
                    case "max_label_value_length": c.limits.labels.maxValueLength = n
                    case "max_future_ms": c.limits.maxFutureMs = Int64(n)
                    case "max_connections": c.limits.maxConnections = n
                    default: throw ConfigError.unknownKey("limits.\(lk)")
                    }
                }
            case "targets": c.targets = try HealthOptions.targets(yaml: v)
            case "monitoring": try c.monitoring.apply(yaml: v)
            case "realtime": try c.realtime.apply(yaml: v)
            case "global":
                guard let gm = v as? [String: Any] else { throw ConfigError.invalid(k, "must be a mapping") }
                for (gk, gv) in gm {
                    guard gk == "external_labels" else { throw ConfigError.unknownKey("global.\(gk)") }
                    guard let lm = gv as? [String: Any] else { throw ConfigError.invalid("global.external_labels", "must be a mapping") }
                    var pairs: [Label] = []
                    for (name, value) in lm {
                        let key = "global.external_labels.\(name)"
                        let s = try string(key, value)
                        guard Labels.isValidLabelName(name), name != "__name__" else { throw ConfigError.invalid(key, "invalid label name") }
                        guard !s.isEmpty else { throw ConfigError.invalid(key, "empty value") }
                        pairs.append(Label(name, s))
                    }
                    c.externalLabels = Labels(sorting: pairs)
                }
            case "rule_files":
                guard let list = v as? [Any] else { throw ConfigError.invalid(k, "must be a list of paths") }
                c.ruleFiles = try list.map { try string(k, $0) }
            case "alerting": try c.alerting.apply(yaml: v)
            case "query": try c.query.apply(yaml: v)
            case "storage":
                guard let sm = v as? [String: Any] else { throw ConfigError.invalid(k, "must be a mapping") }
                for (sk, sv) in sm {
                    if sk == "wal_segment_size" {
                        guard let n = ByteSize.parse(try string("storage.\(sk)", sv)), n >= 4096 else {
                            throw ConfigError.invalid("storage.\(sk)", "\(sv)")
                        }
                        c.storage.walSegmentSize = Int(n)
                        continue
                    }
                    guard let d = TimeParameters.parsePromDuration(try string("storage.\(sk)", sv)), d > 0 else {
                        throw ConfigError.invalid("storage.\(sk)", "\(sv)")
                    }
                    switch sk {
                    case "block_range": c.storage.blockRange = d
                    case "maintenance_interval": c.storage.maintenanceInterval = .milliseconds(d)
                    default: throw ConfigError.unknownKey("storage.\(sk)")
                    }
                }
            case "security": try c.security.apply(yaml: v)
            default:
                throw ConfigError.unknownKey(k)
            }
        }
        return c
    }

    private static func string(_ key: String, _ v: Any) throws(ConfigError) -> String {
        if let s = v as? String { return s }
        if let i = v as? Int { return String(i) }
        throw .invalid(key, "\(v)")
    }
}

public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String, String)
    case syntax(String)
    case unknownKey(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .unreadable(let p, let e): return "cannot read config \(p): \(e)"
        case .syntax(let e): return "config is not valid YAML: \(e)"
        case .unknownKey(let k): return "unknown config key \"\(k)\""
        case .invalid(let k, let v): return "invalid value for \(k): \(v)"
        }
    }
}
