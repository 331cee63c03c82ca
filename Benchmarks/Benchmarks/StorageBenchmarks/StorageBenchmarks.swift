import Benchmark
import Foundation
import StrataCodec
import StrataStorage
import StrataTestSupport

// Hot paths of the storage engine. Figures: docs/benchmarks.md.
// Per-sample benchmarks process 1,000,000 samples per iteration with
// `scalingFactor: .mega`, so times read per sample.

/// A database in a temp dir that lives for the whole benchmark process.
final class Fixture: @unchecked Sendable {
    let tmp: TempDirectory
    let db: Database
    init(_ name: String, fsync: WALFsyncMode = .interval(milliseconds: 1000)) {
        tmp = try! TempDirectory("strata-bench-" + name)
        var opts = DatabaseOptions()
        opts.wal.fsync = fsync
        db = try! Database.open(directory: tmp.sub("data"), options: opts, logger: quietLogger)
    }
}

let workload = NodeWorkload(hosts: 20, start: 1_764_367_200_000)

/// `make bench-check` fails on a regression of more than 10 % at p25/p50/p75.
nonisolated(unsafe) let tenPercent: [BenchmarkMetric: BenchmarkThresholds] = [
    .wallClock: .init(relative: [.p25: 10, .p50: 10, .p75: 10]),
    .throughput: .init(relative: [.p25: 10, .p50: 10, .p75: 10]),
    .mallocCountTotal: .init(relative: [.p50: 10]),
]

let benchmarks: @Sendable () -> Void = {
    let perSample = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 1,
        scalingFactor: .mega,
        maxDuration: .seconds(10),
        maxIterations: 20,
        thresholds: tenPercent
    )

    // Head append with the WAL on: batches of 1,000 samples through one
    // appender, series refs cached (as a scrape loop or a remote-write
    // connection does after the first request).
    let append = Fixture("append")
    let refs: [SeriesHandle] = (0..<workload.seriesCount).map { try! append.db.head.series(for: workload.labels(series: $0)) }
    var scrapers = (0..<workload.hosts).map { workload.scraper(host: $0) }
    Benchmark("Head append, WAL on, 1,000-sample batches", configuration: perSample) { benchmark in
        var app = append.db.appender()
        var row = [Double](repeating: 0, count: NodeWorkload.seriesPerHost)
        var n = 0
        benchmark.startMeasurement()
        while n < 1_000_000 {
            for h in 0..<workload.hosts {
                let t = scrapers[h].next(into: &row)
                for i in 0..<NodeWorkload.seriesPerHost {
                    app.append(refs[h * NodeWorkload.seriesPerHost + i], t, row[i])
                    if app.count == 1000 { _ = try! app.commitWithoutWaiting(); app.rollback() }
                }
                n += NodeWorkload.seriesPerHost
            }
        }
        _ = try! app.commitWithoutWaiting()
        benchmark.stopMeasurement()
    }

    // Postings intersection of two 1M-id lists (random, density 0.5).
    var rng = WorkloadRandom(seed: 7)
    let a = (0..<UInt32(2_000_000)).filter { _ in rng.unit() < 0.5 }
    let b = (0..<UInt32(2_000_000)).filter { _ in rng.unit() < 0.5 }
    Benchmark("Postings intersect 2 × 1M ids", configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(5), thresholds: tenPercent)) { benchmark in
        var out: [UInt32] = []
        for _ in benchmark.scaledIterations {
            Postings.intersect([a, b], into: &out)
            blackHole(out.count)
        }
    }

    // Block read: 24 h of one series (5,760 samples in 12 two-hour blocks).
    let day = Fixture("day")
    do {
        var app = day.db.appender()
        let labels = workload.labels(series: 0)
        let (ts, vs) = workload.samples(series: 0, scrapes: 0..<5760)
        for i in ts.indices { try! app.append(labels, ts[i], vs[i]) }
        _ = try! app.commitWithoutWaiting()
        _ = try! day.db.flush()
    }
    let dayMatcher = [try! Matcher(.equal, "__name__", workload.labels(series: 0).metricName!)] +
        workload.labels(series: 0).filter { $0.name != "__name__" }.map { try! Matcher(.equal, $0.name, $0.value) }
    Benchmark("Block read, 24 h of one series", configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(5), thresholds: tenPercent)) { benchmark in
        var ts: [Int64] = [], vs: [Double] = []
        var d = ChunkIterator()
        for _ in benchmark.scaledIterations {
            ts.removeAll(keepingCapacity: true)
            vs.removeAll(keepingCapacity: true)
            for s in day.db.querier(mint: .min, maxt: .max).select(dayMatcher) {
                s.appendSamples(ts: &ts, vs: &vs, decoder: &d)
            }
            precondition(ts.count == 5760)
        }
    }

    // Block read: every sample of a 2 h node block (2,000 series), via the querier.
    let block = Fixture("block")
    do {
        var app = block.db.appender()
        var sc = (0..<workload.hosts).map { workload.scraper(host: $0) }
        var row = [Double](repeating: 0, count: NodeWorkload.seriesPerHost)
        for _ in 0..<500 {
            for h in 0..<workload.hosts {
                let t = sc[h].next(into: &row)
                for i in 0..<NodeWorkload.seriesPerHost { try! app.append(workload.labels(series: h * 100 + i), t, row[i]) }
                _ = try! app.commitWithoutWaiting()
                app.rollback()
            }
        }
        _ = try! block.db.flush()
    }
    let all = [try! Matcher(.regexMatch, "__name__", ".+")]
    Benchmark("Block read, all series of a 2 h node block", configuration: perSample) { benchmark in
        var ts: [Int64] = [], vs: [Double] = []
        var d = ChunkIterator()
        var n = 0
        benchmark.startMeasurement()
        while n < 1_000_000 {
            for s in block.db.querier(mint: .min, maxt: .max).select(all) {
                ts.removeAll(keepingCapacity: true)
                vs.removeAll(keepingCapacity: true)
                s.appendSamples(ts: &ts, vs: &vs, decoder: &d)
                n += ts.count
            }
        }
        benchmark.stopMeasurement()
    }
}
