import AsyncHTTPClient
import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import StrataCodec
import StrataIngest
import StrataStorage
import Synchronization
import Testing
@testable import StrataServer

/// The figures of issue #8, measured in-process over loopback (run with
/// `STRATA_REALTIME_BENCH=1 swift test -c release --filter RealtimeBenchmark`):
///
/// - WebSocket connect time (TCP connect + upgrade + first message);
/// - ingest commit → subscriber receipt latency with 1,000 subscribers on
///   100 distinct queries (5 m range, 1 s step; one write per second);
/// - remote-write ingestion throughput with those subscribers attached,
///   against the same load without them.
///
/// Timing figures are printed, not asserted: the machine is shared.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["STRATA_REALTIME_BENCH"] == "1"))
struct RealtimeBenchmarkTests {
    static let queries = 100
    static let subscribers = 1000
    static let seriesPerQuery = 10

    @Test func realtimeFigures() async throws {
        try await withRealtimeServer({ cfg in
            cfg.walFsync = .interval(milliseconds: 1000)
            cfg.realtime.sendBufferMessages = 4096
        }) { s in
            // 1. Connect time.
            var connect: [Double] = []
            for _ in 0..<200 {
                let t0 = ContinuousClock.now
                let c = try await RealtimeTestClient.connect(s.ws("health"))
                _ = try await c.first("connection_status")
                connect.append(Self.ms(ContinuousClock.now - t0))
                await c.close()
            }
            print("realtime bench: websocket connect (upgrade + first message), 200 sequential: p50 \(Self.pct(connect, 50)) ms, p99 \(Self.pct(connect, 99)) ms, max \(Self.pct(connect, 100)) ms")

            // 2. Ingestion throughput without subscribers.
            let load = LoadGenerator(base: s.base)
            let without = try await load.run(seconds: 8, run: "without")
            print("realtime bench: remote write without subscribers: \(Int(without)) samples/s")

            // 3. 1,000 subscribers on 100 queries.
            let now = nowMillis()
            try await Self.writeGauges(s, k: 0, t: now - 1000)
            let latencies = Mutex<[Double]>([])
            let current = Atomic<Int>(0)
            let sentAt = Mutex<[Int: ContinuousClock.Instant]>([:])
            let seen = Mutex<Set<Int64>>([])
            var clients: [BenchSubscriber] = []
            for i in 0..<Self.subscribers {
                let q = i % Self.queries
                let sub = try await BenchSubscriber.connect(s.ws("metrics"), id: i, query: "max by (q) (bench_g{q=\"\(q)\"})") { conn, text in
                    let k = current.load(ordering: .acquiring)
                    guard k > 0, text.contains(",\"\(k)\"]") else { return }
                    let key = Int64(conn) << 32 | Int64(k)
                    guard seen.withLock({ $0.insert(key).inserted }) else { return }
                    guard let t0 = sentAt.withLock({ $0[k] }) else { return }
                    let d = Self.ms(ContinuousClock.now - t0)
                    latencies.withLock { $0.append(d) }
                }
                clients.append(sub)
            }
            try await waitUntil(timeout: .seconds(120), "1000 initial results") {
                clients.allSatisfy { $0.initialReceived.load(ordering: .relaxed) }
            }
            print("realtime bench: \(Self.subscribers) subscribers on \(s.server.subscriptions.stats.groups) groups")

            // Paced writes: a sample per series at the current grid time (step 1 s),
            // once per grid time, so the point it changes already exists.
            var last = now - 1000
            for k in 1...40 {
                while (nowMillis() / 1000) * 1000 <= last {
                    try await Task.sleep(for: .milliseconds(50))  // pacing of the workload, not synchronisation
                }
                let t = (nowMillis() / 1000) * 1000
                last = t
                current.store(k, ordering: .releasing)
                sentAt.withLock { $0[k] = ContinuousClock.now }
                try await Self.writeGauges(s, k: k, t: t)
                let target = k * Self.subscribers
                try await waitUntil(timeout: .seconds(30), "all subscribers got write \(k)") {
                    latencies.withLock { $0.count } >= target
                }
            }
            let lat = latencies.withLock { $0 }
            print("realtime bench: commit→subscriber latency over \(lat.count) deliveries (write request start → message parsed): p50 \(Self.pct(lat, 50)) ms, p99 \(Self.pct(lat, 99)) ms, max \(Self.pct(lat, 100)) ms")

            // 4. Ingestion throughput with the subscribers attached.
            let with = try await load.run(seconds: 8, run: "with")
            print("realtime bench: remote write with \(Self.subscribers) subscribers: \(Int(with)) samples/s (\(Int((with / without * 100).rounded())) % of without)")
            let stats = s.server.subscriptions.stats
            print("realtime bench: ticks \(stats.ticks), evaluations \(stats.evaluations), dropped \(s.server.realtime.droppedConnections)")
            for c in clients { await c.close() }
        }
    }

