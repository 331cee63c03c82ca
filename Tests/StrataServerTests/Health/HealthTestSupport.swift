import Foundation
import Hummingbird
import Logging
import StrataServer
import StrataStorage
import Synchronization

/// A tiny HTTP server in the test process whose health the test controls:
/// `/metrics` (a Prometheus exposition) and `/probe`.
final class FlappingTarget: Sendable {
    enum Mode: Sendable { case ok, partial, failing }

    let port: Int
    private let task: Task<Void, any Error>

    static func start() async throws -> FlappingTarget {
        let router = Router()
        let (stream, cont) = AsyncStream<Int>.makeStream()
        let state = Shared()
        router.get("/metrics") { _, _ -> Response in
            state.scrapes.wrappingAdd(1, ordering: .relaxed)
            switch state.mode.withLock({ $0 }) {
            case .failing:
                return Response(status: .internalServerError)
            case .partial:
                return Self.text("# TYPE flap_a gauge\nflap_a{side=\"left\"} 1\n")
            case .ok:
                return Self.text("# TYPE flap_a gauge\nflap_a{side=\"left\"} 1\n# TYPE flap_b counter\nflap_b{job=\"exposed\"} 7\n")
            }
        }
        router.get("/probe") { _, _ -> Response in
            state.mode.withLock { $0 } == .failing ? Response(status: .serviceUnavailable) : Self.text("ok\n")
        }
        var logger = Logger(label: "flap")
        logger.logLevel = .critical
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { ch in cont.yield(ch.localAddress?.port ?? 0) },
            logger: logger
        )
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var it = stream.makeAsyncIterator()
        guard let port = await it.next() else { throw TestServerError.didNotStart }
        return FlappingTarget(port: port, task: task, shared: state)
    }

    final class Shared: Sendable {
        let mode = Mutex(Mode.ok)
        let scrapes = Atomic<Int>(0)
    }

    private let shared: Shared

    private init(port: Int, task: Task<Void, any Error>, shared: Shared) {
        self.port = port
        self.task = task
        self.shared = shared
    }

    func set(_ m: Mode) { shared.mode.withLock { $0 = m } }
    var scrapeCount: Int { shared.scrapes.load(ordering: .relaxed) }

    static func text(_ s: String) -> Response {
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}

enum TSDB {
    /// Raw samples of the series selected by `name` and `labels`, in time order.
    static func samples(_ db: Database, _ name: String, _ labels: [String: String] = [:]) -> [(labels: Labels, ts: [Int64], vs: [Double])] {
        var matchers = [try! Matcher(.equal, "__name__", name)]
        for (k, v) in labels { matchers.append(try! Matcher(.equal, k, v)) }
        return db.querier(mint: 0, maxt: Int64.max).select(matchers).map { s in
            let (ts, vs) = s.samples()
            return (s.labels, ts, vs)
        }
    }

    static func isStale(_ v: Double) -> Bool { v.bitPattern == 0x7ff0_0000_0000_0002 }
}
