import Foundation
import Logging
import StrataCodec
import StrataQuery
import StrataStorage
import Synchronization

/// Owns the rule groups (from rule files and from the API), evaluates each
/// on its own interval in its own task, writes what they produce into the
/// TSDB and hands alert changes to the `AlertNotifier`.
///
/// Group state lives under one lock; an evaluation works on a copy and puts
/// it back only if the group was not replaced meanwhile (`generation`).
public final class RuleManager: Sendable {
    struct Key: Hashable, Sendable, Comparable {
        var file: String
        var name: String
        static func < (a: Key, b: Key) -> Bool { (a.file, a.name) < (b.file, b.name) }
    }

    struct Entry: Sendable {
        var runtime: GroupRuntime
        var generation: UInt64
    }

    struct State: Sendable {
        var groups: [Key: Entry] = [:]
        var nextGeneration: UInt64 = 1
        var running = false
        var tasks: [Key: (generation: UInt64, task: Task<Void, Never>)] = [:]
        var wakes: [Key: GroupWake] = [:]
        var ingestWatcher: Task<Void, Never>?
    }

    let db: Database
    let options: AlertingOptions
    let ruleFiles: [String]
    let store: RuleGroupStore
    let notifier: AlertNotifier
    let metrics: AlertingMetrics
    let commits: CommitSignal?
    let logger: Logger
    let evaluator: RuleGroupEvaluator
    /// Signalled by the ingest path after each commit (nil: tick only).
    let ingestCommits: CommitSignal?
    private let state = Mutex(State())
    /// Serialises changes to the API groups so `rules.json` matches memory.
    private let apiWrites = Mutex<Void>(())

    init(db: Database, options: AlertingOptions, ruleFiles: [String], dataDir: String, notifier: AlertNotifier,
         metrics: AlertingMetrics, commits: CommitSignal?, ingestCommits: CommitSignal? = nil,
         queryLimits: QueryLimits = QueryLimits(), logger: Logger) throws {
        self.ingestCommits = options.evaluateOnIngest ? ingestCommits : nil
        self.db = db
        self.options = options
        self.ruleFiles = ruleFiles
        self.store = RuleGroupStore(dataDir: dataDir)
        self.notifier = notifier
        self.metrics = metrics
        self.commits = commits
        self.logger = logger
        // The server's PromQL limits (lookback, timeout, samples) apply to rules too.
        var ev = RuleGroupEvaluator(engine: QueryEngine(storage: db, limits: queryLimits))
        ev.externalURL = options.externalURL
        for l in options.externalLabels { ev.externalLabels[l.name] = l.value }
        ev.resendDelay = options.resendDelay
        ev.forGracePeriod = options.forGracePeriod
        ev.outageTolerance = options.outageTolerance
        ev.forStateLookup = { name, from, to in Self.storedForState(db: db, alertName: name, from: from, to: to) }
        evaluator = ev
        let api = try store.load()
        let files = try Self.loadFiles(ruleFiles)
        state.withLock { s in
            for g in files + api { Self.install(g, into: &s, defaultInterval: options.evaluationInterval, restore: true) }
        }
    }

    static func loadFiles(_ paths: [String]) throws(RuleError) -> [CompiledGroup] {
        var out: [CompiledGroup] = []
        for p in try RuleFiles.expand(paths) {
            let text: String
            do { text = try String(contentsOfFile: p, encoding: .utf8) } catch {
                var e = RuleError("cannot read rule file: \(error.localizedDescription)")
                e.file = p
                throw e
            }
            out.append(contentsOf: try RuleGroupDecoder.decodeFile(text, file: p))
        }
        return out
    }

