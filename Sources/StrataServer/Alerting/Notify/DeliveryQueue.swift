import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import StrataStorage
import Synchronization

/// Notifications waiting to reach a receiver, each kept as a file in
/// `<data_dir>/alerting/outbox/` (docs/format/alerting-files.md) from the
/// moment it is queued until the receiver answered 2xx or 4xx, so a restart
/// re-sends whatever was not acknowledged: at-least-once delivery.
/// Receivers see the same `X-Strata-Dedup-Key` on every attempt and can drop
/// repeats; the queue itself never holds two deliveries with one key.
///
/// Deliveries with one `orderKey` (a webhook receiver and one alert; an
/// Alertmanager) reach the receiver in the order they were queued: the next
/// one waits until the one before was delivered, refused or given up, so a
/// resolved notification never overtakes the firing one still being retried.
/// Different keys are delivered independently.
final class DeliveryQueue: Sendable {
    struct Delivery: Sendable {
        var id: UInt64
        var receiver: String
        var url: String
        var body: [UInt8]
        var dedupKey: String
        var createdAt: Int64
        /// Deliveries with the same key are sent one after another, in `id` order.
        var orderKey: String
    }

    struct State {
        var pending: [UInt64: Delivery] = [:]
        var keys: Set<String> = []
        /// Order keys with a delivery in flight, and what waits behind it (in id order).
        var chains: [String: [Delivery]] = [:]
        var nextID: UInt64 = 1
        var attempts = 0
    }

    let dir: String
    let options: AlertingOptions
    let metrics: AlertingMetrics
    let logger: Logger
    private let state: Mutex<State>
    private let stream: AsyncStream<Delivery>
    private let continuation: AsyncStream<Delivery>.Continuation
    private let recovered: [Delivery]

    init(dataDir: String, options: AlertingOptions, metrics: AlertingMetrics, logger: Logger) throws {
        dir = AlertingPaths.directory(dataDir) + "/outbox"
        self.options = options
        self.metrics = metrics
        self.logger = logger
        try FileIO.mkdirs(dir)
        var s = State()
        var loaded: [Delivery] = []
        for name in try FileIO.list(dir) {
            let path = dir + "/" + name
            if name.hasSuffix(".tmp") { try? FileIO.unlink(path); continue }
            guard name.hasSuffix(".json"), let d = Self.decode(try FileIO.readFile(path)) else {
                logger.warning("unreadable outbox entry removed", metadata: ["file": "\(path)"])
                try? FileIO.unlink(path)
                continue
            }
            s.pending[d.id] = d
            s.keys.insert(d.dedupKey)
            s.nextID = max(s.nextID, d.id + 1)
            loaded.append(d)
        }
        recovered = loaded.sorted { $0.id < $1.id }
        state = Mutex(s)
        let (st, cont) = AsyncStream.makeStream(of: Delivery.self)
        stream = st
        continuation = cont
        metrics.queueLength(loaded.count)
    }

    var pendingCount: Int { state.withLock { $0.pending.count } }
    /// Send attempts made so far (tests, `/metrics`).
    var attemptCount: Int { state.withLock { $0.attempts } }

    /// Queues a notification; false when one with the same key is still queued.
    @discardableResult
    func enqueue(receiver: String, url: String, body: [UInt8], dedupKey: String, orderKey: String, now: Int64) -> Bool {
        let d: Delivery? = state.withLock { s in
            guard s.keys.insert(dedupKey).inserted else { return nil }
            let d = Delivery(id: s.nextID, receiver: receiver, url: url, body: body, dedupKey: dedupKey, createdAt: now,
                             orderKey: orderKey)
            s.nextID += 1
            s.pending[d.id] = d
            return d
        }
        guard let d else { return false }
        do {
            try FileIO.writeFileAtomically(path(d.id), Self.encode(d))
        } catch {
            // Still sent from memory; only the restart guarantee is lost.
            logger.error("cannot persist notification", metadata: ["error": "\(error)"])
        }
        metrics.queueLength(pendingCount)
        continuation.yield(d)
        return true
    }

    func path(_ id: UInt64) -> String {
        let h = String(id, radix: 16)
        return dir + "/" + String(repeating: "0", count: max(0, 16 - h.count)) + h + ".json"
    }

    private func complete(_ d: Delivery) {
        try? FileIO.unlink(path(d.id))
        state.withLock { s in
            s.pending[d.id] = nil
            s.keys.remove(d.dedupKey)
        }
        metrics.queueLength(pendingCount)
    }

