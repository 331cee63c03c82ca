import Foundation

/// The query phase: each query once untimed (its answer is canonicalised
/// and digested), then `runs` timed runs one after the other, measured at
/// the client from request to full response body.
///
/// Bounded: a query stops repeating once its timed runs used
/// `budgetSeconds`, and each request has a timeout.
struct QueryRunner {
    let client: BenchHTTPClient
    let runs: Int
    let budgetSeconds: Double

    /// Runs `queries` against `target`; returns measurements and the warm-up
    /// answers (nil where the query failed), in the queries' order. Each
    /// warm-up answer's body is saved as `answersDir/<query>.json` (if given),
    /// so that a mismatch can be looked at.
    func run(
        _ queries: [BenchQuery], on target: BenchTarget, window: QueryWindow, answersDir: String?, progress: ProgressLine
    ) async -> (measurements: [QueryMeasurement], answers: [CanonicalResult?]) {
        var measurements: [QueryMeasurement] = []
        var answers: [CanonicalResult?] = []
        let total = queries.count * (runs + 1)
        var done = 0
        for q in queries {
            var m = QueryMeasurement(name: q.name)
            let url = target.queryURL(q, window: window)
            var answer: CanonicalResult?
            do {
                let r = try await client.get(url)
                if let answersDir {
                    try? Data(r.body).write(to: URL(fileURLWithPath: answersDir + "/\(q.name).json"))
                }
                guard r.isSuccess else { throw BenchError.http("\(r.status): \(r.text.prefix(300))") }
                let a = try CanonicalResult.parse(r.body)
                answer = a
                m.digest = a.digest
                m.resultSeries = a.series.count
                m.resultPoints = a.pointCount
            } catch {
                m.error = "\(error)"
            }
            done += 1
            progress.update(done: done, total: total)
            if answer != nil {
                var times: [Double] = []
                let cpu0 = target.pid.flatMap { ProcessStats.threadCPUNanos(pid: $0) }
                let start = ContinuousClock.now
                for _ in 0..<runs {
                    let t0 = ContinuousClock.now
                    do {
                        let r = try await client.get(url)
                        guard r.isSuccess else { throw BenchError.http("\(r.status): \(r.text.prefix(300))") }
                    } catch {
                        m.error = "timed run failed: \(error)"
                        break
                    }
                    times.append(ProgressLine.seconds(ContinuousClock.now - t0) * 1000)
                    done += 1
                    progress.update(done: done, total: total)
                    if ProgressLine.seconds(ContinuousClock.now - start) > budgetSeconds { break }
                }
                m.runs = times.count
                m.timesMs = times
                if let cpu0, let cpu1 = target.pid.flatMap({ ProcessStats.threadCPUNanos(pid: $0) }), !times.isEmpty, cpu1 >= cpu0 {
                    m.serverCPUMsPerRun = Double(cpu1 - cpu0) / 1e6 / Double(times.count)
                }
                m.p50Ms = Percentile.of(times, 50)
                m.p95Ms = Percentile.of(times, 95)
                m.minMs = times.min()
                m.maxMs = times.max()
            }
            done = measurements.count * (runs + 1) + runs + 1
            measurements.append(m)
            answers.append(answer)
        }
        return (measurements, answers)
    }
}
