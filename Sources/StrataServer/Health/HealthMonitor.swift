import AsyncHTTPClient
import Logging
import NIOCore
import ServiceLifecycle
import StrataQuery
import StrataStorage
import Synchronization

/// Watches the targets: runs one `TargetRunner` task per target inside this
/// service, applies the changes made through `/api/v1/targets` (persisted in
/// `targets.json`), and publishes `health_update` on the `health` channel.
public final class HealthMonitor: Service, Sendable {
    let ingestor: Ingestor
    let storage: any QueryableStorage
    let hub: RealtimeHub
    let options: HealthOptions
    let store: TargetStore
    let logger: Logger

    public enum ChangeError: Error, Sendable, Equatable, CustomStringConvertible {
        case invalid(String)
        case notFound(String)
        case conflict(String)
        case io(String)
        public var description: String {
            switch self {
            case .invalid(let m), .notFound(let m), .conflict(let m), .io(let m): return m
            }
        }
    }

    private struct State {
        /// In display order: config targets, then builtin, then API ones by creation.
        var order: [String] = []
        var specs: [String: TargetSpec] = [:]
        var runners: [String: TargetRunner] = [:]
    }

    private let state = Mutex(State())
    private enum Command: Sendable {
        /// Start a runner, after its predecessor (same id) has finished.
        case runner(TargetRunner, after: AsyncLatch?)
        case host(HostMetricsCollector)
    }

    private let commands: AsyncStream<Command>
    private let commandSink: AsyncStream<Command>.Continuation
    let dataDir: String

    /// Loads the persisted API targets; config targets come from `configTargets`.
    init(configTargets: [TargetSpec], ingestor: Ingestor, storage: any QueryableStorage, hub: RealtimeHub,
         options: HealthOptions, dataDir: String, logger: Logger) throws {
        self.ingestor = ingestor
        self.storage = storage
        self.hub = hub
        self.options = options
        self.logger = logger
        self.dataDir = dataDir
        store = TargetStore(path: options.targetsFile ?? dataDir + "/targets.json")
        (commands, commandSink) = AsyncStream.makeStream()
        let persisted: [TargetSpec]
        do { persisted = try store.load() } catch {
            throw ConfigError.invalid("targets file", error.description)
        }
        var initial = State()
        for spec in configTargets + persisted {
            if initial.specs[spec.id] != nil {
                logger.warning("ignoring a persisted target whose id is taken by the config file", metadata: ["id": "\(spec.id)"])
                continue
            }
            if let clash = Self.identityClash(spec, in: initial.specs) {
                logger.warning("ignoring a target with the same job and instance as another", metadata: ["id": "\(spec.id)", "other": "\(clash)"])
                continue
            }
            initial.order.append(spec.id)
            initial.specs[spec.id] = spec
        }
        state.withLock { $0 = initial }
        hub.setSnapshotProvider(.health) { [weak self] in
            guard let self else { return nil }
            return ("health_update", self.healthPayload(snapshot: true, ids: nil))
        }
    }

    // MARK: service

