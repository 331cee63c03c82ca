import Logging
import ServiceLifecycle
import StrataQuery
import StrataStorage
import Synchronization

/// Live PromQL subscriptions on `/ws/metrics`.
///
/// Subscriptions with the same query (canonical form), range and step form
/// one group and share every evaluation. One evaluator task owns the groups:
/// it wakes on ingest commits (`CommitSignal`) and on subscription requests,
/// runs at most one tick per `options.tick` (the first commit after a quiet
/// period is evaluated at once, the ones that follow are coalesced), and does
/// its CPU work on a Dispatch thread so that it never occupies the threads
/// that serve requests. Ingestion never waits for it.
final class SubscriptionManager: Service, Sendable {
    let hub: RealtimeHub
    let storage: any QueryableStorage
    let options: RealtimeOptions
    let logger: Logger
    /// Wall clock in Unix milliseconds (a parameter so tests can pin it).
    let now: @Sendable () -> Int64

    enum Request: Sendable {
        case subscribe(RealtimeConnection, SubscriptionRequest)
        case unsubscribe(RealtimeConnection, id: String)
        case closed(RealtimeConnection)
    }

    struct Member {
        let conn: RealtimeConnection
        let id: String
    }

    /// One shared evaluation and the subscriptions that receive it.
    final class Group {
        let key: SubscriptionKey
        let expr: Expr
        /// `@ start()` / `@ end()` depend on the evaluated range, so such a
        /// query is always evaluated over its whole window.
        let usesQueryBounds: Bool
        var window: SubscriptionWindow
        var members: [Member] = []
        /// The last evaluation error sent, so a failing query is reported once.
        var failing: String?

        init(key: SubscriptionKey, expr: Expr, lateWindowMs: Int64) {
            self.key = key
            self.expr = expr
            usesQueryBounds = key.query.contains("start()") || key.query.contains("end()")
            window = SubscriptionWindow(rangeMs: key.rangeMs, stepMs: key.stepMs, lateWindowMs: lateWindowMs)
        }
    }

    struct State {
        var groups: [SubscriptionKey: Group] = [:]
        var byConnection: [UInt64: [String: SubscriptionKey]] = [:]
        var ticks = 0
        var evaluations = 0
    }

    private let inbox = Mutex<[Request]>([])
    private let state = Mutex(State())
    private let stopping = Atomic<Bool>(false)

    init(hub: RealtimeHub, storage: any QueryableStorage, options: RealtimeOptions, logger: Logger,
         now: @escaping @Sendable () -> Int64 = { nowMillis() }) {
        self.hub = hub
        self.storage = storage
        self.options = options
        self.logger = logger
        self.now = now
    }

    /// Queues a request for the evaluator (called by connection tasks).
    func submit(_ r: Request) {
        inbox.withLock { $0.append(r) }
        hub.commits.wake()
    }

    /// Counts for tests and metrics.
    var stats: (groups: Int, subscriptions: Int, ticks: Int, evaluations: Int) {
        state.withLock { s in
            (s.groups.count, s.byConnection.values.reduce(0) { $0 + $1.count }, s.ticks, s.evaluations)
        }
    }

    // MARK: the evaluator loop

