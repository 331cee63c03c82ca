import StrataStorage

/// A deterministic node_exporter-like workload: the data that tests,
/// benchmarks and docs/benchmarks.md quote.
///
/// `hosts` scrape targets (default 20), each exposing the same 100 series
/// every 15 s, so 2,000 series by default:
///
/// | series | metric | shape |
/// |---:|---|---|
/// | 32 | `node_cpu_seconds_total{cpu,mode}` | counters in hundredths of a second (USER_HZ); irq/nice/steal mostly idle |
/// | 3 | `node_load1/5/15` | gauges with 2 decimals, exponentially smoothed as the kernel does |
/// | 10 | `node_memory_*_bytes` | gauges in whole KiB (from /proc/meminfo); MemTotal and SwapFree constant |
/// | 16 | `node_network_{receive,transmit}_{bytes,packets,errs,drop}_total{device}` | integer counters; errs/drop almost never move |
/// | 10 | `node_disk_*_total{device}` | integer counters (bytes in 512-byte sectors), io time in ms (3 decimals) |
/// | 9 | `node_filesystem_{size,avail,free}_bytes{mountpoint}` | 4 KiB blocks, size constant, avail drifting |
/// | 3 | context switches, interrupts, forks | integer counters |
/// | 2 | `node_procs_running/blocked` | small integer gauges |
/// | 1 | `node_time_seconds` | the exporter's clock, nanosecond precision (no short decimal form) |
/// | 14 | `http_request_duration_seconds_{bucket{le},sum,count}` | 12 cumulative buckets, a float `_sum` of ns-precision durations, `_count` |
///
/// Timestamps: Prometheus scrapes every target once per interval at a
/// fixed per-target offset and stamps all series of one scrape with the
/// same timestamp; here each scrape is also jittered by ±`jitterMs`
/// (uniform), independently per scrape. No scrape is missed and no
/// counter resets, which keeps the figures comparable between runs.
///
/// Everything derives from `seed` through `WorkloadRandom`, so the same
/// parameters give the same samples on every machine.
public struct NodeWorkload: Sendable {
    public static let seriesPerHost = 100

    public let hosts: Int
    public let seed: UInt64
    /// Nominal time of scrape 0, in ms.
    public let start: Int64
    public let scrapeIntervalMs: Int64
    public let jitterMs: Int64

    public init(
        hosts: Int = 20, seed: UInt64 = 1, start: Int64 = 1_700_000_000_000,
        scrapeIntervalMs: Int64 = 15_000, jitterMs: Int64 = 10
    ) {
        precondition(hosts > 0 && scrapeIntervalMs > 0 && jitterMs >= 0)
        self.hosts = hosts
        self.seed = seed
        self.start = start
        self.scrapeIntervalMs = scrapeIntervalMs
        self.jitterMs = jitterMs
    }

    public var seriesCount: Int { hosts * Self.seriesPerHost }

    /// The scrape target (host index) of series `s`. Series are numbered
    /// host-major: host h owns h·100 ..< (h+1)·100.
    public func host(ofSeries s: Int) -> Int { s / Self.seriesPerHost }

    /// The label pairs of series `s`, sorted by name.
    public func labelPairs(series s: Int) -> [(String, String)] {
        precondition(s >= 0 && s < seriesCount, "series out of range")
        let h = host(ofSeries: s)
        var pairs = NodeSeriesTemplate.all[s % Self.seriesPerHost]
        pairs.append(("instance", "host-\(h < 10 ? "0" : "")\(h):9100"))
        pairs.append(("job", "node"))
        pairs.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        return pairs
    }

    public func labels(series s: Int) -> Labels {
        Labels(sortedUnchecked: labelPairs(series: s).map { Label($0.0, $0.1) })
    }

