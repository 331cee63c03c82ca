import AsyncHTTPClient
import Logging
import StrataQuery
import StrataStorage
import Synchronization

/// Checks one target every interval, in its own task, until stopped.
///
/// The first check runs at once (a new target shows data immediately),
/// later ones on a fixed schedule (missed ticks are skipped, not queued).
/// After each check the status is updated, the 24 h uptime recomputed from
/// the stored series, and a `health_update` published.
final class TargetRunner: Sendable {
    enum Check: Sendable {
        case prometheus(PrometheusScrape)
        case http(HTTPProbe)
    }

    let spec: TargetSpec
    private let tracker: Mutex<HealthTracker>
    private let stopRequest = Mutex<(requested: Bool, markStale: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, false, nil))
    /// Completed when `run` has returned (a replacement waits for it, so the
    /// old runner's staleness markers precede the new runner's samples).
    let finished = AsyncLatch()

    init(spec: TargetSpec) {
        self.spec = spec
        tracker = Mutex(HealthTracker(timeoutSeconds: Double(spec.timeoutMs) / 1000))
    }

    var status: TargetStatus { tracker.withLock { $0.status } }

    /// Asks the runner to stop; with `markStale`, its series are marked stale.
    func stop(markStale: Bool) {
        let w = stopRequest.withLock { s -> CheckedContinuation<Void, Never>? in
            if s.requested { return nil }
            s.requested = true
            s.markStale = markStale
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.resume()
    }

    private func waitForStop() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let now = stopRequest.withLock { s -> Bool in
                    if s.requested { return true }
                    s.waiter = c
                    return false
                }
                if now { c.resume() }
            }
        } onCancel: {
            // Server shutdown: stop without staleness markers, as Prometheus does.
            stop(markStale: false)
        }
    }

    struct Environment: Sendable {
        let client: HTTPClient
        let ingestor: Ingestor
        let storage: any QueryableStorage
        let logger: Logger
        /// Called after each check with the new status.
        let onStatus: @Sendable (TargetRunner, TargetStatus) -> Void
    }

    func run(_ env: Environment, after predecessor: AsyncLatch? = nil) async {
        defer { finished.open() }
        if let predecessor { await predecessor.wait() }
        let initial: Check = spec.kind == .prometheus ? .prometheus(PrometheusScrape(spec: spec)) : .http(HTTPProbe(spec: spec))
        let final: Check? = await withTaskGroup(of: Check?.self) { group in
            group.addTask { await self.waitForStop(); return nil }
            group.addTask { await self.loop(initial, env) }
            var last: Check?
            // The stop waiter returns first; cancel the loop and collect its state.
            if let r = await group.next(), let r { last = r }
            group.cancelAll()
            while let r = await group.next() { if let r { last = r } }
            return last
        }
        let markStale = stopRequest.withLock { $0.markStale }
        guard markStale, let final else { return }
        let now = nowMillis()
        switch final {
        case .prometheus(var s): await s.markAllStale(ingestor: env.ingestor, now: now)
        case .http(let p): await p.markAllStale(ingestor: env.ingestor, now: now)
        }
    }

    /// Runs checks until cancelled; returns its state for the final staleness markers.
    private func loop(_ initial: Check, _ env: Environment) async -> Check? {
        var check = initial
        let clock = ContinuousClock()
        let interval = Duration.milliseconds(spec.intervalMs)
        var next = clock.now
        while !Task.isCancelled {
            let now = nowMillis()
            let outcome: CheckOutcome
            switch check {
            case .prometheus(var s):
                outcome = await s.check(client: env.client, ingestor: env.ingestor, now: now)
                check = .prometheus(s)
            case .http(let p):
                outcome = await p.check(client: env.client, ingestor: env.ingestor, now: now)
            }
            // A check cut short by a stop is not a failure of the target.
            if Task.isCancelled { break }
            var status = tracker.withLock { $0.record(outcome) }
            let uptime = uptime24h(env.storage, at: now)
            status = tracker.withLock { t in
                t.setUptime(uptime)
                return t.status
            }
            env.onStatus(self, status)
            next += interval
            let t = clock.now
            if next < t {
                // Late (a slow check or a busy machine): skip the missed ticks.
                let behind = (t - next).totalNanoseconds / interval.totalNanoseconds + 1
                next += interval * Int(behind)
            }
            do { try await Task.sleep(until: next, clock: clock) } catch { break }
        }
        return check
    }

    /// `avg_over_time(up{job,instance}[24h]) * 100` at `t`, from the TSDB.
    func uptime24h(_ storage: any QueryableStorage, at t: Int64) -> Double? {
        let q = "avg_over_time(\(spec.uptimeMetric){job=\(Self.quote(spec.job)),instance=\(Self.quote(spec.instance))}[24h])"
        guard let expr = try? parsePromQL(q),
              case .vector(let v)? = try? QueryEngine(storage: storage).instantQuery(expr, at: t),
              let first = v.first, first.value.isFinite else { return nil }
        return (first.value * 100 * 1000).rounded() / 1000
    }

    /// A PromQL string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}

/// A one-shot event that any number of tasks can wait for.
final class AsyncLatch: Sendable {
    private let state = Mutex<(open: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    func open() {
        let ws = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.open = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in ws { w.resume() }
    }

    var isOpen: Bool { state.withLock { $0.open } }

    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.open { return true }
                s.waiters.append(c)
                return false
            }
            if ready { c.resume() }
        }
    }
}
