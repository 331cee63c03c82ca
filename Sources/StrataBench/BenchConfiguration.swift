/// What `strata bench` runs; the command line fills it in.
public struct BenchConfiguration: Sendable {
    public var workload: BenchWorkload = .node
    /// Series alive at a time (node: 100 per host, devops: 10 per host, churn: 5 per pod).
    public var series = 2_000
    public var durationMs: Int64 = 6 * 3_600_000
    public var seed: UInt64 = 1
    /// Nominal time of the workload's first round (ms). Fixed, so that
    /// digests are the same from run to run.
    public var startMs: Int64 = 1_700_000_000_000
    public var connections = 2
    public var batchSamples = 5_000
    /// Timed runs per query per repetition (after one warm-up run).
    public var queryRuns = 20
    /// Every target is measured this many times (fresh data each time) and
    /// each figure is the median: this machine's 2 cores are shared, and a
    /// single run can land in someone else's build.
    public var repetitions = 3
    /// Range queries use about this many steps.
    public var querySteps = 250
    public var targets: [TargetKind] = TargetKind.allCases
    /// Executables (paths or names in PATH) per target.
    public var executables: [TargetKind: String] = [:]
    /// Targets already running elsewhere: measured over HTTP only.
    public var externalURLs: [TargetKind: String] = [:]
    /// Data directory of an external target, to measure its size.
    public var externalDataDirs: [TargetKind: String] = [:]
    public var outputDir = "bench-results"
    /// Where the servers' data directories go (a fresh temp dir if nil).
    public var workDir: String?
    public var keepData = false
    /// Install missing peers with apt-get.
    public var installPeers = true
    public var quick = false
    /// Also ingest the same requests in-process (decode + commit into a
    /// Database, no HTTP), to separate the engine's cost from the server's.
    public var inProcess = false
    public var progress = true

    // Bounds: every loop ends by count and by time.
    public var readyTimeoutSeconds = 60.0
    public var ingestTimeoutSeconds = 600.0
    /// A query stops repeating once its runs took this long.
    public var queryBudgetSeconds = 60.0
    public var maxRetries = 3

    public init() {}

    /// The ≤ 2 minute version: 500 series over 2 h, 5 runs per query, once.
    public mutating func applyQuick() {
        quick = true
        series = 500
        durationMs = 2 * 3_600_000
        queryRuns = 5
        repetitions = 1
        queryBudgetSeconds = 10
        ingestTimeoutSeconds = 60
    }

    /// How far (in rounds) one connection may run ahead of the others: 30
    /// min of data, half of Prometheus' 1 h appendable window.
    func maxLeadRounds(roundIntervalMs: Int64) -> Int { Int(30 * 60_000 / max(1, roundIntervalMs)) }
}