    /// Timestamp of scrape `k` of `host`: nominal time, a fixed per-host
    /// offset within the interval, and the scrape's jitter.
    public func timestamp(host: Int, scrape k: Int) -> Int64 {
        var offsetRng = WorkloadRandom(seed: seed, UInt64(host), 0x0ff5e7)
        let offset = offsetRng.int(0...(scrapeIntervalMs - 1))
        var jitterRng = WorkloadRandom(seed: seed, UInt64(host) << 32 | UInt64(truncatingIfNeeded: k), 0x717)
        let jitter = jitterMs == 0 ? 0 : jitterRng.int(-jitterMs...jitterMs)
        return start + Int64(k) * scrapeIntervalMs + offset + jitter
    }

    /// Scrape indices whose nominal time lies in `[mint, maxt)`.
    public func scrapes(from mint: Int64, to maxt: Int64) -> Range<Int> {
        func index(_ t: Int64) -> Int {
            t <= start ? 0 : Int((t - start + scrapeIntervalMs - 1) / scrapeIntervalMs)
        }
        let lo = index(mint), hi = max(lo, index(maxt))
        return lo..<hi
    }

    /// A stateful generator of `host`'s scrapes from scrape 0 on, for long
    /// ingestion runs without re-simulating.
    public func scraper(host: Int) -> NodeHostScraper {
        precondition(host >= 0 && host < hosts, "host out of range")
        return NodeHostScraper(workload: self, host: host)
    }

    /// All of `host`'s samples over `scrapes`: one shared timestamp column
    /// and, for each of its 100 series, one value column.
    public func hostSamples(host: Int, scrapes: Range<Int>) -> (timestamps: [Int64], values: [[Double]]) {
        var sc = scraper(host: host)
        var row = [Double](repeating: 0, count: Self.seriesPerHost)
        var ts: [Int64] = []
        ts.reserveCapacity(scrapes.count)
        var cols = [[Double]](repeating: [], count: Self.seriesPerHost)
        for i in cols.indices { cols[i].reserveCapacity(scrapes.count) }
        while sc.scrapeIndex < scrapes.upperBound {
            let k = sc.scrapeIndex
            let t = sc.next(into: &row)
            guard k >= scrapes.lowerBound else { continue }
            ts.append(t)
            for i in 0..<Self.seriesPerHost { cols[i].append(row[i]) }
        }
        return (ts, cols)
    }

    /// The samples of one series over `scrapes`.
    public func samples(series s: Int, scrapes: Range<Int>) -> (timestamps: [Int64], values: [Double]) {
        let (ts, cols) = hostSamples(host: host(ofSeries: s), scrapes: scrapes)
        return (ts, cols[s % Self.seriesPerHost])
    }
}

