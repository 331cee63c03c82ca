/// Everything one `strata bench` run measured: written as
/// bench-results/results.json, and the source of results.md and ratios.svg.
public struct BenchResults: Sendable, Codable {
    public var schema = 1
    /// UTC, ISO 8601.
    public var date: String
    public var machine: MachineInfo
    public var settings: Settings
    public var load: LoadInfo
    public var window: QueryWindow
    public var queries: [BenchQuery]
    public var targets: [TargetResult]
    /// `--in-process`: the same load decoded and committed without HTTP.
    public var inProcess: InProcessIngest.Result?

    public struct MachineInfo: Sendable, Codable {
        public var cpu: String
        public var cores: Int
        public var memoryBytes: Int
        public var kernel: String
        /// 1-minute load average when the run started and when it ended
        /// (/proc/loadavg): above the core count, other work shared the
        /// CPUs and the figures are noisy.
        public var loadAverageAtStart: Double?
        public var loadAverageAtEnd: Double?
    }

    public struct Settings: Sendable, Codable {
        public var workload: BenchWorkload
        /// Requested series alive at a time.
        public var series: Int
        public var durationMs: Int64
        public var seed: UInt64
        public var connections: Int
        public var batchSamples: Int
        public var queryRuns: Int
        /// Times every target was measured (figures are medians over them).
        public var repetitions: Int
        public var quick: Bool
    }

    public struct LoadInfo: Sendable, Codable {
        public var samples: Int
        public var staleMarkers: Int
        public var series: Int
        public var rounds: Int
        public var requests: Int
        public var rawBytes: Int
        public var compressedBytes: Int
        public var minTime: Int64
        public var maxTime: Int64
        public var generateSeconds: Double
    }

    public func target(_ kind: TargetKind) -> TargetResult? { targets.first { $0.target == kind } }
}

public struct TargetResult: Sendable, Codable {
    public var target: TargetKind
    public var version: String?
    public var url: String
    public var external: Bool
    /// Set when the target could not be measured (the rest may be partial).
    public var error: String?
    public var ingest: IngestResult?
    public var flushSeconds: Double?
    public var cpu: CPUSeconds?
    public var memory: Memory?
    public var storage: Storage?
    /// `sum(count_over_time({__name__=~".+"}[…]))` over all data after the flush.
    public var storedSamples: Int?
    public var queries: [QueryMeasurement] = []
    /// How many repetitions the figures are medians of.
    public var repetitions = 1
    /// The ingest rate of each repetition, to show the spread.
    public var ingestRatesPerRepetition: [Double] = []

    public init(target: TargetKind, url: String, external: Bool) {
        self.target = target
        self.url = url
        self.external = external
    }

    public struct IngestResult: Sendable, Codable {
        public var seconds: Double
        public var samples: Int
        public var samplesPerSecond: Double
        public var requests: Int
        public var failedRequests: Int
        public var retries: Int
        public var firstError: String?
        public var timedOut: Bool
    }

    /// Server CPU (user + system) per phase, from /proc/PID/stat.
    public struct CPUSeconds: Sendable, Codable {
        public var ingest: Double
        public var flush: Double
        public var queries: Double
        public var total: Double
    }

    /// VmHWM after the ingest phase and at the end of the run.
    public struct Memory: Sendable, Codable {
        public var peakRSSAfterIngestBytes: Int
        public var peakRSSBytes: Int
    }

    public struct Storage: Sendable, Codable {
        /// Compressed blocks after the flush (apparent size).
        public var blockBytes: Int?
        /// The whole data directory after the flush (allocated size, as du).
        public var dataDirBytes: Int?
        public var blockBytesPerSample: Double?
        public var dataDirBytesPerSample: Double?
    }

    public func query(_ name: String) -> QueryMeasurement? { queries.first { $0.name == name } }
}

public struct QueryMeasurement: Sendable, Codable {
    public var name: String
    /// Timed runs (after one untimed warm-up run per repetition, whose
    /// answer is digested).
    public var runs: Int
    /// Every timed run, in ms.
    public var timesMs: [Double] = []
    /// Server CPU time (all threads, from schedstat) per timed run, in ms:
    /// what the query costs the server, much less disturbed than latency by
    /// other work on the machine.
    public var serverCPUMsPerRun: Double?
    public var p50Ms: Double?
    public var p95Ms: Double?
    public var minMs: Double?
    public var maxMs: Double?
    public var digest: String?
    /// Set when repetitions got answers with different digests: each
    /// repetition's digest (parallel float summation can change the last bits).
    public var digestsPerRepetition: [String]?
    public var resultSeries: Int?
    public var resultPoints: Int?
    public var error: String?
    /// Compared with Prometheus' answer (absent for Prometheus itself).
    public var vsPrometheus: String?
    public var matchesPrometheus: Bool?

    public init(name: String) {
        self.name = name
        runs = 0
    }
}

/// Nearest-rank percentiles (the smallest value with at least p % of the
/// values at or below it).
public enum Percentile {
    public static func of(_ values: [Double], _ p: Double) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