    /// `restore`: look up `for` state at the first evaluation (groups known
    /// at start); groups added later start fresh, as in Prometheus. Returns
    /// the series the replaced rules wrote that no kept rule writes.
    @discardableResult
    private static func install(_ g: CompiledGroup, into s: inout State, defaultInterval: Int64, restore: Bool = false) -> Set<Labels> {
        let key = Key(file: g.file, name: g.name)
        var rt = GroupRuntime(group: g, defaultInterval: defaultInterval)
        rt.needsRestore = restore
        var gone = Set<Labels>()
        if let old = s.groups[key] {
            rt.adopt(old.runtime)
            gone = old.runtime.writtenSeries.subtracting(rt.writtenSeries)
        }
        s.groups[key] = Entry(runtime: rt, generation: s.nextGeneration)
        s.nextGeneration += 1
        return gone
    }

    /// Marks series of removed rules stale at once (as Prometheus does when
    /// rules go away), instead of letting queries see them for the 5 min lookback.
    private func markStale(_ series: Set<Labels>) {
        guard !series.isEmpty else { return }
        let samples = series.map { (labels: $0, value: RuleGroupEvaluator.staleNaN) }
        Task { [self] in await self.write(samples, at: Self.nowMs()) }
    }

    // MARK: reading

    /// Every group, ordered by file then name (as Prometheus lists them).
    func groups() -> [GroupRuntime] {
        state.withLock { s in s.groups.keys.sorted().map { s.groups[$0]!.runtime } }
    }

    /// A group by name: the API-managed one first, then one from a rule file.
    func group(named name: String) -> GroupRuntime? {
        state.withLock { s in
            if let e = s.groups[Key(file: RuleGroupDefinition.apiFile, name: name)] { return e.runtime }
            return s.groups.keys.sorted().first { $0.name == name }.map { s.groups[$0]!.runtime }
        }
    }

    // MARK: changing

    enum ChangeError: Error, Sendable {
        case readOnly(file: String)
        case notFound
        case io(IOError)
    }

    /// Creates or replaces an API-managed group; persists first so an
    /// acknowledged change survives a crash. Returns whether it was new.
    func putAPIGroup(_ g: CompiledGroup) throws(ChangeError) -> Bool {
        try apiWrites.withLock { _ throws(ChangeError) -> Bool in
            let (defs, existed) = state.withLock { s in
                let key = Key(file: RuleGroupDefinition.apiFile, name: g.name)
                var defs = s.groups.filter { $0.key.file == RuleGroupDefinition.apiFile && $0.key != key }
                    .sorted { $0.key < $1.key }.map { $0.value.runtime.group.definition }
                defs.append(g.definition)
                return (defs, s.groups[key] != nil)
            }
            do throws(IOError) { try store.save(defs) } catch { throw .io(error) }
            let gone = state.withLock { s in Self.install(g, into: &s, defaultInterval: options.evaluationInterval) }
            markStale(gone)
            syncTasks()
            return !existed
        }
    }

    func deleteAPIGroup(_ name: String) throws(ChangeError) {
        try apiWrites.withLock { _ throws(ChangeError) in
            let key = Key(file: RuleGroupDefinition.apiFile, name: name)
            let defs: [RuleGroupDefinition]? = state.withLock { s in
                guard s.groups[key] != nil else { return nil }
                return s.groups.filter { $0.key.file == RuleGroupDefinition.apiFile && $0.key != key }
                    .sorted { $0.key < $1.key }.map { $0.value.runtime.group.definition }
            }
            guard let defs else {
                if let f = state.withLock({ s in s.groups.keys.first { $0.name == name }?.file }) { throw .readOnly(file: f) }
                throw .notFound
            }
            do throws(IOError) { try store.save(defs) } catch { throw .io(error) }
            let removed = state.withLock { s in s.groups.removeValue(forKey: key) }
            markStale(removed?.runtime.writtenSeries ?? [])
            syncTasks()
        }
    }