/// The 100 per-host series (without `instance` and `job`), in slot order.
enum NodeSeriesTemplate {
    static let cpuModes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
    static let memory = ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "Active", "Inactive", "Dirty", "Shmem", "SwapFree"]
    static let netDevices = ["eth0", "lo"]
    static let netCounters = ["bytes", "packets", "errs", "drop"]
    static let disks = ["sda", "sdb"]
    static let diskCounters = ["reads_completed_total", "writes_completed_total", "read_bytes_total", "written_bytes_total", "io_time_seconds_total"]
    static let mounts = [("/", "ext4", "/dev/sda1"), ("/boot", "vfat", "/dev/sda2"), ("/var", "xfs", "/dev/sdb1")]
    static let fsMetrics = ["size_bytes", "avail_bytes", "free_bytes"]
    static let buckets: [(String, Double)] = [
        ("0.005", 0.005), ("0.01", 0.01), ("0.025", 0.025), ("0.05", 0.05), ("0.1", 0.1), ("0.25", 0.25),
        ("0.5", 0.5), ("1", 1), ("2.5", 2.5), ("5", 5), ("10", 10), ("+Inf", .infinity),
    ]

    // Slot layout, used by the scraper.
    static let cpu = 0, load = 32, mem = 35, net = 45, disk = 61, fs = 71, misc = 80, procs = 83, time = 85, hist = 86

    static let all: [[(String, String)]] = {
        var s: [[(String, String)]] = []
        for c in 0..<4 {
            for m in cpuModes { s.append([("__name__", "node_cpu_seconds_total"), ("cpu", "\(c)"), ("mode", m)]) }
        }
        for n in ["node_load1", "node_load5", "node_load15"] { s.append([("__name__", n)]) }
        for m in memory { s.append([("__name__", "node_memory_\(m)_bytes")]) }
        for d in netDevices {
            for dir in ["receive", "transmit"] {
                for c in netCounters { s.append([("__name__", "node_network_\(dir)_\(c)_total"), ("device", d)]) }
            }
        }
        for d in disks {
            for c in diskCounters { s.append([("__name__", "node_disk_\(c)"), ("device", d)]) }
        }
        for (mp, fstype, dev) in mounts {
            for m in fsMetrics {
                s.append([("__name__", "node_filesystem_\(m)"), ("device", dev), ("fstype", fstype), ("mountpoint", mp)])
            }
        }
        for n in ["node_context_switches_total", "node_intr_total", "node_forks_total"] { s.append([("__name__", n)]) }
        for n in ["node_procs_running", "node_procs_blocked"] { s.append([("__name__", n)]) }
        s.append([("__name__", "node_time_seconds")])
        let handler = ("handler", "/api/v1/query")
        for (le, _) in buckets { s.append([("__name__", "http_request_duration_seconds_bucket"), handler, ("le", le)]) }
        s.append([("__name__", "http_request_duration_seconds_sum"), handler])
        s.append([("__name__", "http_request_duration_seconds_count"), handler])
        precondition(s.count == NodeWorkload.seriesPerHost)
        return s
    }()
}

/// Generates one host's scrapes in order (scrape 0, 1, 2...), each a row of
/// 100 values in `NodeSeriesTemplate` slot order.
public struct NodeHostScraper: Sendable {
    public let workload: NodeWorkload
    public let host: Int
    /// Index of the scrape the next call to `next(into:)` produces.
    public private(set) var scrapeIndex = 0

    var rng: WorkloadRandom
    // Host profile.
    let baseUtil: Double
    let cpuSkew: [Double]
    let memTotalKiB: Int64
    let netScale: Double
    let baseRequestRate: Double
    // State.
    var util: Double
    var cpuTicks: [Int64]  // hundredths of a second, per slot
    var load: (Double, Double, Double)
    var memKiB: [Int64]
    var anonKiB: Int64
    var netRate: [Double]  // bytes/s per device×direction
    var net: [Int64]
    var disk: [Int64]  // sectors/ops/ms counters per slot
    var fsAvail: [Int64]
    let fsSize: [Int64]
    var misc: [Int64]
    var requestRate: Double
    var buckets: [Int64]
    var histSum: Double
    var histCount: Int64

