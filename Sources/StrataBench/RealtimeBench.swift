import Foundation
import HummingbirdWSClient
import Logging
import StrataCodec
import StrataIngest
import StrataStorage
import Synchronization

/// `strata bench --workload realtime` (issue #8's targets): what live
/// subscriptions cost ingestion, measured on a `strata serve` child process
/// with the subscribers in this (the client) process.
///
/// The same remote-write load runs with and without `subscribers` WebSocket
/// subscriptions on `queries` distinct PromQL queries attached (`max by (q)
/// (bench_g{q="…"})`, 5 m range, 1 s step, as a live dashboard panel). In
/// both phases a feeder writes a sample to every `bench_g` series once a
/// second, so with subscribers attached every group has new data to
/// evaluate and push each second; phases alternate `repetitions` times and
/// the figures are medians. Everything is bounded: each phase runs
/// `seconds`, connecting waits at most 120 s.
public struct RealtimeBench: Sendable {
    public struct Options: Sendable {
        public var subscribers = 1000
        public var queries = 100
        public var seriesPerQuery = 10
        public var seconds = 8.0
        public var repetitions = 3
        /// Concurrent remote-write connections of the load.
        public var workers = 2
        /// Series per load request (10 samples each).
        public var loadSeries = 1000
        /// Server on CPU 0, this process on the other CPUs.
        public var pin = true
        public init() {}
    }

    public struct Phase: Sendable {
        public var withSubscribers: Bool
        public var samplesPerSecond: Double
        public var serverCPUSeconds: Double
        public var seconds: Double
        public var messages: Int
    }

    let options: Options
    let executable: String
    let workDir: String

    public init(options: Options, executable: String, workDir: String) {
        self.options = options
        self.executable = executable
        self.workDir = workDir
    }

