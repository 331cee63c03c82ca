import Foundation
import HTTPTypes
import Hummingbird
import Logging
import StrataServer
import StrataStorage
import StrataTestSupport
import Synchronization

/// A webhook receiver in the test process: records every request and
/// answers with the statuses the test scripts (then 200).
final class WebhookReceiver: Sendable {
    struct Hit: Sendable {
        let body: [UInt8]
        let dedupKey: String?
        let receivedAt: ContinuousClock.Instant
        var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]) ?? [:] }
        var status: String? { json["status"] as? String }
        var alertnames: [String] {
            ((json["alerts"] as? [[String: Any]]) ?? []).compactMap { ($0["labels"] as? [String: String])?["alertname"] }
        }
    }

    let port: Int
    private let task: Task<Void, any Error>
    private let shared: Shared

    final class Shared: Sendable {
        let hits = Mutex<[Hit]>([])
        /// Statuses for the next requests, in order; 200 once used up.
        let script = Mutex<[Int]>([])
        let attempts = Atomic<Int>(0)
        /// Firing notifications still to refuse with 500 (resolved ones pass).
        let firingFailures = Mutex<Int>(0)
        /// Statuses of the refused firing notifications' attempts.
        let refusedFiring = Atomic<Int>(0)
    }

    var url: String { "http://127.0.0.1:\(port)/hook" }

    static func startOn(port wanted: Int) async throws -> WebhookReceiver { try await start(port: wanted) }

    static func start(script: [Int] = [], failFiring: Int = 0, port wanted: Int = 0) async throws -> WebhookReceiver {
        let shared = Shared()
        shared.script.withLock { $0 = script }
        shared.firingFailures.withLock { $0 = failFiring }
        let router = Router()
        router.post("/hook") { req, _ -> Response in
            var r = req
            let buf = try await r.collectBody(upTo: 1 << 20)
            shared.attempts.wrappingAdd(1, ordering: .relaxed)
            var status = shared.script.withLock { s in s.isEmpty ? 200 : s.removeFirst() }
            let firing = ((try? JSONSerialization.jsonObject(with: Data(buf.readableBytesView))) as? [String: Any])?["status"] as? String == "firing"
            if firing && shared.firingFailures.withLock({ n in n > 0 ? { n -= 1; return true }() : false }) {
                status = 500
                shared.refusedFiring.wrappingAdd(1, ordering: .relaxed)
            }
            if status == 200 {
                shared.hits.withLock {
                    $0.append(Hit(body: Array(buf.readableBytesView), dedupKey: req.headers[HTTPField.Name("X-Strata-Dedup-Key")!],
                                  receivedAt: .now))
                }
            }
            return Response(status: .init(code: status))
        }
        let (stream, cont) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "hook")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: wanted)),
                              onServerRunning: { ch in cont.yield(ch.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var it = stream.makeAsyncIterator()
        guard let port = await it.next() else { throw TestServerError.didNotStart }
        return WebhookReceiver(port: port, task: task, shared: shared)
    }

    private init(port: Int, task: Task<Void, any Error>, shared: Shared) {
        self.port = port
        self.task = task
        self.shared = shared
    }

    var hits: [Hit] { shared.hits.withLock { $0 } }
    var attempts: Int { shared.attempts.load(ordering: .relaxed) }
    var refusedFiring: Int { shared.refusedFiring.load(ordering: .relaxed) }

    /// Waits (bounded, polling an observable state) until `condition` holds.
    @discardableResult
    func waitFor(_ what: String, timeout: Duration = .seconds(60), _ condition: @escaping ([Hit]) -> Bool) async throws -> [Hit] {
        try await waitUntil(timeout: timeout, what) { condition(self.hits) }
        return hits
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

enum AlertTest {
    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Stores one sample through `/api/v1/import`.
    static func push(_ s: TestServer, _ name: String, _ labels: [String: String] = [:], _ value: Double,
                     at t: Int64 = nowMs()) async throws {
        var l = labels
        l["__name__"] = name
        let lj = l.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",")
        let r = try await HTTP.post(s.base + "/api/v1/import", "{\"series\":[{\"labels\":{\(lj)},\"samples\":[[\(t), \(value)]]}]}")
        guard r.status == 204 else { throw PeerError.notReady("import: \(r.status) \(r.text)") }
    }

    static func postGroup(_ s: TestServer, _ body: String) async throws -> HTTPResult {
        try await HTTP.post(s.base + "/api/v1/rules", body)
    }

    static func putSettings(_ s: TestServer, _ body: String) async throws -> HTTPResult {
        try await HTTP.request(s.base + "/api/v1/alert-settings", method: .PUT, body: Array(body.utf8))
    }

    /// `data.alerts` of `/api/v1/alerts`.
    static func alerts(_ s: TestServer) async throws -> [[String: Any]] {
        let r = try await HTTP.get(s.base + "/api/v1/alerts")
        return ((r.data as? [String: Any])?["alerts"] as? [[String: Any]]) ?? []
    }

    static func waitForAlert(_ s: TestServer, _ name: String, state: String, timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        var found: [String: Any]?
        try await waitUntil(timeout: timeout, "alert \(name) \(state)") {
            found = try await alerts(s).first { a in
                (a["labels"] as? [String: String])?["alertname"] == name && a["state"] as? String == state
            }
            return found != nil
        }
        return found!
    }

    /// A server whose data directory outlives it (for restart tests).
    static func start(dataDir: String, _ configure: @escaping (inout ServeConfig) -> Void = { _ in }) async throws -> TestServer {
        try await TestServer.start { cfg in
            cfg.dataDir = dataDir
            cfg.alerting.retryInitial = 50
            cfg.alerting.retryMax = 400
            configure(&cfg)
        }
    }
}