    init(workload: NodeWorkload, host: Int) {
        self.workload = workload
        self.host = host
        var r = WorkloadRandom(seed: workload.seed, UInt64(host), 0x5c4a9e)
        let uptimeS = Double(r.int(86_400...(90 * 86_400)))
        baseUtil = 0.05 + 0.5 * r.unit()
        var skew: [Double] = []
        for _ in 0..<4 { skew.append(0.6 + 0.8 * r.unit()) }
        cpuSkew = skew
        memTotalKiB = [8, 16, 32, 64][Int(r.next() % 4)] * 1024 * 1024 * 97 / 100
        netScale = 20_000 + 2_000_000 * r.unit() * r.unit()
        baseRequestRate = 0.5 + 15 * r.unit()
        util = baseUtil
        cpuTicks = [Int64](repeating: 0, count: 32)
        for c in 0..<4 {
            let total = uptimeS * 100
            let u = min(0.95, baseUtil * skew[c])
            let shares = [1 - u * 1.0, 0.004, 0, 0.0005, u * 0.03, 0.001, u * 0.25, u * 0.7]
            for m in 0..<8 { cpuTicks[c * 8 + m] = Int64(total * max(0, shares[m])) }
        }
        load = (baseUtil * 4, baseUtil * 4, baseUtil * 4)
        anonKiB = memTotalKiB / 4 + r.int(0...(memTotalKiB / 8))
        let cached = memTotalKiB / 3
        // MemTotal, MemFree, MemAvailable, Buffers, Cached, Active, Inactive, Dirty, Shmem, SwapFree
        memKiB = [memTotalKiB, 0, 0, 200_000 + r.int(0...100_000), cached, 0, 0, 10_000, 50_000 + r.int(0...20_000), 2 * 1024 * 1024]
        netRate = [netScale, netScale * 0.3, 3_000, 3_000]  // eth0 rx, eth0 tx, lo rx, (lo tx = lo rx)
        let scale = netScale
        var netInit = [Int64](repeating: 0, count: 16)
        for i in 0..<16 {
            let k = i % 4
            let base = Int64(uptimeS * (i < 8 ? scale : 3_000))
            netInit[i] = k == 0 ? base : k == 1 ? base / 800 : k == 2 ? (i < 8 ? r.int(0...3) : 0) : (i < 8 ? r.int(0...500) : 0)
        }
        net = netInit
        var diskInit = [Int64](repeating: 0, count: 10)
        for i in 0..<10 {
            let k = i % 5
            let ops = Int64(uptimeS * (k == 0 ? 0.8 : 6))
            diskInit[i] = k < 2 ? ops : k < 4 ? ops * 24 * 512 : Int64(uptimeS * 15)
        }
        disk = diskInit
        fsSize = [50 << 30, 512 << 20, 200 << 30]
        fsAvail = [Int64(Double(50 << 30) * (0.3 + 0.5 * r.unit())) & ~4095, 380 << 20, Int64(Double(200 << 30) * (0.2 + 0.6 * r.unit())) & ~4095]
        misc = [Int64(uptimeS * 8_000), Int64(uptimeS * 5_000), Int64(uptimeS * 2)]
        requestRate = baseRequestRate
        histCount = Int64(uptimeS * baseRequestRate)
        var b = [Int64](repeating: 0, count: 12)
        for i in 0..<12 { b[i] = histCount * Int64(i + 1) / 12 }
        buckets = b
        histSum = Double(histCount) * 0.04
        rng = r
    }

