import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import ServiceLifecycle
import StrataEvents
import StrataQuery
import StrataStorage

/// `strata serve`: the database behind a Hummingbird server.
public final class StrataServer: Sendable {
    public let config: ServeConfig
    public let db: Database
    public let metrics: ServerMetrics
    public let metadata = MetadataStore()
    /// The audit log and the user-activity store (issue #10).
    public let events: EventStores
    let logger: Logger
    let startTime = Date()
    /// WebSocket feeds (issue #8).
    public let realtime: RealtimeHub
    let subscriptions: SubscriptionManager
    /// Health monitoring of targets (issue #8).
    public let monitor: HealthMonitor
    let ingestor: Ingestor
    /// Credentials (issue #7); disabled when no tokens or users are configured.
    let authenticator: Authenticator
    /// Rules, alerts and notifications (issue #9).
    public let alerting: Alerting

    /// Opens the database (replaying the WAL) so that the server is ready as soon as it listens.
    public init(config: ServeConfig, logger: Logger = Logger(label: "strata")) throws {
        self.config = config
        self.logger = logger
        let metrics = ServerMetrics()
        self.metrics = metrics
        var opts = DatabaseOptions()
        opts.retention = config.retention
        opts.retentionBytes = config.retentionBytes
        opts.rollups.resolutions = [
            .init(window: 300_000, retention: config.rollupRetention5m),
            .init(window: 3_600_000, retention: config.rollupRetention1h),
        ]
        opts.wal.fsync = config.walFsync
        opts.wal.onFsync = { ns in metrics.observeFsync(nanoseconds: ns) }
        opts.head.labelLimits = config.limits.labels
        opts.head.maxSeries = config.limits.maxSeries
        config.storage.apply(to: &opts)
        opts.rollups.resolutions[0].after = config.rollupAfter5m
            ?? RollupOptions.defaultFiveMinuteDelay(retention: opts.retention, maxBlockSpan: opts.maxBlockSpan)
        opts.rollups.resolutions[1].after = config.rollupAfter1h
        var dbLogger = logger
        dbLogger[metadataKey: "component"] = "storage"
        db = try Database.open(directory: config.dataDir, options: opts, logger: dbLogger)
        metrics.walCorruptionsRepaired(db.replayStats.wal.corruptions.count)
        authenticator = Authenticator(options: config.security)
        // Issue #8: realtime hub, subscriptions, health monitoring.
        realtime = RealtimeHub(options: config.realtime, metrics: metrics)
        subscriptions = SubscriptionManager(hub: realtime, storage: db, options: config.realtime, logger: logger)
        var ingestor = Ingestor(db: db, metrics: metrics, metadata: metadata, limits: config.limits)
        ingestor.commits = realtime.commits
        let alertCommits = CommitSignal()
        ingestor.alertCommits = alertCommits
        self.ingestor = ingestor
        do {
            monitor = try HealthMonitor(configTargets: config.targets, ingestor: ingestor, storage: db, hub: realtime,
                                        options: config.monitoring, dataDir: config.dataDir, logger: logger)
            events = try EventStores.open(config: config, metrics: metrics, logger: logger)
            alerting = try Alerting(config: config, db: db, hub: realtime, metrics: metrics, ingestCommits: alertCommits, logger: logger)
        } catch {
            try? db.close()
            throw error
        }
    }

    /// Records Strata's own security-relevant actions (`AuditLog.record`).
    public var audit: AuditLog { events.auditLog }

    func makeRouter() -> Router<StrataRequestContext> {
        let router = Router(context: StrataRequestContext.self)
        router.add(middleware: RequestMetricsMiddleware(metrics: metrics))
        router.add(middleware: OriginMiddleware<StrataRequestContext>(allowed: config.security.corsOrigins, forWebSocket: false))
        router.add(middleware: AuthMiddleware<StrataRequestContext>(authenticator: authenticator, audit: events.auditLog, metrics: metrics))
        WriteHandlers(ingestor: ingestor, limits: config.limits).register(on: router)
        let gate = QueryGate(limit: config.query.maxConcurrency)
        QueryHandlers(db: db, engine: QueryEngine(storage: db), metrics: metrics, gate: gate, options: config.query).register(on: router)
        PercentileHandlers(db: db, gate: gate, timeout: .milliseconds(config.query.timeoutMs)).register(on: router)
        RemoteReadHandler(db: db, limits: config.limits).register(on: router)
        StatusHandlers(db: db, config: config, metadata: metadata, startTime: startTime).register(on: router)
        AdminHandlers(db: db, audit: events.auditLog).register(on: router)
        AuditHandlers(store: events.audit, audit: events.auditLog, limits: config.limits, retention: config.retention, hub: realtime).register(on: router)
        ActivityHandlers(store: events.activity, limits: config.limits, retention: config.retention, hub: realtime).register(on: router)
        OpsHandlers(db: db, metrics: metrics).register(on: router)
        TargetHandlers(monitor: monitor, audit: events.auditLog).register(on: router)
        AlertingHandlers(alerting: alerting, audit: events.auditLog).register(on: router)
        DashboardHandlers(assets: DashboardAssets.load()).register(on: router)
        return router
    }

