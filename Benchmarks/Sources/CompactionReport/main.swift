// Issue #5 figures quoted in docs/benchmarks.md ("Compaction, rollups and
// backfill"), measured in-process on the node_exporter-like workload:
//
//   swift run -c release CompactionReport [hosts] [days] [blockHours]
//
// - backfill rate: BlockImporter fed one host (100 series) at a time;
//   generating the samples is not timed
// - compaction: `Database.compact()` (merges to 3 d blocks when the import
//   wrote `blockHours` blocks, plus 5 m and 1 h rollups), wall and CPU
// - bytes: raw blocks vs rollup blocks on disk
// - percentiles: 30-day p95 per host, step 1 h, from 1 h rollups
// - PromQL over 30 days at step 1 h, `resolution` auto (1 h rollups) vs raw
// - with CSV_RATE=1 only: `strata import`'s CSV parsing rate, one host
//   (100 series) × `days` days written as CSV series by series

import Foundation
import StrataCodec
import StrataIngest
import StrataQuery
import StrataStorage
import StrataTestSupport

let args = CommandLine.arguments
let hosts = args.count > 1 ? Int(args[1]) ?? 20 : 20
let days = args.count > 2 ? Int(args[2]) ?? 30 : 30
let blockHours = args.count > 3 ? Int64(args[3]) ?? 72 : 72
let threeDays: Int64 = 3 * 86_400_000
// Start on a 3-day boundary so that imported blocks are whole windows.
let start: Int64 = 1_764_374_400_000 - 1_764_374_400_000 % threeDays
let w = NodeWorkload(hosts: hosts, start: start)
let scrapes = days * 86_400_000 / Int(w.scrapeIntervalMs)

func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }

func blockBytes(_ db: Database, resolution: Int64) -> Int {
    db.blocks.filter { $0.resolution == resolution }.reduce(0) { $0 + $1.sizeOnDisk }
}

/// CPU time of the calling thread.
func threadCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func report() throws {
    let tmp = try TempDirectory("strata-compaction-report")
    defer { tmp.remove() }
    // An optional 4th argument keeps the data there, and reuses it if present (queries only).
    let keep = args.count > 4 ? args[4] : nil
    let dir = keep ?? tmp.sub("data")
    var opts = DatabaseOptions()
    opts.wal.fsync = .interval(milliseconds: 1000)
    // As `strata serve` by default: 5-minute rollups only for raw blocks
    // within one block span of leaving raw retention (ALL_5M=1: for all).
    if ProcessInfo.processInfo.environment["ALL_5M"] == nil {
        opts.rollups.resolutions[0].after = RollupOptions.defaultFiveMinuteDelay(retention: opts.retention, maxBlockSpan: opts.maxBlockSpan)
    }
    let clock = ContinuousClock()
    if let keep, FileManager.default.fileExists(atPath: keep + "/blocks") {
        let db = try Database.open(directory: keep, options: opts, logger: quietLogger)
        breakdown(db)
        try queries(db, clock)
        try db.close()
        return
    }
    let db = try Database.open(directory: dir, options: opts, logger: quietLogger)

    // Backfill, one host at a time (generation not timed).
    let importer = BlockImporter(blocksDirectory: db.blocksDirectory, blockDuration: blockHours * 3_600_000)
    var importTime = Duration.zero
    var importCPU = 0.0
    var total = 0
    for h in 0..<hosts {
        let (ts, cols) = w.hostSamples(host: h, scrapes: 0..<scrapes)
        let t0 = clock.now
        let c0 = cpuSeconds()
        try ts.withUnsafeBufferPointer { tp in
            for i in 0..<NodeWorkload.seriesPerHost {
                try cols[i].withUnsafeBufferPointer { vp in
                    try importer.add(w.labels(series: h * NodeWorkload.seriesPerHost + i), timestamps: tp, values: vp)
                }
                total += ts.count
            }
        }
        importTime += clock.now - t0
        importCPU += cpuSeconds() - c0
    }
    let t0 = clock.now
    let c0 = cpuSeconds()
    let metas = try importer.finish()
    importTime += clock.now - t0
    importCPU += cpuSeconds() - c0
    try db.close()
    print("workload: \(w.seriesCount) series × \(scrapes) scrapes (\(days) d at 15 s) = \(total) samples")
    print(String(format: "backfill (%lld h blocks, %d blocks, fsynced): %.2f s, %.2f M samples/s wall, %.2f M samples/s per CPU-second",
                 blockHours, metas.count, seconds(importTime), Double(total) / seconds(importTime) / 1e6, Double(total) / importCPU / 1e6))

    // Compaction: merges (if any) and rollups.
    let db2 = try Database.open(directory: dir, options: opts, logger: quietLogger)
    let raw0 = blockBytes(db2, resolution: 0)
    let t1 = clock.now
    let c1 = cpuSeconds()
    let r = try db2.compact()
    let compactWall = seconds(clock.now - t1)
    let compactCPU = cpuSeconds() - c1
    print(String(format: "compact: %.2f s wall, %.2f s CPU; %d merges, %d rollup blocks; %.1f M samples read, %.1f M written",
                 compactWall, compactCPU, r.tasks.count, r.rollupBlocks.count, Double(r.samplesRead) / 1e6, Double(r.samplesWritten) / 1e6))
    let raw = blockBytes(db2, resolution: 0), r5 = blockBytes(db2, resolution: 300_000), r60 = blockBytes(db2, resolution: 3_600_000)
    print(String(format: "bytes: raw %.1f MiB before compaction, %.1f MiB after (%.3f B/sample); rollups 5 m %.1f MiB, 1 h %.1f MiB; raw+rollups = %.3f × raw",
                 Double(raw0) / 1048576, Double(raw) / 1048576, Double(raw) / Double(total),
                 Double(r5) / 1048576, Double(r60) / 1048576, Double(raw + r5 + r60) / Double(raw)))
    var windows5 = 0
    for b in db2.blocks where b.resolution == 300_000 { windows5 += b.series.reduce(0) { $0 + $1.chunks.reduce(0) { $0 + $1.samples } } }
    print(String(format: "5 m rollups: %d windows, %.2f B/window", windows5, Double(r5) / Double(max(1, windows5))))
    breakdown(db2)

    try queries(db2, clock)
    try promql(db2, clock)
    try db2.close()
}

