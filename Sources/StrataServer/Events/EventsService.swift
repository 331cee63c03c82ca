import Logging
import ServiceLifecycle
import StrataEvents
import StrataStorage

/// Background work of the event stores: cut head partitions into blocks,
/// compact completed days, apply retention, and write the audit counters
/// into the metrics TSDB as `strata_audit_events_total{type,severity}` so
/// dashboards can graph them with PromQL. Closes the stores after the HTTP
/// server has drained.
struct EventsService: Service {
    let stores: EventStores
    let db: Database
    let logger: Logger
    var interval: Duration = .seconds(15)

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while true {
                try await Task.sleep(for: interval)
                await maintain(now: nowMillis())
            }
        }
        do {
            try stores.close()
            logger.info("event stores closed")
        } catch {
            logger.error("closing event stores failed", metadata: ["error": "\(error)"])
            throw error
        }
    }

    func maintain(now: Int64) async {
        for store in [stores.audit, stores.activity] {
            do {
                try await offPool {
                    try store.cutIfNeeded(now: now)
                    try store.compactIfNeeded(now: now)
                    try store.applyRetention(now: now)
                }
            } catch {
                logger.error("event store maintenance failed", metadata: ["dir": "\(store.directory)", "error": "\(error)"])
            }
        }
        await writeCounters(now: now)
    }

    /// One sample per (type, severity) seen since start.
    func writeCounters(now: Int64) async {
        let snapshot = stores.audit.counters.snapshot()
        guard !snapshot.isEmpty else { return }
        var app = db.appender()
        do {
            for c in snapshot {
                let labels = Labels(["__name__": "strata_audit_events_total", "type": c.type.name, "severity": c.severity.name])
                _ = try app.append(labels, now, Double(c.count))
            }
            _ = try await app.commit()
        } catch {
            logger.warning("writing audit counters failed", metadata: ["error": "\(error)"])
        }
    }
}
