import Foundation
import Hummingbird
import Logging
import Synchronization
import Testing
@testable import StrataServer

/// A remote-write receiver in the test process that answers each request
/// with the next status of a script (204 once the script is used up) and
/// records every request.
final class ScriptedReceiver: Sendable {
    final class Log: Sendable {
        struct State { var script: [Int]; var requests: [(status: Int, body: [UInt8])] = [] }
        let state: Mutex<State>
        init(_ script: [Int]) { state = Mutex(State(script: script)) }
    }

    let port: Int
    let log: Log
    private let task: Task<Void, any Error>

    private init(port: Int, log: Log, task: Task<Void, any Error>) {
        self.port = port
        self.log = log
        self.task = task
    }

    var url: String { "http://127.0.0.1:\(port)/api/v1/write" }
    var requests: [(status: Int, body: [UInt8])] { log.state.withLock { $0.requests } }

    static func start(script: [Int]) async throws -> ScriptedReceiver {
        let log = Log(script)
        let router = Router()
        router.post("/api/v1/write") { req, _ -> Response in
            let body = try await req.body.collect(upTo: 16 << 20)
            let status = log.state.withLock { s -> Int in
                let st = s.script.isEmpty ? 204 : s.script.removeFirst()
                s.requests.append((st, Array(body.readableBytesView)))
                return st
            }
            return Response(status: .init(code: status))
        }
        let (stream, cont) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { ch in cont.yield(ch.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var it = stream.makeAsyncIterator()
        guard let port = await it.next() else { throw TestServerError.didNotStart }
        return ScriptedReceiver(port: port, log: log, task: task)
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

/// Issue #4, remote write out: 5xx and 429 are retried (with backoff) until
/// accepted; any other 4xx drops the request, counted as failed, without retry.
@Suite struct RemoteWriteRetryTests {
    static let t0 = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000 - 600_000

    static func batch(_ k: Int) -> [UInt8] {
        HTTP.remoteWriteBody((0..<4).map { i in
            (labels: [("__name__", "rw_retry"), ("i", String(i))], samples: [(t0 + Int64(k) * 1000, Double(k * 10 + i))])
        })
    }

    /// The value of the first `/metrics` line for `name` (0 when absent).
    static func metric(_ s: TestServer, _ name: String) async throws -> Double {
        let text = try await HTTP.get(s.base + "/metrics").text
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? .nan
        }
        return 0
    }

    static func withForwarding(to r: ScriptedReceiver, _ body: (TestServer) async throws -> Void) async throws {
        try await withServer({ cfg in
            var t = RemoteWriteTarget(url: r.url, name: "scripted")
            t.shards = 1
            cfg.remoteWrite = [t]
            cfg.monitoring.selfScrape = false
            cfg.monitoring.hostMetrics = false
        }) { s in
            // The forwarder starts at the end of the WAL when it first runs:
            // write only once it has recorded that start.
            let position = s.tmp.sub("data") + "/remote/scripted/position.json"
            try await waitUntil(timeout: .seconds(60), "the forwarder has started") {
                FileManager.default.fileExists(atPath: position)
            }
            try await body(s)
        }
    }

    /// Runs `body` with a receiver following `script`, always stopping it.
    static func withReceiver(script: [Int], _ body: (ScriptedReceiver) async throws -> Void) async throws {
        let r = try await ScriptedReceiver.start(script: script)
        do { try await body(r) } catch { await r.stop(); throw error }
        await r.stop()
    }

    @Test func serverErrorsAndTooManyRequestsAreRetried() async throws {
        try await Self.withReceiver(script: [503, 429, 500]) { r in try await Self.withForwarding(to: r) { s in
            #expect(try await HTTP.remoteWrite(s.base, Self.batch(0)).status == 204)
            try await waitUntil(timeout: .seconds(60), "the request is finally accepted") {
                r.requests.contains { $0.status == 204 }
            }
            let reqs = r.requests
            #expect(reqs.map(\.status) == [503, 429, 500, 204])
            // The same request each time.
            #expect(Set(reqs.map(\.body)).count == 1)
            try await waitUntil(timeout: .seconds(60), "metrics updated") {
                try await Self.metric(s, "strata_remote_write_samples_sent_total") == 4
            }
            #expect(try await Self.metric(s, "strata_remote_write_samples_retried_total") == 12)
            #expect(try await Self.metric(s, "strata_remote_write_samples_failed_total") == 0)
        } }
    }

    @Test func otherClientErrorsAreNotRetried() async throws {
        try await Self.withReceiver(script: [400]) { r in try await Self.withForwarding(to: r) { s in
            #expect(try await HTTP.remoteWrite(s.base, Self.batch(0)).status == 204)
            try await waitUntil(timeout: .seconds(60), "the first request arrives") { r.requests.count >= 1 }
            #expect(try await HTTP.remoteWrite(s.base, Self.batch(1)).status == 204)
            try await waitUntil(timeout: .seconds(60), "the second request arrives") { r.requests.count >= 2 }
            let reqs = r.requests
            #expect(reqs.map(\.status) == [400, 204])
            // The second request carries the next batch, not the refused one again.
            #expect(reqs[0].body != reqs[1].body)
            try await waitUntil(timeout: .seconds(60), "metrics updated") {
                try await Self.metric(s, "strata_remote_write_samples_sent_total") == 4
            }
            #expect(try await Self.metric(s, "strata_remote_write_samples_failed_total") == 4)
            #expect(try await Self.metric(s, "strata_remote_write_samples_retried_total") == 0)
        } }
    }
}
