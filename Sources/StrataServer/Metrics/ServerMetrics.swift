import CoreMetrics
import Foundation
import Metrics
import Prometheus
import StrataStorage
import Synchronization

/// Strata's own metrics, recorded through swift-metrics into a per-server
/// swift-prometheus registry (no global bootstrap, so several servers can run
/// in one test process) and exposed at `GET /metrics`.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    let factory: PrometheusMetricsFactory

    let samplesIngested: Mutex<[String: CoreMetrics.Counter]> = Mutex([:])
    let samplesRejected: Mutex<[String: CoreMetrics.Counter]> = Mutex([:])
    let requestTimers: Mutex<[String: CoreMetrics.Timer]> = Mutex([:])
    let limitHits: Mutex<[String: CoreMetrics.Counter]> = Mutex([:])

    let walBytes: CoreMetrics.Counter
    let walFsyncs: CoreMetrics.Timer
    let activeSeries: CoreMetrics.Gauge
    let headChunks: CoreMetrics.Gauge
    let headSamples: CoreMetrics.Gauge
    let blocksLoaded: CoreMetrics.Gauge
    let walCorruptions: CoreMetrics.Counter
    let blocksQuarantined: CoreMetrics.Gauge
    let authFailures: Mutex<[String: CoreMetrics.Counter]> = Mutex([:])
    let walWriteErrors: Mutex<[String: CoreMetrics.Counter]> = Mutex([:])
    let connectionsDropped: Mutex<[String: CoreMetrics.Counter]> = Mutex([:])
    let connectionsOpen: CoreMetrics.Gauge

    public init() {
        var f = PrometheusMetricsFactory(registry: registry)
        // Request latencies: 100 µs … 30 s.
        f.defaultDurationHistogramBuckets = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
        ]
        factory = f
        walBytes = CoreMetrics.Counter(label: "strata_wal_bytes_written_total", dimensions: [], factory: f)
        walFsyncs = CoreMetrics.Timer(label: "strata_wal_fsync_duration_seconds", dimensions: [], factory: f)
        activeSeries = CoreMetrics.Gauge(label: "strata_head_series", dimensions: [], factory: f)
        headChunks = CoreMetrics.Gauge(label: "strata_head_chunks", dimensions: [], factory: f)
        headSamples = CoreMetrics.Gauge(label: "strata_head_samples_appended_total", dimensions: [], factory: f)
        blocksLoaded = CoreMetrics.Gauge(label: "strata_blocks_loaded", dimensions: [], factory: f)
        // A counter (issue #7): damage found by WAL replays of this process.
        walCorruptions = CoreMetrics.Counter(label: "strata_wal_corruptions_total", dimensions: [], factory: f)
        blocksQuarantined = CoreMetrics.Gauge(label: "strata_blocks_quarantined", dimensions: [], factory: f)
        connectionsOpen = CoreMetrics.Gauge(label: "strata_http_connections_open", dimensions: [], factory: f)
    }

    /// Counts accepted samples by ingestion protocol.
    public func ingested(_ n: Int, protocol proto: String) {
        guard n > 0 else { return }
        count(samplesIngested, "strata_samples_ingested_total", "protocol", proto, by: n)
    }

    /// Counts refused samples by reason (out_of_order, duplicate, out_of_bounds, too_far_in_future, invalid_labels, …).
    public func rejected(_ n: Int, reason: String) {
        guard n > 0 else { return }
        count(samplesRejected, "strata_samples_rejected_total", "reason", reason, by: n)
    }

    /// Counts WAL damage repaired at open (called once, after the replay).
    public func walCorruptionsRepaired(_ n: Int) {
        walCorruptions.increment(by: n)
    }

    /// Counts refused authentication or authorization, by reason
    /// (missing_credentials, invalid_credentials, forbidden).
    public func authFailure(_ reason: String) {
        count(authFailures, "strata_auth_failures_total", "reason", reason)
    }

    /// Counts writes refused because the WAL could not take them, by reason
    /// (no_space: ENOSPC/EDQUOT, io: any other error).
    public func walWriteError(reason: String) {
        count(walWriteErrors, "strata_wal_write_errors_total", "reason", reason)
    }

    /// Counts connections the server closed (issue #7: slow or too many
    /// clients), by reason: max_connections, header_timeout, read_timeout, idle_timeout.
    func connectionDropped(reason: ConnectionDropReason) {
        count(connectionsDropped, "strata_connections_dropped_total", "reason", reason.rawValue)
    }

    /// Increments the counter `label{dimension="value"}`, made on first use
    /// and kept in `counters`.
    private func count(_ counters: borrowing Mutex<[String: CoreMetrics.Counter]>, _ label: String, _ dimension: String,
                       _ value: String, by n: Int = 1) {
        let c = counters.withLock { d -> CoreMetrics.Counter in
            if let c = d[value] { return c }
            let c = CoreMetrics.Counter(label: label, dimensions: [(dimension, value)], factory: factory)
            d[value] = c
            return c
        }
        c.increment(by: n)
    }

    func openConnections(_ n: Int) {
        connectionsOpen.record(n)
    }

    /// Counts requests refused by a limit, by limit name.
    public func limitHit(_ limit: String) {
        count(limitHits, "strata_limit_hits_total", "limit", limit)
    }

    public func observeRequest(handler: String, code: Int, seconds: Duration) {
        let key = handler + "|" + String(code)
        let t = requestTimers.withLock { d -> CoreMetrics.Timer in
            if let t = d[key] { return t }
            let t = CoreMetrics.Timer(label: "strata_http_request_duration_seconds",
                          dimensions: [("handler", handler), ("code", String(code))], factory: factory)
            d[key] = t
            return t
        }
        t.recordNanoseconds(Int64(seconds.components.seconds) * 1_000_000_000 + seconds.components.attoseconds / 1_000_000_000)
    }

    /// Refreshes gauges from the engine and renders the exposition text.
    public func render(database db: Database) -> [UInt8] {
        activeSeries.record(db.head.seriesCount)
        headChunks.record(db.head.chunkCount)
        headSamples.record(Double(db.head.samplesAppended))
        blocksLoaded.record(db.blocks.count)
        blocksQuarantined.record(db.quarantined.count)
        let w = db.walStats
        let delta = w.bytesWritten - lastWALBytes.exchange(w.bytesWritten, ordering: .relaxed)
        if delta > 0 { walBytes.increment(by: Int(delta)) }
        var out: [UInt8] = []
        registry.emit(into: &out)
        return out
    }

    private let lastWALBytes = Atomic<UInt64>(0)

    /// Called by the WAL's syncer with each fsync's duration.
    public func observeFsync(nanoseconds: Int64) {
        walFsyncs.recordNanoseconds(nanoseconds)
    }
}
