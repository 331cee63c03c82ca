import Benchmark
import Foundation
import StrataCodec
import StrataQuery
import StrataStorage
import StrataTestSupport

// PromQL evaluation of typical dashboard queries, and the quantile sketch
// that rollups keep. Figures: docs/benchmarks.md.
//
// The data: 20 node_exporter-like hosts (2,000 series) over 6 h at 15 s,
// flushed to blocks, the same shape `strata bench` uses at a smaller scale.
// Each query is a Grafana-style range query over the 6 h at a 60 s step.

/// `make bench-check` fails on a regression of more than 10 % at p25/p50/p75.
nonisolated(unsafe) let tenPercent: [BenchmarkMetric: BenchmarkThresholds] = [
    .wallClock: .init(relative: [.p25: 10, .p50: 10, .p75: 10]),
    .mallocCountTotal: .init(relative: [.p50: 10]),
]

final class QueryFixture: @unchecked Sendable {
    let tmp: TempDirectory
    let db: Database
    let engine: QueryEngine
    let start: Int64
    let end: Int64

    init() {
        let workload = NodeWorkload(hosts: 20, start: 1_764_367_200_000)
        tmp = try! TempDirectory("strata-bench-query")
        db = try! Database.open(directory: tmp.sub("data"), options: DatabaseOptions(), logger: quietLogger)
        var app = db.appender()
        var scrapers = (0..<workload.hosts).map { workload.scraper(host: $0) }
        let labels = (0..<workload.seriesCount).map { workload.labels(series: $0) }
        var row = [Double](repeating: 0, count: NodeWorkload.seriesPerHost)
        let scrapes = 6 * 240
        var last: Int64 = 0
        for _ in 0..<scrapes {
            for h in 0..<workload.hosts {
                let t = scrapers[h].next(into: &row)
                last = max(last, t)
                for i in 0..<NodeWorkload.seriesPerHost {
                    try! app.append(labels[h * NodeWorkload.seriesPerHost + i], t, row[i])
                }
            }
            _ = try! app.commitWithoutWaiting()
            app.rollback()
        }
        _ = try! db.flush()
        engine = QueryEngine(storage: db)
        start = workload.start
        end = last
    }
}

let benchmarks: @Sendable () -> Void = {
    let fixture = QueryFixture()
    let perQuery = Benchmark.Configuration(
        metrics: [.wallClock, .mallocCountTotal],
        warmupIterations: 2,
        maxDuration: .seconds(5),
        maxIterations: 200,
        thresholds: tenPercent
    )
    let dashboard: [(String, String)] = [
        ("selector", #"node_load1{instance="host-00:9100"}"#),
        ("rate", #"rate(node_network_receive_bytes_total{device="eth0"}[5m])"#),
        ("sum by rate", #"sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))"#),
        ("histogram_quantile", "histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"),
        ("avg_over_time", "avg_over_time(node_load1[15m])"),
        ("binary ratio", "1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes"),
        ("topk", "topk(3, rate(node_disk_io_time_seconds_total[5m]))"),
        ("count all series", #"count({__name__=~".+"})"#),
    ]
    for (name, text) in dashboard {
        let expr = try! parsePromQL(text)
        Benchmark("PromQL range 6 h / 60 s: \(name)", configuration: perQuery) { benchmark in
            for _ in benchmark.scaledIterations {
                blackHole(try! fixture.engine.rangeQuery(expr, start: fixture.start, end: fixture.end, step: 60_000))
            }
        }
    }

    // Quantile sketch: inserting latencies (log-normal-ish spread over
    // 1 ms … 10 s) and merging 5 m window sketches into one, as a 30-day
    // p95 over rollups does (8,640 windows).
    var rng = WorkloadRandom(seed: 11)
    let latencies = (0..<1_000_000).map { _ in 0.001 * pow(10, 4 * rng.unit()) }
    Benchmark("Sketch insert", configuration: .init(metrics: [.wallClock, .mallocCountTotal], scalingFactor: .mega,
                                                    maxDuration: .seconds(5), maxIterations: 20, thresholds: tenPercent)) { benchmark in
        var s = QuantileSketch()
        benchmark.startMeasurement()
        for x in latencies { s.add(x) }
        benchmark.stopMeasurement()
        blackHole(s.count)
    }
    let windows: [QuantileSketch] = (0..<8_640).map { w in
        var s = QuantileSketch()
        for k in 0..<20 { s.add(latencies[(w * 20 + k) % latencies.count]) }
        return s
    }
    let encoded = windows.map(\.encoded)
    Benchmark("Sketch merge, 8,640 window sketches", configuration: .init(metrics: [.wallClock, .mallocCountTotal],
                                                                        maxDuration: .seconds(5), thresholds: tenPercent)) { benchmark in
        for _ in benchmark.scaledIterations {
            var total = QuantileSketch()
            for w in windows { total.merge(w) }
            blackHole(total.quantile(0.95))
        }
    }
    Benchmark("Sketch merge from encoded bytes, 8,640 windows", configuration: .init(metrics: [.wallClock, .mallocCountTotal],
                                                                                   maxDuration: .seconds(5), thresholds: tenPercent)) { benchmark in
        for _ in benchmark.scaledIterations {
            var total = QuantileSketch()
            for e in encoded {
                _ = e.withUnsafeBytes { try! total.merge(encoded: $0) }
            }
            blackHole(total.quantile(0.95))
        }
    }
}
