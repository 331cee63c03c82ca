#if canImport(Glibc)
import Glibc
#endif
import StrataIngest
import StrataStorage

/// Records the Strata host's own resources every interval, straight into
/// the TSDB with `job="strata"` and the server's instance:
///
/// - `strata_host_cpu_seconds_total{mode}` (/proc/stat)
/// - `strata_host_memory_{total,free,available,buffers,cached,swap_total,swap_free}_bytes` (/proc/meminfo)
/// - `strata_host_load{1,5,15}` (/proc/loadavg)
/// - `strata_host_disk_{size,free,available}_bytes{path}` (statvfs of the data directory)
/// - `strata_host_disk_{read,written}_bytes_total{device}` (/proc/diskstats, whole disks)
/// - `process_open_fds`, `process_max_fds`, `process_resident_memory_bytes`,
///   `process_virtual_memory_bytes`, `process_cpu_seconds_total`, `process_start_time_seconds`
///   (the names Prometheus' client libraries use)
struct HostMetricsCollector: Sendable {
    let ingestor: Ingestor
    let dataDir: String
    let baseLabels: [Label]
    let intervalMs: Int64

    init(ingestor: Ingestor, dataDir: String, instance: String, intervalMs: Int64) {
        self.ingestor = ingestor
        self.dataDir = dataDir
        baseLabels = [Label("instance", instance), Label("job", "strata")]
        self.intervalMs = intervalMs
    }

    func run() async {
        let clock = ContinuousClock()
        var next = clock.now
        let interval = Duration.milliseconds(intervalMs)
        while !Task.isCancelled {
            let batch = collect(now: nowMillis())
            _ = try? await ingestor.ingest(batch, protocol: "host", now: nowMillis())
            next += interval
            if next < clock.now { next = clock.now + interval }
            do { try await Task.sleep(until: next, clock: clock) } catch { return }
        }
    }

    func labels(_ name: String, _ extra: [Label] = []) -> Labels {
        Labels(sorting: baseLabels + extra + [Label(metricNameLabel, name)])
    }

    /// One sample per series at `now`. Files that cannot be read are skipped.
    func collect(now: Int64) -> IngestBatch {
        var b = IngestBatch()
        func add(_ name: String, _ v: Double, _ extra: [Label] = []) {
            guard v.isFinite else { return }
            b.append(labels: labels(name, extra), timestamp: now, value: v)
        }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let stat = Self.read("/proc/stat")
        if let stat {
            for (mode, s) in ProcParsers.cpuSeconds(procStat: stat, ticksPerSecond: ticks) {
                add("strata_host_cpu_seconds_total", s, [Label("mode", mode)])
            }
        }
        if let mem = Self.read("/proc/meminfo").map(ProcParsers.memInfo) {
            for (key, name) in [("MemTotal", "total"), ("MemFree", "free"), ("MemAvailable", "available"),
                                ("Buffers", "buffers"), ("Cached", "cached"), ("SwapTotal", "swap_total"), ("SwapFree", "swap_free")] {
                if let v = mem[key] { add("strata_host_memory_\(name)_bytes", v) }
            }
        }
        if let (l1, l5, l15) = Self.read("/proc/loadavg").flatMap(ProcParsers.loadAverage) {
            add("strata_host_load1", l1)
            add("strata_host_load5", l5)
            add("strata_host_load15", l15)
        }
        var fs = statvfs()
        if statvfs(dataDir, &fs) == 0 {
            let frag = Double(fs.f_frsize)
            let path = [Label("path", dataDir)]
            add("strata_host_disk_size_bytes", Double(fs.f_blocks) * frag, path)
            add("strata_host_disk_free_bytes", Double(fs.f_bfree) * frag, path)
            add("strata_host_disk_available_bytes", Double(fs.f_bavail) * frag, path)
        }
        if let disks = Self.read("/proc/diskstats").map(ProcParsers.diskStats) {
            for d in disks where Self.isWholeDisk(d.device) {
                add("strata_host_disk_read_bytes_total", d.readBytes, [Label("device", d.device)])
                add("strata_host_disk_written_bytes_total", d.writtenBytes, [Label("device", d.device)])
            }
        }
        if let fds = try? FileIO.list("/proc/self/fd") { add("process_open_fds", Double(fds.count)) }
        var lim = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0 { add("process_max_fds", Double(lim.rlim_cur)) }
        let page = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let m = Self.read("/proc/self/statm").flatMap(ProcParsers.statm) {
            add("process_resident_memory_bytes", m.residentPages * page)
            add("process_virtual_memory_bytes", m.sizePages * page)
        }
        if let p = Self.read("/proc/self/stat").flatMap(ProcParsers.processStat), ticks > 0 {
            add("process_cpu_seconds_total", (p.utimeTicks + p.stimeTicks) / ticks)
            if let boot = stat.flatMap(ProcParsers.bootTime) { add("process_start_time_seconds", boot + p.startTicks / ticks) }
        }
        return b
    }

    /// Whole disks appear in /sys/block; partitions, loop and RAM devices are left out.
    static func isWholeDisk(_ name: String) -> Bool {
        if name.hasPrefix("loop") || name.hasPrefix("ram") || name.hasPrefix("zram") { return false }
        return FileIO.isDirectory("/sys/block/" + name)
    }

    /// Reads a /proc file to its end (they report a size of 0, so `FileIO.readFile` does not fit).
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        while out.count < 4 << 20 {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
