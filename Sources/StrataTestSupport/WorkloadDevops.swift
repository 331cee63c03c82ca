import StrataStorage

/// The TSBS "cpu-only" use case (github.com/timescale/tsbs,
/// pkg/data/usecases/devops): `hosts` machines, each reporting the 10
/// fields of the `cpu` measurement every 10 s, all hosts at the same
/// instant. Named as Influx line protocol maps into Prometheus
/// (`measurement_field`), e.g. `cpu_usage_user{hostname="host_0",...}`.
///
/// Each field is a random walk with standard-normal steps clamped to
/// [0, 100], starting uniformly in [0, 100], and is reported truncated to an
/// integer (TSBS writes the cpu fields as int64). A host's ten tags are
/// drawn once from TSBS' choice lists. Series `s` is field `s % 10` of host
/// `s / 10`.
public struct DevopsWorkload: WorkloadRounds {
    public static let fields = [
        "usage_user", "usage_system", "usage_idle", "usage_nice", "usage_iowait",
        "usage_irq", "usage_softirq", "usage_steal", "usage_guest", "usage_guest_nice",
    ]
    public static let seriesPerHost = fields.count

    // TSBS' tag choices.
    static let regions: [(String, [String])] = [
        ("us-east-1", ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1e"]),
        ("us-west-1", ["us-west-1a", "us-west-1b"]),
        ("us-west-2", ["us-west-2a", "us-west-2b", "us-west-2c"]),
        ("eu-west-1", ["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
        ("eu-central-1", ["eu-central-1a", "eu-central-1b"]),
        ("ap-southeast-1", ["ap-southeast-1a", "ap-southeast-1b"]),
        ("ap-southeast-2", ["ap-southeast-2a", "ap-southeast-2b"]),
        ("ap-northeast-1", ["ap-northeast-1a", "ap-northeast-1c"]),
        ("sa-east-1", ["sa-east-1a", "sa-east-1b", "sa-east-1c"]),
    ]
    static let teams = ["SF", "NYC", "LON", "CHI"]
    static let oses = ["Ubuntu16.10", "Ubuntu16.04LTS", "Ubuntu15.10"]
    static let arches = ["x64", "x86"]
    static let environments = ["production", "staging", "test"]

    public let hosts: Int
    public let seed: UInt64
    public let startMs: Int64
    public let roundIntervalMs: Int64

    public init(hosts: Int = 200, seed: UInt64 = 1, start: Int64 = 1_700_000_000_000, intervalMs: Int64 = 10_000) {
        precondition(hosts > 0 && intervalMs > 0)
        self.hosts = hosts
        self.seed = seed
        self.startMs = start
        self.roundIntervalMs = intervalMs
    }

    public var seriesCount: Int { hosts * Self.seriesPerHost }

    /// The ten tags of `host`, sorted by name.
    public func hostTags(_ host: Int) -> [Label] {
        var r = WorkloadRandom(seed: seed, UInt64(host), 0xde7095)
        func pick(_ xs: [String]) -> String { xs[Int(r.next() % UInt64(xs.count))] }
        let region = Self.regions[Int(r.next() % UInt64(Self.regions.count))]
        let datacenter = pick(region.1)
        let rack = String(r.next() % 100)
        let arch = pick(Self.arches)
        let os = pick(Self.oses)
        let service = String(r.next() % 20)
        let serviceVersion = String(r.next() % 2)
        let environment = pick(Self.environments)
        let team = pick(Self.teams)
        return [
            Label("arch", arch), Label("datacenter", datacenter), Label("hostname", "host_\(host)"),
            Label("os", os), Label("rack", rack), Label("region", region.0), Label("service", service),
            Label("service_environment", environment), Label("service_version", serviceVersion), Label("team", team),
        ]
    }

    public func labels(series s: Int) -> Labels {
        precondition(s >= 0 && s < seriesCount, "series out of range")
        var pairs = hostTags(s / Self.seriesPerHost)
        pairs.append(Label(metricNameLabel, "cpu_" + Self.fields[s % Self.seriesPerHost]))
        pairs.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return Labels(sortedUnchecked: pairs)
    }

    public func makeRoundGenerator() -> DevopsRoundGenerator { DevopsRoundGenerator(workload: self) }
}

public struct DevopsRoundGenerator: WorkloadRoundGenerator {
    let workload: DevopsWorkload
    var rng: WorkloadRandom
    var state: [Double]
    var roundIndex = 0

    init(workload: DevopsWorkload) {
        self.workload = workload
        var r = WorkloadRandom(seed: workload.seed, 0xc9_0a11, 1)
        state = (0..<workload.seriesCount).map { _ in r.unit() * 100 }
        rng = r
    }

    public mutating func next(into round: inout WorkloadRound) {
        round.removeAll()
        let t = workload.startMs + Int64(roundIndex) * workload.roundIntervalMs
        roundIndex += 1
        for s in state.indices {
            state[s] = min(100, max(0, state[s] + rng.normal()))
            round.append(series: s, t, state[s].rounded(.towardZero))
        }
    }
}