    /// Re-reads the rule files (SIGHUP, `POST /-/reload`). On any error the
    /// old groups stay, as Prometheus keeps its old config.
    func reload() throws(RuleError) {
        let files = try Self.loadFiles(ruleFiles)
        let gone = state.withLock { s in
            var gone = Set<Labels>()
            let keep = Set(files.map { Key(file: $0.file, name: $0.name) })
            for k in s.groups.keys where k.file != RuleGroupDefinition.apiFile && !keep.contains(k) {
                gone.formUnion(s.groups[k]!.runtime.writtenSeries)
                s.groups[k] = nil
            }
            for g in files { gone.formUnion(Self.install(g, into: &s, defaultInterval: options.evaluationInterval)) }
            return gone
        }
        markStale(gone)
        syncTasks()
        logger.info("rules reloaded", metadata: ["groups": "\(files.count)"])
    }

    // MARK: scheduling

    func start() {
        state.withLock { $0.running = true }
        syncTasks()
        if let signal = ingestCommits {
            let watcher = Task { [self] in await self.watchIngest(signal) }
            state.withLock { $0.ingestWatcher = watcher }
        }
    }

    /// Issue #9 asks for alerts within 5 s of the crossing sample with the
    /// default 15 s interval, which ticks alone cannot give. So when data
    /// is ingested, groups with alerting rules are also evaluated early,
    /// at most once per `minEvalSpacing`; their ticks stay on schedule.
    /// (Prometheus evaluates on ticks only; `alerting.evaluate_on_ingest:
    /// false` restores that.) Rule output is written straight to the head,
    /// not through the ingest path, so it never triggers this itself.
    private func watchIngest(_ signal: CommitSignal) async {
        var seen = signal.current
        while !Task.isCancelled {
            seen = await signal.wait(after: seen)
            if Task.isCancelled { return }
            let wakes = state.withLock { s in
                s.groups.compactMap { k, e in
                    e.runtime.rules.contains { $0.rule.isAlerting } && e.runtime.interval > options.minEvalSpacing ? s.wakes[k] : nil
                }
            }
            for w in wakes { w.kick() }
            do { try await Task.sleep(for: .milliseconds(options.minEvalSpacing)) } catch { return }
        }
    }

    func stop() async {
        let tasks = state.withLock { s in
            s.running = false
            var t = s.tasks.values.map(\.task)
            s.tasks = [:]
            if let w = s.ingestWatcher { t.append(w) }
            s.ingestWatcher = nil
            return t
        }
        for t in tasks { t.cancel() }
        ingestCommits?.wake()
        for t in tasks { await t.value }
    }

    /// Starts a task for each new or replaced group, cancels the others.
    private func syncTasks() {
        let cancelled: [Task<Void, Never>] = state.withLock { s in
            guard s.running else { return [] }
            var cancelled: [Task<Void, Never>] = []
            for (k, t) in s.tasks where s.groups[k]?.generation != t.generation {
                cancelled.append(t.task)
                s.tasks[k] = nil
                s.wakes[k] = nil
            }
            for (k, e) in s.groups where s.tasks[k] == nil {
                let gen = e.generation
                let wake = GroupWake()
                let task = Task { [self] in await self.runGroup(k, generation: gen, wake: wake) }
                s.tasks[k] = (gen, task)
                s.wakes[k] = wake
            }
            return cancelled
        }
        for t in cancelled { t.cancel() }
    }

    private func interval(_ key: Key, _ gen: UInt64) -> Int64? {
        state.withLock { s in s.groups[key].flatMap { $0.generation == gen ? $0.runtime.interval : nil } }
    }