    /// The WebSocket upgrade router: `/ws/{channel}` (issue #8).
    func makeWebSocketRouter() -> Router<RealtimeRequestContext> {
        let router = Router(context: RealtimeRequestContext.self)
        // First, so it sees every refusal of the others (issue #7: 401/403/404 with a reason, not an empty 400).
        router.add(middleware: UpgradeRefusalMiddleware())
        router.add(middleware: OriginMiddleware<RealtimeRequestContext>(allowed: config.security.websocketOrigins, forWebSocket: true))
        router.add(middleware: AuthMiddleware<RealtimeRequestContext>(authenticator: authenticator, audit: events.auditLog, metrics: metrics))
        RealtimeRoutes(hub: realtime, subscriptions: subscriptions).register(on: router)
        return router
    }

    /// Runs until SIGTERM/SIGINT (or cancellation): stops accepting, drains
    /// in-flight requests, then closes the WAL. `onListening` receives the
    /// bound port (useful with port 0).
    public func run(
        handleSignals: Bool = true,
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        var hbLogger = logger
        hbLogger.logLevel = max(logger.logLevel, .notice)
        let rt = config.realtime
        let monitor = self.monitor
        let host = config.host
        let channelConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(
            // Tells the connection guard where each request is (head, end, response end).
            http1: .init(additionalChannelHandlers: [HTTPPhaseHandler()]),
            ws: .init(
                maxFrameSize: max(rt.maxFrameBytes, rt.maxInboundMessageBytes),
                autoPing: .enabled(timePeriod: rt.pingInterval),
                closeTimeout: rt.closeTimeout
            )
        )
        // Issue #7: connection limit and header/read/idle timeouts, from accept on
        // (`ConnectionGuardHandler`); `.http1WebSocketUpgrade(...)` plus that handler in front.
        let guardOptions = ConnectionGuardOptions(
            headerTimeout: .nanoseconds(config.limits.headerTimeout.totalNanoseconds),
            readTimeout: .nanoseconds(config.limits.readTimeout.totalNanoseconds),
            idleTimeout: .nanoseconds(config.limits.idleTimeout.totalNanoseconds),
            limiter: ConnectionLimiter(maxConnections: config.limits.maxConnections, metrics: metrics))
        let webSocketResponder = makeWebSocketRouter().buildResponder()
        var server = HTTPServerBuilder { responder in
            GuardedChildChannel(
                base: HTTP1WebSocketUpgradeChannel(responder: responder, webSocketResponder: webSocketResponder,
                                                   configuration: channelConfiguration),
                options: guardOptions)
        }
        // Issue #7: HTTPS (and WSS) with --tls-cert/--tls-key.
        if config.security.tls.enabled {
            server = try .tls(server, tlsConfiguration: config.security.tls.serverConfiguration())
        }
        let app = Application(
            router: makeRouter(),
            server: server,
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Strata"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                monitor.serverListening(host: host, port: port)
                await onListening(port)
            },
            logger: hbLogger
        )
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: DatabaseService(db: db, logger: logger, interval: config.storage.maintenanceInterval ?? .seconds(15))),
            // After DatabaseService: stops (finishing its round) before the database closes.
            .init(service: MaintenanceService(db: db, logger: logger,
                                              interval: config.storage.maintenanceInterval ?? .milliseconds(config.compactionInterval))),
            .init(service: EventsService(stores: events, db: db, logger: logger)),
        ]
        for target in config.remoteWrite {
            services.append(.init(service: try RemoteWriteForwarder(target: target, db: db, metrics: metrics, logger: logger,
                                                                    externalLabels: config.externalLabels)))
        }
        services.append(.init(service: app))
        // Stopped before the HTTP server (services stop in reverse order).
        services.append(.init(service: subscriptions))
        services.append(.init(service: monitor))
        services.append(.init(service: AlertingService(alerting: alerting, handleSignals: handleSignals, audit: events.auditLog, logger: logger)))
        let group = ServiceGroup(
            configuration: .init(
                services: services,
                gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                logger: logger
            )
        )
        try await group.run()
    }
}
