import Foundation

/// The ingest phase: every connection sends its requests in order, paced by
/// `IngestPacer`; the wall clock from the first send to the last answer
/// gives samples/s.
///
/// Bounded: each request is tried at most `1 + maxRetries` times (retrying
/// only 5xx and transport errors, as remote write senders do), and nothing
/// new is sent after `timeoutSeconds`.
struct IngestRunner {
    let client: BenchHTTPClient
    let url: String
    let maxRetries: Int
    let timeoutSeconds: Double
    let maxLeadRounds: Int

    final class Counters: @unchecked Sendable {
        let lock = NSLock()
        var samplesSent = 0
        var requests = 0
        var failed = 0
        var retries = 0
        var firstError: String?
        var timedOut = false
    }

    func run(_ load: GeneratedLoad, progress: ProgressLine) async -> TargetResult.IngestResult {
        let pacer = IngestPacer(
            firstRounds: load.connections.map { $0.first?.firstRound ?? Int.max }, maxLeadRounds: maxLeadRounds)
        let counters = Counters()
        let total = load.samples
        let start = ContinuousClock.now
        let deadline = start + .milliseconds(Int(timeoutSeconds * 1000))
        let client = self.client, url = self.url, maxRetries = self.maxRetries
        await withTaskGroup(of: Void.self) { group in
            for (c, bodies) in load.connections.enumerated() {
                group.addTask {
                    for (i, body) in bodies.enumerated() {
                        await pacer.waitForTurn(connection: c, round: body.firstRound)
                        if ContinuousClock.now > deadline {
                            counters.lock.withLock { counters.timedOut = true }
                            break
                        }
                        var attempt = 0
                        var outcome: String?
                        while true {
                            do {
                                let r = try await client.remoteWrite(url: url, body: body.bytes)
                                if r.isSuccess { outcome = nil; break }
                                outcome = "HTTP \(r.status): \(r.text.prefix(300))"
                                if r.status < 500 { break }
                            } catch {
                                outcome = "\(error)"
                            }
                            attempt += 1
                            if attempt > maxRetries || ContinuousClock.now > deadline { break }
                            counters.lock.withLock { counters.retries += 1 }
                            try? await Task.sleep(for: .milliseconds(100 * attempt))
                        }
                        let sent = counters.lock.withLock {
                            counters.requests += 1
                            if let outcome {
                                counters.failed += 1
                                if counters.firstError == nil { counters.firstError = outcome }
                            } else {
                                counters.samplesSent += body.samples
                            }
                            return counters.samplesSent
                        }
                        progress.update(done: sent, total: total)
                        let next = i + 1 < bodies.count ? bodies[i + 1].firstRound : Int.max
                        await pacer.advance(connection: c, to: next)
                    }
                    // Never leave the others waiting for a connection that stopped.
                    await pacer.advance(connection: c, to: Int.max)
                }
            }
        }
        let seconds = ProgressLine.seconds(ContinuousClock.now - start)
        return counters.lock.withLock {
            TargetResult.IngestResult(
                seconds: seconds, samples: counters.samplesSent,
                samplesPerSecond: seconds > 0 ? Double(counters.samplesSent) / seconds : 0,
                requests: counters.requests, failedRequests: counters.failed, retries: counters.retries,
                firstError: counters.firstError, timedOut: counters.timedOut)
        }
    }
}
