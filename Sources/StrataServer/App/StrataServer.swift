import Hummingbird
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
    /// The audit log and the user-activity store (issue #10).
    public let events: EventStores
    let logger: Logger

    /// Opens the database (replaying the WAL) so that the server is ready as soon as it listens.
    public init(config: ServeConfig, logger: Logger = Logger(label: "strata")) throws {
        self.config = config
        self.logger = logger
        let metrics = ServerMetrics()
        self.metrics = metrics
        var opts = DatabaseOptions()
        opts.retention = config.retention
        opts.wal.fsync = config.walFsync
        opts.wal.onFsync = { ns in metrics.observeFsync(nanoseconds: ns) }
        opts.head.labelLimits = config.limits.labels
        opts.head.maxSeries = config.limits.maxSeries
        var dbLogger = logger
        dbLogger[metadataKey: "component"] = "storage"
        db = try Database.open(directory: config.dataDir, options: opts, logger: dbLogger)
        do {
            events = try EventStores.open(config: config, metrics: metrics, logger: logger)
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
        let ingestor = Ingestor(db: db, metrics: metrics, limits: config.limits)
        WriteHandlers(ingestor: ingestor, limits: config.limits).register(on: router)
        QueryHandlers(db: db, engine: QueryEngine(storage: db), metrics: metrics).register(on: router)
        AdminHandlers(db: db, audit: events.auditLog).register(on: router)
        AuditHandlers(store: events.audit, limits: config.limits, retention: config.retention).register(on: router)
        ActivityHandlers(store: events.activity, limits: config.limits, retention: config.retention).register(on: router)
        OpsHandlers(db: db, metrics: metrics).register(on: router)
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
        let app = Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(config.host, port: config.port), serverName: "Strata"),
            onServerRunning: { channel in
                await onListening(channel.localAddress?.port ?? 0)
            },
            logger: hbLogger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: DatabaseService(db: db, logger: logger)),
                    .init(service: EventsService(stores: events, db: db, logger: logger)),
                    .init(service: app),
                ],
                gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
                logger: logger
            )
        )
        try await group.run()
    }
}