/// 30-day p95 per host, step 1 h, from 1 h rollups.
func queries(_ db2: Database, _ clock: ContinuousClock) throws {
    let end = start + Int64(days) * 86_400_000
    let qStart = start + 3_600_000
    for (name, matchers) in [
        ("node_load1 (1 series per host)", [try Matcher(.equal, "__name__", "node_load1")]),
        ("all 100 series per host", [try Matcher(.equal, "job", "node")]),
    ] where ProcessInfo.processInfo.environment["ONLY_LOAD1"] == nil || name.hasPrefix("node_load1") {
        var times: [Double] = [], cpu: [Double] = []
        var out: [PercentileSeries] = []
        for _ in 0..<(ProcessInfo.processInfo.environment["ONLY_LOAD1"] == nil ? 7 : 50) {
            let t = clock.now
            let c = threadCPUSeconds()
            out = try db2.percentiles(matchers, quantiles: [0.95], start: qStart, end: end, step: 3_600_000, by: ["instance"])
            cpu.append(threadCPUSeconds() - c)
            times.append(seconds(clock.now - t))
        }
        times.sort()
        cpu.sort()
        let points = out.reduce(0) { $0 + $1.timestamps.count }
        print(String(format: "p95 per host over %d d, step 1 h, %@: wall median %.1f ms (min %.1f), CPU median %.1f ms (min %.1f) (%d series, %d points)",
                     days, name, times[times.count / 2] * 1000, times[0] * 1000, cpu[cpu.count / 2] * 1000, cpu[0] * 1000, out.count, points))
    }
}