    /// Delivers until cancelled (server shutdown): what is still queued then
    /// stays on disk for the next start.
    func run() async {
        await withDiscardingTaskGroup { group in
            for d in recovered where startsChain(d) { group.addTask { await self.deliverChain(d) } }
            // AsyncStream's iterator ends when this task is cancelled.
            for await d in stream where startsChain(d) {
                group.addTask { await self.deliverChain(d) }
            }
        }
    }

    /// True if `d` is the first of its order key in flight; otherwise it
    /// waits in that key's chain.
    private func startsChain(_ d: Delivery) -> Bool {
        state.withLock { s in
            if s.chains[d.orderKey] != nil {
                s.chains[d.orderKey]!.append(d)
                return false
            }
            s.chains[d.orderKey] = []
            return true
        }
    }

    /// Delivers `first`, then whatever queued behind it under the same order key.
    private func deliverChain(_ first: Delivery) async {
        var d = first
        while true {
            await deliver(d)
            if Task.isCancelled { return }   // the rest stays on disk for the next start
            let next: Delivery? = state.withLock { s in
                guard var waiting = s.chains[d.orderKey], !waiting.isEmpty else {
                    s.chains[d.orderKey] = nil
                    return nil
                }
                let n = waiting.removeFirst()
                s.chains[d.orderKey] = waiting
                return n
            }
            guard let next else { return }
            d = next
        }
    }

    private func deliver(_ d: Delivery) async {
        var attempt = 0
        while !Task.isCancelled {
            attempt += 1
            state.withLock { $0.attempts += 1 }
            let outcome = await send(d)
            switch outcome {
            case .delivered:
                metrics.notificationSent(d.receiver)
                complete(d)
                return
            case .rejected(let status):
                metrics.notificationFailed(d.receiver, permanent: true)
                logger.warning("receiver refused notification, not retrying",
                               metadata: ["receiver": "\(d.receiver)", "status": "\(status)"])
                complete(d)
                return
            case .retry(let reason):
                metrics.notificationFailed(d.receiver, permanent: false)
                if RuleManager.nowMs() - d.createdAt > options.retryGiveUp {
                    metrics.notificationDropped(d.receiver)
                    logger.error("notification dropped after retrying", metadata: ["receiver": "\(d.receiver)", "reason": "\(reason)"])
                    complete(d)
                    return
                }
                let delay = RetryBackoff.delay(attempt: attempt, initial: options.retryInitial, max: options.retryMax)
                do { try await Task.sleep(for: .milliseconds(delay)) } catch { return }
            }
        }
    }

    private func send(_ d: Delivery) async -> RetryBackoff.Outcome {
        var req = HTTPClientRequest(url: d.url)
        req.method = .POST
        req.headers.add(name: "Content-Type", value: "application/json")
        req.headers.add(name: "User-Agent", value: "Strata-Alerting")
        req.headers.add(name: "X-Strata-Dedup-Key", value: d.dedupKey)
        req.body = .bytes(ByteBuffer(bytes: d.body))
        do {
            let resp = try await HTTPClient.shared.execute(req, timeout: .milliseconds(options.sendTimeout))
            _ = try? await resp.body.collect(upTo: 1 << 16)
            return RetryBackoff.classify(status: Int(resp.status.code))
        } catch {
            return .retry(reason: "\(error)")
        }
    }

    // MARK: file format

    static func encode(_ d: Delivery) -> [UInt8] {
        JSONValue.object([
            ("version", .int(1)), ("id", .int(Int64(d.id))), ("receiver", .string(d.receiver)), ("url", .string(d.url)),
            ("dedupKey", .string(d.dedupKey)), ("orderKey", .string(d.orderKey)), ("createdAt", .int(d.createdAt)),
            ("body", .string(String(decoding: d.body, as: UTF8.self))),
        ]).jsonBytes
    }

    static func decode(_ bytes: [UInt8]) -> Delivery? {
        guard let v = try? JSONValue.parse(bytes), let id = v["id"]?.int64Value, id > 0,
              let receiver = v["receiver"]?.stringValue, let url = v["url"]?.stringValue,
              let key = v["dedupKey"]?.stringValue, let created = v["createdAt"]?.int64Value,
              let body = v["body"]?.stringValue else { return nil }
        // Entries written before order keys existed are ordered by nothing but themselves.
        let order = v["orderKey"]?.stringValue ?? key
        return Delivery(id: UInt64(id), receiver: receiver, url: url, body: Array(body.utf8), dedupKey: key, createdAt: created,
                        orderKey: order)
    }
}
