import StrataStorage

/// Series that come and go, as Kubernetes pods do: `slots` pods run at any
/// moment; each lives 20–100 min (uniform), then disappears and a new pod
/// (new name, new series) takes its slot in the same scrape. A vanished
/// pod's series get the Prometheus staleness marker at that scrape, as a
/// scraping Prometheus would send them over remote write.
///
/// Every pod exposes `seriesPerPod` (5) series with pod-style labels
/// (`namespace`, `pod` = `<deployment>-<replicaset hash>-<suffix>`,
/// `container`, `node`):
///
/// | slot | metric | shape |
/// |---:|---|---|
/// | 0, 1 | `container_cpu_usage_seconds_total{container="app"/"sidecar"}` | counter, float seconds |
/// | 2, 3 | `container_memory_working_set_bytes{container="app"/"sidecar"}` | gauge, whole 4 KiB pages |
/// | 4 | `kube_pod_info{created_by_kind="ReplicaSet"}` | constant 1 |
///
/// Pod `n` (numbered in order of creation; pods 0..<slots run at the start)
/// owns series `n·5 ..< (n+1)·5`; its labels derive from `seed` and `n`
/// alone, so `labels(series:)` answers for any pod a generator has made.
/// Scrapes of a slot happen at a fixed offset within the interval.
public struct ChurnWorkload: WorkloadRounds {
    public static let seriesPerPod = 5
    static let deployments: [(name: String, namespace: String)] = [
        ("api", "default"), ("web", "default"), ("worker", "batch"), ("scheduler", "batch"),
        ("cache", "platform"), ("auth", "platform"), ("billing", "payments"), ("ledger", "payments"),
        ("search", "search"), ("indexer", "search"), ("ingest", "observability"), ("alerting", "observability"),
    ]
    /// Kubernetes generates names from this alphabet (no vowels, no 0/1/3).
    static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789".utf8)
    static let minLifeMs: Int64 = 20 * 60_000
    static let maxLifeMs: Int64 = 100 * 60_000

    public let slots: Int
    public let seed: UInt64
    public let startMs: Int64
    public let roundIntervalMs: Int64
    public let nodes: Int

    public init(slots: Int = 400, seed: UInt64 = 1, start: Int64 = 1_700_000_000_000, intervalMs: Int64 = 15_000, nodes: Int = 16) {
        precondition(slots > 0 && intervalMs > 0 && nodes > 0)
        self.slots = slots
        self.seed = seed
        self.startMs = start
        self.roundIntervalMs = intervalMs
        self.nodes = nodes
    }

    /// Series alive in any one round.
    public var activeSeries: Int { slots * Self.seriesPerPod }

    /// Deployment index, replicaset hash, name suffix and node of pod `n`.
    func podIdentity(_ n: Int) -> (deployment: Int, pod: String, node: String) {
        var r = WorkloadRandom(seed: seed, UInt64(n), 0x90d)
        let d = Int(r.next() % UInt64(Self.deployments.count))
        // Pods of one deployment share a replicaset hash for a while (a
        // rollout every 64 pods), as they do between rollouts.
        var rs = WorkloadRandom(seed: seed, UInt64(d), UInt64(n / 64) &+ 0x45)
        func name(_ r: inout WorkloadRandom, _ k: Int) -> String {
            var bytes: [UInt8] = []
            for _ in 0..<k { bytes.append(Self.nameAlphabet[Int(r.next() % UInt64(Self.nameAlphabet.count))]) }
            return String(decoding: bytes, as: UTF8.self)
        }
        let pod = "\(Self.deployments[d].name)-\(name(&rs, 10))-\(name(&r, 5))"
        return (d, pod, "node-\(r.next() % UInt64(nodes))")
    }