/// 30-day dashboard queries through the PromQL engine, step 1 h: from the
/// 1 h rollups (`resolution` auto, as the HTTP API's default) and from raw
/// samples (raw retention is 30 days, so raw data still covers the range).
func promql(_ db: Database, _ clock: ContinuousClock) throws {
    let end = start + Int64(days) * 86_400_000
    let qStart = start + 3_600_000
    let engine = QueryEngine(storage: db)
    for q in ["quantile_over_time(0.95, node_load1[1h])", "avg_over_time(node_load1[1h])", "max by (instance) (rate(node_network_receive_bytes_total[1h]))"] {
        let expr = try parsePromQL(q)
        for (name, res) in [("auto (1 h rollups)", QueryResolution.auto), ("raw", .raw)] {
            var times: [Double] = [], cpu: [Double] = []
            var points = 0
            for _ in 0..<7 {
                let t = clock.now
                // Process CPU: the raw path splits series across threads.
                let c = cpuSeconds()
                let v = try engine.rangeQuery(expr, start: qStart, end: end, step: 3_600_000, resolution: res)
                cpu.append(cpuSeconds() - c)
                times.append(seconds(clock.now - t))
                if case .matrix(let m) = v { points = m.reduce(0) { $0 + $1.timestamps.count } }
            }
            times.sort()
            cpu.sort()
            print(String(format: "PromQL %@ over %d d, step 1 h, %@: wall median %.1f ms (min %.1f), CPU median %.1f ms (process; %d points)",
                         q, days, name, times[times.count / 2] * 1000, times[0] * 1000, cpu[cpu.count / 2] * 1000, points))
        }
    }
}

/// Bytes per window by part of the rollup record, over the first day (5 m) or the first 12 days (1 h).
func breakdown(_ db: Database) {
    for (res, span) in [(Int64(300_000), Int64(86_400_000)), (3_600_000, 12 * 86_400_000)] {
        let q = db.rollupQuerier(resolution: res, mint: start, maxt: start + span - 1)
        var sizes: [String: Int] = [:]
        var windows = 0
        for s in q.select([try! Matcher(.equal, "job", "node")]) {
            let w = s.windows()
            windows += w.windows
            for (part, bytes) in RollupChunk.partSizes(w, 0..<w.windows) { sizes[part, default: 0] += bytes }
        }
        let total = sizes.values.reduce(0, +)
        print(String(format: "  %@ record: %.2f B/window (%d windows): ", res == 300_000 ? "5 m" : "1 h", Double(total) / Double(windows), windows)
              + sizes.sorted { $0.value > $1.value }.map { String(format: "%@ %.2f", $0.key, Double($0.value) / Double(windows)) }.joined(separator: ", "))
    }
}

/// CSV parsing (the `strata import` front end) on one host's samples.
func csvRate() throws {
    let (ts, cols) = w.hostSamples(host: 0, scrapes: 0..<scrapes)
    var text = "__name__,instance,job,cpu,mode,device,mountpoint,timestamp,value\n"
    var rows = 0
    for i in 0..<NodeWorkload.seriesPerHost {
        let l = w.labels(series: i)
        let prefix = [l["__name__"] ?? "", l["instance"] ?? "", l["job"] ?? "", l["cpu"] ?? "", l["mode"] ?? "", l["device"] ?? "",
                      l["mountpoint"] ?? ""].joined(separator: ",")
        for k in ts.indices {
            text += prefix + "," + String(ts[k]) + "," + String(cols[i][k]) + "\n"
            rows += 1
        }
    }
    let bytes = Array(text.utf8)
    text = ""
    var best = Double.infinity, bestCPU = Double.infinity
    for _ in 0..<3 {
        var batch = IngestBatch()
        let t0 = ContinuousClock.now
        let c0 = cpuSeconds()
        try CSVImportParser().parse(bytes, into: &batch)
        bestCPU = min(bestCPU, cpuSeconds() - c0)
        best = min(best, seconds(ContinuousClock.now - t0))
        precondition(batch.sampleCount == rows)
    }
    print(String(format: "CSV parse: %d rows (%.1f MiB), best of 3: %.2f s wall, %.2f M rows/s wall, %.2f M rows/s per CPU-second",
                 rows, Double(bytes.count) / 1_048_576, best, Double(rows) / best / 1e6, Double(rows) / bestCPU / 1e6))
}

if ProcessInfo.processInfo.environment["CSV_RATE"] != nil {
    try csvRate()
} else {
    try report()
}