    /// Runs the benchmark and returns the report as Markdown lines.
    public func run(log: @escaping @Sendable (String) -> Void) async throws -> [String] {
        let client = BenchHTTPClient(connections: options.workers + 2)
        let target = try launch()
        var subscribers: [Subscriber] = []
        do {
            try await target.waitReady(client, timeoutSeconds: 60)
            let feeder = Feeder(base: target.baseURL, client: client, queries: options.queries, seriesPerQuery: options.seriesPerQuery)
            try await feeder.writeOnce()
            let messages = Counter()
            let t0 = ContinuousClock.now
            for i in 0..<options.subscribers {
                let q = "max by (q) (bench_g{q=\"\(i % options.queries)\"})"
                subscribers.append(try await Subscriber.connect(
                    target.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/ws/metrics", query: q, messages: messages))
            }
            let deadline = ContinuousClock.now + .seconds(120)
            while !subscribers.allSatisfy({ $0.initialReceived.load(ordering: .relaxed) }) {
                guard ContinuousClock.now < deadline else { throw BenchError.io("subscribers got no initial result within 120 s") }
                try await Task.sleep(for: .milliseconds(50))
            }
            log(String(format: "%d subscribers on %d queries connected with their initial results in %.1f s",
                       options.subscribers, options.queries, ProgressLine.seconds(ContinuousClock.now - t0)))
            // Subscribers stay connected; "without" pauses their subscriptions.
            var phases: [Phase] = []
            for r in 0..<options.repetitions {
                for attached in (r % 2 == 0 ? [false, true] : [true, false]) {
                    for s in subscribers { try await s.setSubscribed(attached) }
                    let before = messages.value.load(ordering: .relaxed)
                    var p = try await phase(target, client, feeder, run: "r\(r)\(attached ? "w" : "o")")
                    p.withSubscribers = attached
                    p.messages = messages.value.load(ordering: .relaxed) - before
                    log(String(format: "  %@ subscribers: %.2f M samples/s, server CPU %.2f s in %.1f s, %d messages received",
                               attached ? "with" : "without", p.samplesPerSecond / 1e6, p.serverCPUSeconds, p.seconds, p.messages))
                    phases.append(p)
                }
            }
            for s in subscribers { await s.close() }
            await target.stop()
            await client.shutdown()
            return report(phases)
        } catch {
            for s in subscribers { await s.close() }
            await target.stop()
            await client.shutdown()
            throw error
        }
    }

    /// Starts `strata serve` on a free loopback port. With `pin` (and at
    /// least 2 CPUs) the server runs on CPU 0 and this process on the
    /// others (`taskset`), so the subscribers' client-side work (receiving
    /// and counting their messages here) is not charged to the server.
    func launch() throws -> BenchTarget {
        let dataDir = workDir + "/strata-data"
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        guard let port = LoopbackPort.free() else { throw BenchError.io("no free loopback port") }
        var exe = executable
        var args = TargetKind.strata.serveArguments(port: port, dataDir: dataDir, configFile: "")
        let cpus = ProcessInfo.processInfo.activeProcessorCount
        if options.pin, cpus >= 2, let taskset = ServerProcess.resolve("taskset") {
            args = ["-c", "0", exe] + args
            exe = taskset
            let me = Process()
            me.executableURL = URL(fileURLWithPath: taskset)
            me.arguments = ["-a", "-p", "-c", "1-\(cpus - 1)", String(getpid())]
            me.standardOutput = FileHandle.nullDevice
            try me.run()
            me.waitUntilExit()
        }
        let proc = try ServerProcess(name: "strata", executable: exe, arguments: args, logPath: workDir + "/strata.log")
        return BenchTarget(kind: .strata, baseURL: "http://127.0.0.1:\(port)", process: proc, dataDir: dataDir)
    }

    func report(_ phases: [Phase]) -> [String] {
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
        let without = phases.filter { !$0.withSubscribers }, with = phases.filter(\.withSubscribers)
        let rw = median(with.map(\.samplesPerSecond)), ro = median(without.map(\.samplesPerSecond))
        let cw = median(with.map { $0.serverCPUSeconds / $0.seconds }), co = median(without.map { $0.serverCPUSeconds / $0.seconds })
        func perMillion(_ p: Phase) -> Double { p.serverCPUSeconds / (p.samplesPerSecond * p.seconds / 1e6) }
        let pw = median(with.map(perMillion)), po = median(without.map(perMillion))
        return [
            "| figure | without subscribers | with \(options.subscribers) subscribers | ratio |",
            "|---|---:|---:|---:|",
            String(format: "| remote-write ingest (M samples/s, median of %d) | %.2f | %.2f | **%.0f %%** |", options.repetitions, ro / 1e6, rw / 1e6, rw / max(ro, 1) * 100),
            String(format: "| server CPU (cores busy) | %.2f | %.2f | |", co, cw),
            String(format: "| server CPU per million samples (s) | %.3f | %.3f | %.0f %% |", po, pw, pw / max(1e-9, po) * 100),
            String(format: "| messages to subscribers per second | %.0f | %.0f | |",
                   median(without.map { Double($0.messages) / $0.seconds }), median(with.map { Double($0.messages) / $0.seconds })),
            "",
            options.pin && ProcessInfo.processInfo.activeProcessorCount >= 2
                ? "Server pinned to CPU 0 (`taskset`), load generator and subscribers on the other CPUs."
                : "Server and clients share all CPUs.",
        ]
    }

    /// One load phase: `workers` connections send 1,000-series requests with
    /// current timestamps for `seconds`, the feeder writes `bench_g` each second.
    func phase(_ target: BenchTarget, _ client: BenchHTTPClient, _ feeder: Feeder, run: String) async throws -> Phase {
        let cpu0 = target.stats?.cpuSeconds ?? 0
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int(options.seconds * 1000))
        let n = options.loadSeries
        let total = try await withThrowingTaskGroup(of: Int.self) { g in
            g.addTask {
                while clock.now < deadline {
                    try await feeder.writeOnce()
                    try await Task.sleep(until: min(deadline, clock.now + .seconds(1)), clock: clock)
                }
                return 0
            }
            for w in 0..<options.workers {
                g.addTask {
                    var sent = 0
                    var raw: [UInt8] = [], body: [UInt8] = []
                    let labels = (0..<n).map { i in
                        Labels(sortedUnchecked: [Label("__name__", "bench_load"), Label("run", run), Label("s", String(i)), Label("w", String(w))])
                    }
                    var ts = [Int64](repeating: 0, count: 10)
                    let vs = (0..<10).map(Double.init)
                    var last: Int64 = 0
                    while clock.now < deadline {
                        let t0 = max(last + 1, Self.nowMs() - 10)
                        last = t0 + 9
                        for j in 0..<ts.count { ts[j] = t0 + Int64(j) }
                        Self.encode(labels, timestamps: ts, values: vs, raw: &raw, body: &body)
                        let r = try await client.remoteWrite(url: target.writeURL, body: body)
                        guard r.isSuccess else { throw BenchError.io("remote write answered \(r.status): \(r.text.prefix(200))") }
                        sent += n * 10
                    }
                    return sent
                }
            }
            var sum = 0
            for try await x in g { sum += x }
            return sum
        }
        let secs = ProgressLine.seconds(clock.now - start)
        let cpu = (target.stats?.cpuSeconds ?? 0) - cpu0
        return Phase(withSubscribers: false, samplesPerSecond: Double(total) / secs, serverCPUSeconds: cpu, seconds: secs, messages: 0)
    }

    /// A remote-write body: every series in `labels` with the same
    /// samples, protobuf-encoded into `raw`, snappy-compressed into `body`
    /// (both reused across calls).
    static func encode(_ labels: [Labels], timestamps: [Int64], values: [Double], raw: inout [UInt8], body: inout [UInt8]) {
        raw.removeAll(keepingCapacity: true)
        timestamps.withUnsafeBufferPointer { t in
            values.withUnsafeBufferPointer { v in
                for l in labels { WriteRequestEncoder.appendTimeSeries(labels: l, timestamps: t, values: v, to: &raw) }
            }
        }
        body.removeAll(keepingCapacity: true)
        Snappy.compress(raw, into: &body)
    }

    static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Writes one sample to each `bench_g` series at the current second.
    final class Feeder: Sendable {
        let base: String
        let client: BenchHTTPClient
        let labels: [Labels]
        let k = Atomic<Int>(0)

        init(base: String, client: BenchHTTPClient, queries: Int, seriesPerQuery: Int) {
            self.base = base
            self.client = client
            var l: [Labels] = []
            for q in 0..<queries {
                for i in 0..<seriesPerQuery {
                    l.append(Labels(sortedUnchecked: [Label("__name__", "bench_g"), Label("i", String(i)), Label("q", String(q))]))
                }
            }
            labels = l
        }

        func writeOnce() async throws {
            let v = Double(k.wrappingAdd(1, ordering: .relaxed).newValue)
            var raw: [UInt8] = [], body: [UInt8] = []
            RealtimeBench.encode(labels, timestamps: [RealtimeBench.nowMs()], values: [v], raw: &raw, body: &body)
            let r = try await client.remoteWrite(url: base + "/api/v1/write", body: body)
            guard r.isSuccess else { throw BenchError.io("feeder write answered \(r.status): \(r.text.prefix(200))") }
        }
    }

    /// One WebSocket connection with one subscription; counts messages
    /// without parsing them.
    final class Subscriber: Sendable {
        let task = Mutex<Task<Void, any Error>?>(nil)
        let initialReceived = Atomic<Bool>(false)
        let out = Mutex<WebSocketOutboundWriter?>(nil)
        let query: String

        init(query: String) { self.query = query }

        static func connect(_ url: String, query: String, messages: Counter) async throws -> Subscriber {
            let me = Subscriber(query: query)
            let (ready, readyCont) = AsyncStream<Void>.makeStream()
            let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
            let task = Task<Void, any Error> {
                let ws = WebSocketClient(url: url, configuration: .init(maxFrameSize: 4 << 20), logger: logger) { inbound, outbound, _ in
                    me.out.withLock { $0 = outbound }
                    try await outbound.write(.text(me.subscribeMessage))
                    readyCont.yield()
                    for try await m in inbound.messages(maxSize: 64 << 20) {
                        guard case .text(let text) = m else { continue }
                        if !me.initialReceived.load(ordering: .relaxed), text.contains("\"initial\":true") {
                            me.initialReceived.store(true, ordering: .relaxed)
                        }
                        messages.value.wrappingAdd(1, ordering: .relaxed)
                    }
                }
                try await ws.run()
            }
            me.task.withLock { $0 = task }
            var it = ready.makeAsyncIterator()
            _ = await it.next()
            return me
        }

        var subscribeMessage: String {
            let q = query.replacingOccurrences(of: "\"", with: "\\\"")
            return #"{"type":"subscribe","payload":{"id":"s","query":"\#(q)","range":"5m","step":"1s"}}"#
        }

        /// Subscribes again (a fresh initial result) or unsubscribes.
        func setSubscribed(_ on: Bool) async throws {
            guard let o = out.withLock({ $0 }) else { return }
            try await o.write(.text(on ? subscribeMessage : #"{"type":"unsubscribe","payload":{"id":"s"}}"#))
        }

        func close() async {
            if let o = out.withLock({ $0 }) { try? await o.close(.normalClosure, reason: nil) }
            let t = task.withLock { $0 }
            t?.cancel()
            _ = try? await t?.value
        }
    }
}