    public func labels(series s: Int) -> Labels {
        precondition(s >= 0, "series out of range")
        let (d, pod, node) = podIdentity(s / Self.seriesPerPod)
        let ns = Self.deployments[d].namespace
        let slot = s % Self.seriesPerPod
        var pairs: [Label]
        switch slot {
        case 0, 1:
            pairs = [Label(metricNameLabel, "container_cpu_usage_seconds_total"), Label("container", slot == 0 ? "app" : "sidecar")]
        case 2, 3:
            pairs = [Label(metricNameLabel, "container_memory_working_set_bytes"), Label("container", slot == 2 ? "app" : "sidecar")]
        default:
            pairs = [Label(metricNameLabel, "kube_pod_info"), Label("created_by_kind", "ReplicaSet")]
        }
        pairs += [Label("namespace", ns), Label("node", node), Label("pod", pod)]
        pairs.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        return Labels(sortedUnchecked: pairs)
    }

    public func makeRoundGenerator() -> ChurnRoundGenerator { ChurnRoundGenerator(workload: self) }
}

public struct ChurnRoundGenerator: WorkloadRoundGenerator {
    struct Pod {
        var number: Int
        var endMs: Int64  // nominal time of the first scrape it misses
        var cpuRate: Double  // cores
        var cpu: (Double, Double)
        var memPages: (Int64, Int64)
        var basePages: Int64
    }

    let workload: ChurnWorkload
    var rng: WorkloadRandom
    var pods: [Pod] = []
    let offsets: [Int64]
    var nextPod: Int
    var roundIndex = 0

    init(workload: ChurnWorkload) {
        self.workload = workload
        var r = WorkloadRandom(seed: workload.seed, 0xc4a2, 7)
        var offs: [Int64] = []
        for _ in 0..<workload.slots { offs.append(r.int(0...(workload.roundIntervalMs - 1))) }
        offsets = offs
        rng = r
        nextPod = workload.slots
        for slot in 0..<workload.slots {
            // Pods running at the start are somewhere in their life.
            let remaining = rng.int(workload.roundIntervalMs...ChurnWorkload.maxLifeMs)
            pods.append(newPod(number: slot, endMs: workload.startMs + remaining))
        }
    }

    mutating func newPod(number: Int, endMs: Int64) -> Pod {
        let rate = 0.01 + 1.5 * rng.unit() * rng.unit()
        let base = Int64(12_800 + rng.unit() * 200_000)  // 50–830 MiB in 4 KiB pages
        return Pod(number: number, endMs: endMs, cpuRate: rate, cpu: (0, 0), memPages: (base, base / 8), basePages: base)
    }

    public mutating func next(into round: inout WorkloadRound) {
        round.removeAll()
        let nominal = workload.startMs + Int64(roundIndex) * workload.roundIntervalMs
        roundIndex += 1
        let dt = Double(workload.roundIntervalMs) / 1000
        for slot in pods.indices {
            let t = nominal + offsets[slot]
            if nominal >= pods[slot].endMs {
                let base = pods[slot].number * ChurnWorkload.seriesPerPod
                for i in 0..<ChurnWorkload.seriesPerPod { round.append(series: base + i, t, workloadStaleNaN) }
                let life = rng.int(ChurnWorkload.minLifeMs...ChurnWorkload.maxLifeMs)
                pods[slot] = newPod(number: nextPod, endMs: nominal + life)
                nextPod += 1
            }
            var p = pods[slot]
            let load = max(0, 1 + 0.3 * rng.normal())
            p.cpu.0 += p.cpuRate * dt * load
            p.cpu.1 += 0.02 * p.cpuRate * dt * max(0, 1 + 0.5 * rng.normal())
            p.memPages.0 = max(p.basePages / 2, p.memPages.0 + Int64(rng.normal() * 256) + (p.basePages - p.memPages.0) / 32)
            p.memPages.1 = max(256, p.memPages.1 + Int64(rng.normal() * 16))
            pods[slot] = p
            let base = p.number * ChurnWorkload.seriesPerPod
            round.append(series: base, t, (p.cpu.0 * 1e6).rounded() / 1e6)
            round.append(series: base + 1, t, (p.cpu.1 * 1e6).rounded() / 1e6)
            round.append(series: base + 2, t, Double(p.memPages.0 * 4096))
            round.append(series: base + 3, t, Double(p.memPages.1 * 4096))
            round.append(series: base + 4, t, 1)
        }
    }
}