    /// Evaluates at once, then every interval. When an evaluation overruns,
    /// the ticks it covered are skipped and counted as missed. A kick (data
    /// ingested) evaluates early if the last evaluation is `minEvalSpacing` old.
    private func runGroup(_ key: Key, generation gen: UInt64, wake: GroupWake) async {
        let clock = ContinuousClock()
        var next = clock.now
        var last = clock.now
        let spacing = Duration.milliseconds(options.minEvalSpacing)
        while !Task.isCancelled {
            guard let interval = interval(key, gen) else { return }
            let step = Duration.milliseconds(interval)
            if clock.now >= next {
                wake.clear()
                last = clock.now
                await evaluate(key, generation: gen)
                next += step
                let now = clock.now
                if now > next {
                    let missed = Int((now - next) / step) + 1
                    metrics.iterationsMissed(key.name, missed)
                    next += step * missed
                }
            }
            let kicked = await Self.sleep(until: next, clock: clock, orUntil: wake)
            if Task.isCancelled { return }
            if kicked, clock.now < next {
                // Early evaluation, no sooner than `spacing` after the last one.
                if clock.now < last + spacing {
                    do { try await Task.sleep(until: last + spacing, clock: clock) } catch { return }
                }
                if clock.now < next {
                    wake.clear()
                    last = clock.now
                    await evaluate(key, generation: gen)
                }
            }
        }
    }

    /// Sleeps until `deadline` or a kick; true when kicked first.
    private static func sleep(until deadline: ContinuousClock.Instant, clock: ContinuousClock, orUntil wake: GroupWake) async -> Bool {
        await withTaskGroup(of: Bool.self) { g in
            g.addTask {
                do { try await Task.sleep(until: deadline, clock: clock) } catch {}
                return false
            }
            g.addTask {
                await wake.wait()
                return true
            }
            let first = await g.next() ?? false
            g.cancelAll()
            return first
        }
    }

    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// One evaluation of one group at the current time.
    func evaluate(_ key: Key, generation gen: UInt64) async {
        guard var rt = state.withLock({ s in s.groups[key].flatMap { $0.generation == gen ? $0.runtime : nil } }) else { return }
        let t = Self.nowMs()
        let out = evaluator.evaluate(&rt, at: t)
        let final = rt
        state.withLock { s in
            if s.groups[key]?.generation == gen { s.groups[key]!.runtime = final }
        }
        metrics.groupEvaluated(key.name, rules: out.rulesEvaluated, failed: out.rulesFailed, seconds: rt.evaluationSeconds)
        notifier.handle(group: key.name, interval: rt.interval, events: out.events, toSend: out.toSend, at: t)
        await write(out.samples, at: t)
    }

    private func write(_ samples: [(labels: Labels, value: Double)], at t: Int64) async {
        guard !samples.isEmpty else { return }
        var app = db.appender()
        app.reserveCapacity(samples.count)
        for s in samples {
            do { _ = try app.append(s.labels, t, s.value) } catch {
                metrics.writeFailed()
                logger.warning("rule output refused", metadata: ["series": "\(s.labels)", "error": "\(error)"])
            }
        }
        do {
            let r = try await app.commit()
            if r.appended > 0 { commits?.signal(oldestTimestamp: t) }
        } catch {
            metrics.writeFailed()
            logger.error("writing rule output failed", metadata: ["error": "\(error)"])
        }
    }

    /// The newest `ALERTS_FOR_STATE` sample in [from, to] of each alert of a rule.
    static func storedForState(db: Database, alertName: String, from: Int64, to: Int64) -> [Labels: (value: Double, t: Int64)] {
        guard let m1 = try? Matcher(.equal, metricNameLabel, RuleGroupEvaluator.forStateMetric),
              let m2 = try? Matcher(.equal, alertNameLabel, alertName) else { return [:] }
        var out: [Labels: (value: Double, t: Int64)] = [:]
        var ts: [Int64] = []
        var vs: [Double] = []
        var dec = ChunkIterator()
        for s in db.querier(mint: from, maxt: to).select([m1, m2]) {
            ts.removeAll(keepingCapacity: true)
            vs.removeAll(keepingCapacity: true)
            s.appendSamples(ts: &ts, vs: &vs, decoder: &dec)
            guard let t = ts.last, let v = vs.last else { continue }
            if v.bitPattern == RollupBuilder.staleMarkerBits { continue }
            out[s.labels.removing(metricNameLabel)] = (v, t)
        }
        return out
    }
}