    public func run() async throws {
        // Created here, not in init, so that a server that never runs has nothing to shut down.
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(
            redirectConfiguration: .follow(max: 5, allowCycles: false),
            timeout: .init(connect: .seconds(10)),
            decompression: .enabled(limit: .size(PrometheusScrape.maxBodyBytes))
        ))
        let env = TargetRunner.Environment(
            client: client, ingestor: ingestor, storage: storage, logger: logger,
            onStatus: { [weak self] runner, status in self?.published(runner, status) }
        )
        // Start what is known now; later changes arrive as commands.
        let initial: [TargetRunner] = state.withLock { s in
            s.order.compactMap { id in
                guard let spec = s.specs[id], s.runners[id] == nil else { return nil }
                let r = TargetRunner(spec: spec)
                s.runners[id] = r
                return r
            }
        }
        for r in initial { commandSink.yield(.runner(r, after: nil)) }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await command in commands {
                    switch command {
                    case .runner(let runner, let predecessor):
                        group.addTask { await runner.run(env, after: predecessor) }
                    case .host(let collector):
                        group.addTask { await collector.run() }
                    }
                }
                group.cancelAll()
                // Shutdown: stop every runner (no staleness markers) and wait for them.
                for r in state.withLock({ Array($0.runners.values) }) { r.stop(markStale: false) }
            }
        } onGracefulShutdown: {
            self.commandSink.finish()
        }
        commandSink.finish()
        try? await client.shutdown()
    }

    // MARK: self-scrape

    /// Adds the self-scrape target once the server knows its port.
    func serverListening(host: String, port: Int) {
        let h = (host == "0.0.0.0" || host.isEmpty) ? "127.0.0.1" : (host == "::" ? "::1" : host)
        let hostPart = h.contains(":") ? "[\(h)]" : h
        if options.hostMetrics {
            commandSink.yield(.host(HostMetricsCollector(ingestor: ingestor, dataDir: dataDir, instance: "\(hostPart):\(port)",
                                                         intervalMs: options.hostMetricsIntervalMs)))
        }
        guard options.selfScrape else { return }
        let interval = options.selfScrapeIntervalMs
        let spec = TargetSpec(id: "strata", name: "Strata", url: "http://\(hostPart):\(port)/metrics", kind: .prometheus,
                              intervalMs: interval, timeoutMs: min(10_000, interval), labels: [:], source: .builtin)
        let runner: TargetRunner? = state.withLock { s in
            guard s.specs["strata"] == nil else { return nil }
            s.order.insert("strata", at: 0)
            s.specs["strata"] = spec
            let r = TargetRunner(spec: spec)
            s.runners["strata"] = r
            return r
        }
        if let runner { commandSink.yield(.runner(runner, after: nil)) }
    }

    // MARK: reading

    public struct Entry: Sendable {
        public var spec: TargetSpec
        public var status: TargetStatus
    }

    public func targets() -> [Entry] {
        state.withLock { s in
            s.order.compactMap { id in
                guard let spec = s.specs[id] else { return nil }
                return Entry(spec: spec, status: s.runners[id]?.status ?? TargetStatus())
            }
        }
    }

    public func target(_ id: String) -> Entry? {
        state.withLock { s in
            guard let spec = s.specs[id] else { return nil }
            return Entry(spec: spec, status: s.runners[id]?.status ?? TargetStatus())
        }
    }

    // MARK: changes (the API)

    /// Adds a target (`POST`); its id must be new.
    public func add(_ spec: TargetSpec) async throws(ChangeError) -> Entry {
        try await change(spec.id) { s throws(ChangeError) in
            if let old = s.specs[spec.id] {
                throw .conflict("target \"\(spec.id)\" already exists (\(old.source.rawValue)); use PUT /api/v1/targets/\(spec.id) to change it")
            }
            return spec
        }
    }

    /// Creates or replaces a target (`PUT`).
    public func put(_ spec: TargetSpec) async throws(ChangeError) -> Entry {
        try await change(spec.id) { s throws(ChangeError) in
            if let old = s.specs[spec.id] { try Self.mutable(old) }
            return spec
        }
    }

    /// Removes a target (`DELETE`); its series are marked stale.
    public func remove(_ id: String) async throws(ChangeError) {
        _ = try await change(id) { s throws(ChangeError) in
            guard let old = s.specs[id] else { throw .notFound("target \"\(id)\" not found") }
            try Self.mutable(old)
            return nil
        }
    }

    private static func mutable(_ spec: TargetSpec) throws(ChangeError) {
        switch spec.source {
        case .api: return
        case .config: throw .conflict("target \"\(spec.id)\" is defined in the config file; change it there")
        case .builtin: throw .conflict("target \"\(spec.id)\" is Strata's self-scrape; set monitoring.self_scrape in the config file")
        }
    }

    /// Applies a change under the lock (`decide` returns the new spec, nil to
    /// delete), persists the API targets, then swaps the runners.
    private func change(_ id: String, _ decide: (inout State) throws(ChangeError) -> TargetSpec?) async throws(ChangeError) -> Entry {
        let (entry, old, new): (Entry?, TargetRunner?, TargetRunner?) = try state.withLock { s throws(ChangeError) in
            guard let spec = try decide(&s) else {
                let old = s.runners.removeValue(forKey: id)
                s.specs[id] = nil
                s.order.removeAll { $0 == id }
                return (nil, old, nil)
            }
            var others = s.specs
            others[id] = nil
            if let clash = Self.identityClash(spec, in: others) {
                throw .conflict("target \"\(clash)\" already has job=\"\(spec.job)\" and instance=\"\(spec.instance)\"; set a distinct job or instance label")
            }
            let old = s.runners.removeValue(forKey: id)
            if s.specs[id] == nil { s.order.append(id) }
            s.specs[id] = spec
            let r = TargetRunner(spec: spec)
            s.runners[id] = r
            return (Entry(spec: spec, status: TargetStatus()), old, r)
        }
        // Stop the old runner first; the new one waits for its staleness markers.
        old?.stop(markStale: true)
        if let new { commandSink.yield(.runner(new, after: old?.finished)) }
        do {
            try await offPool { [self] in
                try self.store.save { self.apiTargets() }
            }
        } catch {
            logger.error("persisting targets failed", metadata: ["error": "\(error)"])
            throw .io("the change is active but could not be saved: \(error)")
        }
        if entry == nil {
            hub.publish(channel: .health, type: "health_update", payloadJSON: removedPayload(id))
        }
        return entry ?? Entry(spec: TargetSpec(id: id, url: ""), status: TargetStatus())
    }

    private func apiTargets() -> [TargetSpec] {
        state.withLock { s in s.order.compactMap { s.specs[$0] }.filter { $0.source == .api } }
    }

    /// Another target with the same job and instance (their series would mix).
    static func identityClash(_ spec: TargetSpec, in specs: [String: TargetSpec]) -> String? {
        specs.values.first { $0.id != spec.id && $0.job == spec.job && $0.instance == spec.instance }?.id
    }

    // MARK: publishing

    private func published(_ runner: TargetRunner, _ status: TargetStatus) {
        // A replaced runner's last check is no longer news.
        let current = state.withLock { $0.runners[runner.spec.id] === runner }
        guard current else { return }
        var w = JSONWriter(capacity: 512)
        w.raw("{\"snapshot\":false,\"targets\":[")
        HealthJSON.writeTarget(runner.spec, status, to: &w)
        w.raw("]}")
        hub.publish(channel: .health, type: "health_update", payloadJSON: w.bytes)
    }

    private func removedPayload(_ id: String) -> [UInt8] {
        var w = JSONWriter(capacity: 128)
        w.raw("{\"snapshot\":false,\"removed\":[")
        w.string(id)
        w.raw("],\"targets\":[]}")
        return w.bytes
    }

    /// `{"snapshot":…,"status":overall,"summary":{…},"targets":[…]}`.
    func healthPayload(snapshot: Bool, ids: Set<String>?) -> [UInt8] {
        let entries = targets().filter { ids == nil || ids!.contains($0.spec.id) }
        var w = JSONWriter(capacity: 256 + entries.count * 512)
        w.raw("{\"snapshot\":")
        w.bool(snapshot)
        w.byte(UInt8(ascii: ","))
        HealthJSON.writeSummary(entries, to: &w)
        w.byte(UInt8(ascii: "}"))
        return w.bytes
    }
}
