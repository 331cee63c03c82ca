import Foundation
import Testing
import StrataTestSupport
import StrataQuery

/// Release-build timings of dashboard queries (issue #4 targets). Opt-in:
/// `STRATA_PERF=1 swift test -c release --filter EnginePerformanceTests`.
/// Prints figures; asserts only that the queries return data.
@Suite struct EnginePerformanceTests {
    static let enabled = ProcessInfo.processInfo.environment["STRATA_PERF"] == "1"

    @Test(.enabled(if: enabled))
    func dashboardQueries() async throws {
        let tmp = try TempDirectory("engine-perf")
        defer { tmp.remove() }
        let db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
        // Node-exporter-like data, 15 s scrapes over 6 h: 125 instances × 2 CPUs ×
        // 8 modes = 2,000 counter series, plus 20 instances × 10 buckets of a histogram.
        let modes = ["idle", "user", "system", "iowait", "irq", "softirq", "steal", "nice"]
        let buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
        let step: Int64 = 15_000, samples = 6 * 240
        var series: [(Labels, Double)] = []
        for i in 0..<125 {
            for cpu in 0..<2 {
                for (m, mode) in modes.enumerated() {
                    series.append((Labels(["__name__": "node_cpu_seconds_total", "instance": "host-\(i):9100",
                                           "job": "node", "cpu": "\(cpu)", "mode": mode]), Double(m + 1) * 0.1))
                }
            }
        }
        for i in 0..<20 {
            for (b, le) in buckets.enumerated() {
                series.append((Labels(["__name__": "http_request_duration_seconds_bucket", "instance": "web-\(i)",
                                       "job": "web", "le": le]), Double(b + 1)))
            }
        }
        var rng = WorkloadRandom(seed: 42)
        for k in 0..<samples {
            var app = db.appender()
            for (j, s) in series.enumerated() {
                let v = Double(k) * s.1 + Double(rng.next() % 1000) / 1000 + Double(j % 7)
                try app.append(s.0, Int64(k) * step, v)
            }
            _ = try await app.commit()
        }
        let end = Int64(samples - 1) * step
        let start = end - 6 * 3_600_000 + step
        let rangeStep: Int64 = 86_000  // ≈ 250 steps over 6 h
        let engine = QueryEngine(storage: db)
        let queries = [
            #"sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))"#,
            #"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))"#,
            #"count({__name__=~".+"})"#,
            #"node_cpu_seconds_total{instance="host-1:9100", cpu="0", mode="user"}"#,
        ]
        for q in queries {
            let expr = try parsePromQL(q)
            var times: [Double] = []
            var points = 0
            for _ in 0..<7 {
                let t0 = ContinuousClock.now
                let v = try engine.rangeQuery(expr, start: start, end: end, step: rangeStep)
                times.append((ContinuousClock.now - t0) / .milliseconds(1))
                if case .matrix(let m) = v { points = m.reduce(0) { $0 + $1.timestamps.count } }
            }
            times.sort()
            print("PERF \(q): p50 \(String(format: "%.1f", times[3])) ms, min \(String(format: "%.1f", times[0])) ms, \(points) points, \(series.count) series")
            #expect(points > 0)
        }
        try? db.close()
    }
}
