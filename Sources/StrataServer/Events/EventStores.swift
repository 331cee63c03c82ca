import Logging
import Prometheus
import StrataEvents
import StrataStorage

/// The server's two event stores and the audit log on top of the first:
/// `<data>/events` (the chained audit log) and `<data>/activity` (user
/// activity beacons: no chain, no text index).
public struct EventStores: Sendable {
    public let audit: EventStore
    public let activity: EventStore
    public let auditLog: AuditLog

    static func open(config: ServeConfig, metrics: ServerMetrics, logger: Logger) throws -> EventStores {
        var o = EventStoreOptions()
        o.wal.fsync = config.walFsync
        o.retention = config.retention
        let counter = AuditEventCounter(metrics: metrics)
        o.onAppend = { keys in counter.add(keys) }
        var l = logger
        l[metadataKey: "component"] = "events"
        let audit = try EventStore.open(directory: config.dataDir + "/events", options: o, logger: l)
        var a = o
        a.chained = false
        a.textIndexed = false
        a.onAppend = nil
        l[metadataKey: "component"] = "activity"
        let activity: EventStore
        do {
            activity = try EventStore.open(directory: config.dataDir + "/activity", options: a, logger: l)
        } catch {
            try? audit.close()
            throw error
        }
        var al = logger
        al[metadataKey: "component"] = "audit"
        return EventStores(audit: audit, activity: activity, auditLog: AuditLog(store: audit, logger: al))
    }

    func close() throws {
        var failure: (any Error)?
        do { try audit.close() } catch { failure = error }
        do { try activity.close() } catch { failure = error }
        if let failure { throw failure }
    }
}

/// `strata_audit_events_total{type,severity}` on `/metrics`: audit events
/// appended since the server started.
final class AuditEventCounter: Sendable {
    let metrics: ServerMetrics

    init(metrics: ServerMetrics) { self.metrics = metrics }

    static var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(
        namespace: "strata", subsystem: "audit", metricName: "events", unitName: "total",
            helpText: "Audit events appended, by type and severity.")
    }

    func add(_ keys: [EventKey]) {
        var counts: [EventKey: Int64] = [:]
        for k in keys { counts[k, default: 0] += 1 }
        for (k, n) in counts {
            metrics.registry.makeCounter(descriptor: Self.descriptor, labels: [("type", k.type.name), ("severity", k.severity.name)])
                .increment(by: n)
        }
    }
}