    static func writeGauges(_ s: TestServer, k: Int, t: Int64) async throws {
        var series: [(labels: [(String, String)], samples: [(Int64, Double)])] = []
        for q in 0..<queries {
            for i in 0..<seriesPerQuery {
                series.append((labels: [("__name__", "bench_g"), ("i", String(i)), ("q", String(q))], samples: [(t, Double(k))]))
            }
        }
        let r = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody(series))
        #expect(r.status == 204, "\(r.text)")
    }

    static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

    static func pct(_ xs: [Double], _ p: Double) -> String {
        guard !xs.isEmpty else { return "n/a" }
        let s = xs.sorted()
        let i = min(s.count - 1, Int((Double(s.count) * p / 100).rounded(.up)) - 1)
        return String(format: "%.2f", s[max(0, i)])
    }
}

/// A lean subscriber: one connection, one subscription, messages handed to
/// a callback as text (no JSON parsing on the hot path of the measurement).
final class BenchSubscriber: Sendable {
    let task = Mutex<Task<Void, any Error>?>(nil)
    let initialReceived = Atomic<Bool>(false)
    let out: Mutex<WebSocketOutboundWriter?> = Mutex(nil)

    static func connect(_ url: String, id: Int, query: String,
                        onMessage: @escaping @Sendable (Int, String) -> Void) async throws -> BenchSubscriber {
        let (ready, readyCont) = AsyncStream<Void>.makeStream()
        let me = BenchSubscriber()
        let task = Task<Void, any Error> {
            let ws = WebSocketClient(url: url, configuration: .init(maxFrameSize: 4 << 20),
                                     logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })) { inbound, outbound, _ in
                me.out.withLock { $0 = outbound }
                let q = query.replacingOccurrences(of: "\"", with: "\\\"")
                try await outbound.write(.text(#"{"type":"subscribe","payload":{"id":"s","query":"\#(q)","range":"5m","step":"1s"}}"#))
                readyCont.yield()
                for try await m in inbound.messages(maxSize: 64 << 20) {
                    guard case .text(let text) = m else { continue }
                    if text.contains("\"initial\":true") { me.initialReceived.store(true, ordering: .relaxed) }
                    onMessage(id, text)
                }
            }
            try await ws.run()
        }
        me.task.withLock { $0 = task }
        var it = ready.makeAsyncIterator()
        _ = await it.next()
        return me
    }

    func close() async {
        if let o = out.withLock({ $0 }) { try? await o.close(.normalClosure, reason: nil) }
        let t = task.withLock { $0 }
        t?.cancel()
        _ = try? await t?.value
    }
}

/// Remote-write load: 4 concurrent senders, each request 1,000 series × 10
/// samples with current timestamps, for a fixed time. Returns samples/s.
struct LoadGenerator: Sendable {
    let base: String
    static let workers = 4
    static let series = 1000
    static let samplesPerSeries = 10

    /// `run` names the series set: each run writes fresh series, so one
    /// run's timestamps never make the next one's samples out of order.
    func run(seconds: Double, run: String) async throws -> Double {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        let clock = ContinuousClock()
        let start = clock.now
        let total = try await withThrowingTaskGroup(of: Int.self) { g in
            for w in 0..<Self.workers {
                g.addTask {
                    var sent = 0
                    var proto: [UInt8] = []
                    var body: [UInt8] = []
                    let labels = (0..<Self.series).map { i in
                        Labels(sortedUnchecked: [Label("__name__", "bench_load"), Label("run", run), Label("s", String(i)), Label("w", String(w))])
                    }
                    var ts = [Int64](repeating: 0, count: Self.samplesPerSeries)
                    let vs = (0..<Self.samplesPerSeries).map(Double.init)
                    var last: Int64 = 0
                    while clock.now < deadline {
                        // Live data: timestamps at "now", as a scraper or Prometheus' remote write sends them.
                        let t0 = max(last + 1, nowMillis() - Int64(Self.samplesPerSeries))
                        last = t0 + Int64(Self.samplesPerSeries) - 1
                        for j in 0..<ts.count { ts[j] = t0 + Int64(j) }
                        proto.removeAll(keepingCapacity: true)
                        ts.withUnsafeBufferPointer { t in
                            vs.withUnsafeBufferPointer { v in
                                for l in labels { WriteRequestEncoder.appendTimeSeries(labels: l, timestamps: t, values: v, to: &proto) }
                            }
                        }
                        body.removeAll(keepingCapacity: true)
                        Snappy.compress(proto, into: &body)
                        let r = try await HTTP.remoteWrite(base, body)
                        #expect(r.status == 204, "\(r.text.prefix(200))")
                        if r.status == 204 { sent += Self.series * Self.samplesPerSeries }
                    }
                    return sent
                }
            }
            var sum = 0
            for try await n in g { sum += n }
            return sum
        }
        let elapsed = clock.now - start
        return Double(total) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
