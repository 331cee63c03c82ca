/// The servers a benchmark run measures.
public enum TargetKind: String, Sendable, Codable, CaseIterable {
    case strata
    case prometheus
    case victoriametrics

    /// Name in reports.
    public var displayName: String {
        switch self {
        case .strata: return "Strata"
        case .prometheus: return "Prometheus"
        case .victoriametrics: return "VictoriaMetrics"
        }
    }

    /// The executable, as Debian installs it (strata: our own binary).
    public var defaultExecutable: String {
        switch self {
        case .strata: return "strata"
        case .prometheus: return "prometheus"
        case .victoriametrics: return "victoria-metrics"
        }
    }

    /// Debian package providing the executable (nil: not from Debian).
    public var debianPackage: String? {
        switch self {
        case .strata: return nil
        case .prometheus: return "prometheus"
        case .victoriametrics: return "victoria-metrics"
        }
    }

    /// Answers 200 once the server accepts requests.
    var readyPath: String {
        switch self {
        case .strata, .prometheus: return "/-/ready"
        case .victoriametrics: return "/health"
        }
    }

    /// Arguments to print the version.
    var versionArguments: [String] {
        switch self {
        case .strata, .prometheus: return ["--version"]
        case .victoriametrics: return ["-version"]
        }
    }

    /// Command-line arguments to serve on 127.0.0.1:`port` with data in `dataDir`.
    func serveArguments(port: Int, dataDir: String, configFile: String) -> [String] {
        switch self {
        case .strata:
            return ["serve", "--data-dir", dataDir, "--listen", "127.0.0.1:\(port)", "--log-level", "warning"]
        case .prometheus:
            // The remote write receiver and the admin API (snapshots) are off by default.
            return [
                "--config.file=\(configFile)", "--storage.tsdb.path=\(dataDir)",
                "--web.listen-address=127.0.0.1:\(port)",
                "--web.enable-remote-write-receiver", "--web.enable-admin-api",
                "--log.level=warn",
            ]
        case .victoriametrics:
            // Without latencyOffset=0s it hides the newest 30 s; the workload's
            // timestamps are in the past, so retention must reach back far.
            return [
                "-storageDataPath=\(dataDir)", "-httpListenAddr=127.0.0.1:\(port)",
                "-search.latencyOffset=0s", "-retentionPeriod=100y", "-loggerLevel=WARN",
            ]
        }
    }
}