    func run() async throws {
        let signal = hub.commits
        var seen = signal.current
        let clock = ContinuousClock()
        var lastTick = clock.now - options.tick
        await withGracefulShutdownHandler {
            while !Task.isCancelled && !stopping.load(ordering: .acquiring) {
                var requests = inbox.withLock { r in defer { r.removeAll() }; return r }
                var generation = signal.current
                if requests.isEmpty && generation == seen {
                    _ = await signal.wait(after: seen)
                    continue
                }
                var tick = false
                if generation != seen {
                    // Coalesce: at most one tick per `options.tick`.
                    let next = lastTick + options.tick
                    if clock.now < next {
                        try? await Task.sleep(until: next, clock: clock)
                        if Task.isCancelled { break }
                        requests += inbox.withLock { r in defer { r.removeAll() }; return r }
                        generation = signal.current
                    }
                    seen = generation
                    lastTick = clock.now
                    tick = true
                }
                let batch = requests
                let isTick = tick
                do {
                    try await offPool { [self] in self.process(batch, tick: isTick, now: self.now()) }
                } catch {
                    logger.error("subscription evaluation failed", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {
            self.stopping.store(true, ordering: .releasing)
            signal.finish()
        }
    }

    // MARK: one round

    /// Applies requests, then evaluates: groups with new members over their
    /// full window (one evaluation serves the newcomers' initial result and
    /// the existing members' update), and on a tick every other group
    /// incrementally. Synchronous; the caller runs it off the cooperative pool.
    func process(_ requests: [Request], tick: Bool, now: Int64) {
        state.withLock { s in
            var joiners: [SubscriptionKey: [Member]] = [:]
            for r in requests { apply(r, &s, &joiners) }
            if tick { s.ticks += 1 }
            // Taken before evaluating: commits landing during it count for the next tick.
            let changedFrom = tick ? hub.commits.takeOldestTimestamp() : nil
            let engine = QueryEngine(storage: storage, limits: limits)
            var emptied: [SubscriptionKey] = []
            for (key, g) in s.groups {
                if let js = joiners[key], !js.isEmpty {
                    evaluateWithJoiners(g, js, engine, now: now)
                    s.evaluations += 1
                } else if tick && !g.members.isEmpty
                            && (g.usesQueryBounds || g.window.needsEvaluation(now: now, changedFrom: changedFrom)) {
                    evaluateIncrementally(g, engine, now: now, changedFrom: changedFrom)
                    s.evaluations += 1
                }
                let before = g.members.count
                g.members.removeAll { $0.conn.outbox.isClosing }
                if g.members.count != before {
                    for (cid, subs) in s.byConnection {
                        let live = subs.filter { k in k.value != key || g.members.contains { $0.conn.id == cid && $0.id == k.key } }
                        s.byConnection[cid] = live.isEmpty ? nil : live
                    }
                }
                if g.members.isEmpty { emptied.append(key) }
            }
            for k in emptied { s.groups[k] = nil }
            hub.metrics?.groups.record(s.groups.count)
        }
    }

    var limits: QueryLimits {
        var l = QueryLimits()
        l.timeout = options.queryTimeout
        return l
    }

    private func apply(_ r: Request, _ s: inout State, _ joiners: inout [SubscriptionKey: [Member]]) {
        switch r {
        case .closed(let conn):
            for (_, key) in s.byConnection[conn.id] ?? [:] {
                s.groups[key]?.members.removeAll { $0.conn.id == conn.id }
                joiners[key]?.removeAll { $0.conn.id == conn.id }
            }
            s.byConnection[conn.id] = nil
        case .unsubscribe(let conn, let id):
            guard let key = s.byConnection[conn.id]?[id] else {
                hub.sendError(conn, RealtimeClientError(id: id, "bad_data", "no subscription with id \"\(id)\""))
                return
            }
            remove(conn, id, key, &s, &joiners)
            hub.send(conn, type: "unsubscribed") { w, _, _ in
                w.raw("{\"id\":")
                w.string(id)
                w.byte(UInt8(ascii: "}"))
            }
        case .subscribe(let conn, let req):
            if conn.outbox.isClosing { return }
            // A repeated id replaces the subscription (a dashboard panel changed its query).
            if let old = s.byConnection[conn.id]?[req.id] { remove(conn, req.id, old, &s, &joiners) }
            let count = s.byConnection[conn.id]?.count ?? 0
            if count >= options.maxSubscriptionsPerConnection {
                hub.sendError(conn, RealtimeClientError(id: req.id, "limit",
                    "at most \(options.maxSubscriptionsPerConnection) subscriptions per connection"))
                return
            }
            let key = req.key
            if s.groups[key] == nil { s.groups[key] = Group(key: key, expr: req.expr, lateWindowMs: options.lateWindowMs) }
            joiners[key, default: []].append(Member(conn: conn, id: req.id))
            s.byConnection[conn.id, default: [:]][req.id] = key
        }
    }

    private func remove(_ conn: RealtimeConnection, _ id: String, _ key: SubscriptionKey, _ s: inout State,
                        _ joiners: inout [SubscriptionKey: [Member]]) {
        s.groups[key]?.members.removeAll { $0.conn.id == conn.id && $0.id == id }
        joiners[key]?.removeAll { $0.conn.id == conn.id && $0.id == id }
        s.byConnection[conn.id]?[id] = nil
        if s.byConnection[conn.id]?.isEmpty == true { s.byConnection[conn.id] = nil }
    }

    private func evaluate(_ g: Group, _ engine: QueryEngine, start: Int64, end: Int64) -> Result<[RangeSeries], QueryError> {
        let clock = ContinuousClock()
        let t0 = clock.now
        defer { hub.metrics?.evaluation.recordNanoseconds((clock.now - t0).totalNanoseconds) }
        do {
            guard case .matrix(let m) = try engine.rangeQuery(g.expr, start: start, end: end, step: g.key.stepMs) else {
                return .success([])
            }
            return .success(m)
        } catch {
            return .failure(error)
        }
    }

    private func evaluateWithJoiners(_ g: Group, _ joiners: [Member], _ engine: QueryEngine, now: Int64) {
        let w = g.window.window(now: now)
        switch evaluate(g, engine, start: w.start, end: w.end) {
        case .failure(let e):
            for m in joiners { hub.sendError(m.conn, Self.clientError(e, id: m.id)) }
        case .success(let result):
            if g.window.evaluatedThrough != nil {
                let from = g.window.incrementalRange(now: now).start
                let updates = g.window.apply(result, from: from, to: w.end, now: now)
                send(updates, to: g.members, start: from, end: w.end)
            } else {
                _ = g.window.apply(result, from: w.start, to: w.end, now: now)
            }
            g.failing = nil
            let body = SubscriptionMessages.initialBody(result, key: g.key, start: w.start, end: w.end)
            for m in joiners where deliver(m, body) { g.members.append(m) }
        }
    }

    private func evaluateIncrementally(_ g: Group, _ engine: QueryEngine, now: Int64, changedFrom: Int64?) {
        let r = g.window.incrementalRange(now: now, changedFrom: changedFrom)
        let evalStart = g.usesQueryBounds ? g.window.window(now: now).start : r.start
        switch evaluate(g, engine, start: evalStart, end: r.end) {
        case .failure(let e):
            let ce = Self.clientError(e, id: nil)
            if g.failing != ce.message {
                g.failing = ce.message
                for m in g.members {
                    var c = ce
                    c.id = m.id
                    hub.sendError(m.conn, c)
                }
            }
        case .success(let result):
            g.failing = nil
            let updates = g.window.apply(result, from: r.start, to: r.end, now: now)
            send(updates, to: g.members, start: r.start, end: r.end)
        }
    }

    private func send(_ updates: [SubscriptionWindow.SeriesUpdate], to members: [Member], start: Int64, end: Int64) {
        guard !updates.isEmpty, !members.isEmpty else { return }
        let body = SubscriptionMessages.updateBody(updates, start: start, end: end)
        for m in members { _ = deliver(m, body) }
    }

    /// `{"id":…,` + body as one `metrics_update`.
    private func deliver(_ m: Member, _ body: [UInt8]) -> Bool {
        hub.send(m.conn, type: "metrics_update") { w, _, _ in
            w.raw("{\"id\":")
            w.string(m.id)
            w.byte(UInt8(ascii: ","))
            w.bytes.append(contentsOf: body)
        }
    }

    static func clientError(_ e: QueryError, id: String?) -> RealtimeClientError {
        RealtimeClientError(id: id, e.kind.rawValue, e.message)
    }
}
