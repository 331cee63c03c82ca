// Storage-engine figures quoted in docs/benchmarks.md and issue #2's targets,
// measured in-process on the node_exporter-like workload:
//
//   swift run -c release StorageReport [hosts] [hours]
//
// - head append rate (WAL on, batches of 1,000 samples, one thread)
// - WAL replay rate
// - head memory per series
// - persisted bytes/sample including the index

import Foundation
import StrataCodec
import StrataStorage
import StrataTestSupport

let args = CommandLine.arguments
let hosts = args.count > 1 ? Int(args[1]) ?? 20 : 20
let hours = args.count > 2 ? Int(args[2]) ?? 6 : 6
let w = NodeWorkload(hosts: hosts, start: 1_764_374_400_000 - 1_764_374_400_000 % 7_200_000)
let scrapes = hours * 3600 * 1000 / Int(w.scrapeIntervalMs)

func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

func rssBytes() -> Int {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix("VmRSS:") {
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) * 1024
    }
    return 0
}

func dirSize(_ path: String) -> Int {
    var total = 0
    if let e = FileManager.default.enumerator(atPath: path) {
        for case let f as String in e {
            if let a = try? FileManager.default.attributesOfItem(atPath: path + "/" + f), (a[.type] as? FileAttributeType) == .typeRegular {
                total += (a[.size] as? Int) ?? 0
            }
        }
    }
    return total
}

func report() async throws {
    let tmp = try TempDirectory("strata-storage-report")
    defer { tmp.remove() }
    let dir = tmp.sub("data")
    var opts = DatabaseOptions()
    opts.wal.fsync = .interval(milliseconds: 1000)
    let db = try Database.open(directory: dir, options: opts, logger: quietLogger)

    // Ingest: one appender, commits every 1,000 samples, refs cached after the first scrape.
    var refs = [[SeriesHandle]](repeating: [], count: hosts)
    var scrapers = (0..<hosts).map { w.scraper(host: $0) }
    var row = [Double](repeating: 0, count: NodeWorkload.seriesPerHost)
    var app = db.appender()
    var total = 0
    let clock = ContinuousClock()
    let wall0 = clock.now
    let cpu0 = cpuSeconds()
    for k in 0..<scrapes {
        for h in 0..<hosts {
            let t = scrapers[h].next(into: &row)
            if k == 0 {
                refs[h] = (0..<NodeWorkload.seriesPerHost).map { try! db.head.series(for: w.labels(series: h * NodeWorkload.seriesPerHost + $0)) }
            }
            for i in 0..<NodeWorkload.seriesPerHost {
                app.append(refs[h][i], t, row[i])
                total += 1
                if app.count == 1000 {
                    let r = try await app.commit()
                    precondition(r.rejected.isEmpty)
                }
            }
        }
    }
    _ = try await app.commit()
    let wall = clock.now - wall0
    let ingestSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
    let ingestCPU = cpuSeconds() - cpu0
    let headChunks = db.head.chunkCount
    print("workload: \(w.seriesCount) series × \(scrapes) scrapes (\(hours) h at 15 s) = \(total) samples")
    print(String(format: "head append (WAL on, fsync interval, batches of 1000, 1 thread): %.2f M samples/s wall, %.2f M samples/s per CPU-second",
                 Double(total) / ingestSeconds / 1e6, Double(total) / ingestCPU / 1e6))
    print("head chunks: \(headChunks)")

    // WAL replay: close and reopen without flushing.
    try db.close()
    let db2 = try Database.open(directory: dir, options: opts, logger: quietLogger)
    let rs = db2.replayStats
    print(String(format: "WAL replay: %d samples in %.3f s = %.2f M samples/s (WAL %.1f MiB)",
                 rs.samples, rs.seconds, Double(rs.samples) / rs.seconds / 1e6, Double(rs.wal.bytes) / 1048576))

    // Persist everything; bytes per sample of the blocks (chunks + index + meta).
    let metas = try db2.flush()
    let chunkBytes = metas.reduce(0) { $0 + $1.stats.chunkBytes }
    let indexBytes = metas.reduce(0) { $0 + $1.stats.indexBytes }
    let samples = metas.reduce(0) { $0 + $1.stats.samples }
    let blockDirBytes = dirSize(dir + "/blocks")
    print(String(format: "blocks: %d blocks, %d samples, chunks %.3f B/sample, index %.3f B/sample, total on disk (block dirs) %.3f B/sample",
                 metas.count, samples, Double(chunkBytes) / Double(samples), Double(indexBytes) / Double(samples),
                 Double(blockDirBytes) / Double(samples)))
    try db2.close()

    // Head memory per series: 200k fresh series, one sample each.
    let dir3 = tmp.sub("mem")
    let db3 = try Database.open(directory: dir3, options: opts, logger: quietLogger)
    let n = 200_000
    let rss0 = rssBytes()
    var app3 = db3.appender()
    for i in 0..<n {
        let labels = Labels(sorting: [Label("__name__", "mem_series"), Label("instance", "host-\(i % 500):9100"),
                                      Label("job", "node"), Label("id", String(i))])
        try app3.append(labels, 1_764_374_400_000, Double(i))
        if app3.count == 1000 { _ = try await app3.commit() }
    }
    _ = try await app3.commit()
    let rss1 = rssBytes()
    print(String(format: "head memory: %.0f bytes per series (RSS growth over %d series with 4 labels and one open chunk each)",
                 Double(rss1 - rss0) / Double(n), n))
    try db3.close()

}

try await report()