    /// Writes the next scrape's 100 values into `row` (resized as needed)
    /// and returns its timestamp. Allocates nothing once `row` has 100
    /// elements, so ingestion benchmarks can call it in their loop.
    public mutating func next(into row: inout [Double]) -> Int64 {
        if row.count != NodeWorkload.seriesPerHost {
            row = [Double](repeating: 0, count: NodeWorkload.seriesPerHost)
        }
        let k = scrapeIndex
        scrapeIndex += 1
        let t = workload.timestamp(host: host, scrape: k)
        let dt = Double(workload.scrapeIntervalMs) / 1000
        typealias T = NodeSeriesTemplate

        // CPU: utilisation is a mean-reverting random walk; every CPU's
        // modes add up to the interval's ticks (±1 for timer skew).
        util = min(0.95, max(0.01, util + 0.03 * rng.normal() + 0.05 * (baseUtil - util)))
        for c in 0..<4 {
            let u = min(0.97, util * cpuSkew[c])
            let total = Double(Int64(dt * 100) + rng.int(-1...1))
            // Per mode, in slot order: idle, iowait, irq, nice, softirq, steal, system, user.
            let user = Int64(max(0, total * u * 0.7 * (1 + 0.2 * rng.normal())).rounded())
            let system = Int64(max(0, total * u * 0.25 * (1 + 0.3 * rng.normal())).rounded())
            let softirq = Int64(rng.poisson(total * u * 0.03))
            let iowait = Int64(rng.poisson(total * 0.004))
            let irq = Int64(rng.poisson(0.02))
            let nice = Int64(rng.poisson(0.05))
            let steal = Int64(rng.poisson(total * 0.001))
            let idle = max(0, Int64(total) - (user + system + softirq + iowait + irq + nice + steal))
            let base = c * 8
            cpuTicks[base] += idle
            cpuTicks[base + 1] += iowait
            cpuTicks[base + 2] += irq
            cpuTicks[base + 3] += nice
            cpuTicks[base + 4] += softirq
            cpuTicks[base + 5] += steal
            cpuTicks[base + 6] += system
            cpuTicks[base + 7] += user
            // node_exporter divides USER_HZ ticks by 100.
            for m in 0..<8 { row[T.cpu + base + m] = Double(cpuTicks[base + m]) / 100 }
        }

        // Load averages: the kernel's exponential decay over 1, 5, 15 min
        // of the runnable count, printed with two decimals.
        let running = max(0, util * 4 + 0.8 * rng.normal())
        load.0 = load.0 * 0.7788007830714049 + running * (1 - 0.7788007830714049)  // e^(-15/60)
        load.1 = load.1 * 0.951229424500714 + running * (1 - 0.951229424500714)  // e^(-15/300)
        load.2 = load.2 * 0.9834714538216174 + running * (1 - 0.9834714538216174)  // e^(-15/900)
        row[T.load] = (load.0 * 100).rounded() / 100
        row[T.load + 1] = (load.1 * 100).rounded() / 100
        row[T.load + 2] = (load.2 * 100).rounded() / 100

        // Memory in KiB, as /proc/meminfo reports it.
        anonKiB = min(memTotalKiB * 7 / 10, max(memTotalKiB / 10, anonKiB + Int64(rng.normal() * 3_000 + (util - baseUtil) * 2_000)))
        memKiB[3] = max(10_000, memKiB[3] + Int64(rng.normal() * 30))  // Buffers
        memKiB[4] = min(memTotalKiB / 2, max(memTotalKiB / 20, memKiB[4] + Int64(rng.normal() * 1_500 + 40)))  // Cached
        memKiB[7] = max(0, memKiB[7] / 2 + Int64(rng.unit() * 30_000))  // Dirty: flushed every few seconds
        if rng.chance(0.1) { memKiB[8] += rng.int(-64...64) }  // Shmem
        memKiB[1] = max(50_000, memTotalKiB - anonKiB - memKiB[3] - memKiB[4] - memKiB[8])  // MemFree
        memKiB[2] = memKiB[1] + memKiB[4] * 9 / 10 + memKiB[3]  // MemAvailable
        memKiB[5] = anonKiB * 8 / 10 + memKiB[4] / 3  // Active
        memKiB[6] = anonKiB / 5 + memKiB[4] * 2 / 3  // Inactive
        for i in 0..<10 { row[T.mem + i] = Double(memKiB[i] * 1024) }

        // Network: rates wander multiplicatively; packets follow bytes.
        // Loopback receives exactly what it transmits, so lo's transmit
        // counters copy its receive counters.
        for dd in 0..<4 {
            if dd == 3 {
                for c in 0..<4 { net[12 + c] = net[8 + c] }
                for c in 0..<4 { row[T.net + 12 + c] = Double(net[12 + c]) }
                continue
            }
            let base = dd < 2 ? netScale * (dd == 0 ? 1 : 0.3) : 3_000
            netRate[dd] = min(base * 20, max(base / 20, netRate[dd] * (1 + 0.1 * rng.normal()) + 0.05 * (base - netRate[dd])))
            let bytes = Int64(max(0, netRate[dd] * dt * (1 + 0.1 * rng.normal())))
            let slot = dd * 4  // device-major: eth0 rx, eth0 tx, lo rx, lo tx
            net[slot] += bytes
            net[slot + 1] += bytes / (dd % 2 == 0 ? 900 : 300) + Int64(rng.poisson(2))
            if dd < 2 {
                net[slot + 2] += Int64(rng.poisson(0.0005))  // errs
                net[slot + 3] += Int64(rng.poisson(dd == 0 ? 0.02 : 0.001))  // drop
            }
            for c in 0..<4 { row[T.net + slot + c] = Double(net[slot + c]) }
        }

        // Disks: ops, bytes in 512-byte sectors, busy time in ms.
        for d in 0..<2 {
            let reads = Int64(rng.poisson(dt * (d == 0 ? 0.8 : 3)))
            let writes = Int64(rng.poisson(dt * (d == 0 ? 6 : 15) * (0.5 + util)))
            disk[d * 5] += reads
            disk[d * 5 + 1] += writes
            disk[d * 5 + 2] += (reads * 32 + Int64(rng.poisson(Double(reads) * 4))) * 512
            disk[d * 5 + 3] += (writes * 16 + Int64(rng.poisson(Double(writes) * 8))) * 512
            disk[d * 5 + 4] += min(Int64(dt * 1000), Int64(Double(reads) * 0.6 + Double(writes) * 0.35 + rng.unit() * 3))
            for c in 0..<4 { row[T.disk + d * 5 + c] = Double(disk[d * 5 + c]) }
            row[T.disk + d * 5 + 4] = Double(disk[d * 5 + 4]) / 1000
        }

        // File systems in 4 KiB blocks: / drifts, /boot is still, /var
        // fills with logs and is rotated now and then.
        fsAvail[0] += Int64(rng.normal() * 30) * 4096
        fsAvail[2] -= Int64(rng.poisson(40)) * 4096
        if rng.chance(0.002) { fsAvail[2] += Int64(rng.int(10_000...100_000)) * 4096 }
        for m in 0..<3 {
            fsAvail[m] = min(fsSize[m] * 9 / 10, max(4096, fsAvail[m]))
            let reserved = fsSize[m] / 20 & ~4095  // root-reserved blocks
            row[T.fs + m * 3] = Double(fsSize[m])
            row[T.fs + m * 3 + 1] = Double(fsAvail[m])
            row[T.fs + m * 3 + 2] = Double(fsAvail[m] + reserved)
        }

        // Context switches, interrupts, forks.
        misc[0] += Int64(rng.poisson(dt * (3_000 + 20_000 * util)))
        misc[1] += Int64(rng.poisson(dt * (2_000 + 8_000 * util)))
        misc[2] += Int64(rng.poisson(dt * 2))
        for i in 0..<3 { row[T.misc + i] = Double(misc[i]) }
        row[T.procs] = Double(max(1, Int64((running).rounded())))
        row[T.procs + 1] = Double(rng.poisson(0.1))

        // The exporter's clock: float seconds from Unix nanoseconds.
        let nanos = t * 1_000_000 + rng.int(100_000...3_000_000)
        row[T.time] = Double(nanos) / 1e9

        // Request latency histogram: log-normal durations around 30 ms,
        // cumulative buckets, float sum of ns-precision durations.
        requestRate = min(baseRequestRate * 4, max(baseRequestRate / 4, requestRate * (1 + 0.05 * rng.normal())))
        let n = rng.poisson(requestRate * dt)
        for _ in 0..<n {
            let seconds = 0.03 * workloadExp(max(-5, min(5, 1.1 * rng.normal())))
            let ns = Int64(seconds * 1e9)
            histSum += Double(ns) / 1e9
            histCount += 1
            let d = Double(ns) / 1e9
            var b = 0
            while NodeSeriesTemplate.buckets[b].1 < d { b += 1 }
            for i in b..<12 { buckets[i] += 1 }
        }
        for i in 0..<12 { row[T.hist + i] = Double(buckets[i]) }
        row[T.hist + 12] = histSum
        row[T.hist + 13] = Double(histCount)
        return t
    }
}
