import CoreMetrics
import StrataStorage

/// `strata_remote_write_*` metrics of one receiver.
struct RemoteWriteMetrics: Sendable {
    let pending: CoreMetrics.Gauge
    let sentTotal: CoreMetrics.Counter
    let failedTotal: CoreMetrics.Counter
    let retriedTotal: CoreMetrics.Counter
    let droppedSegments: CoreMetrics.Counter
    let highestSent: CoreMetrics.Gauge

    init(target: RemoteWriteTarget, metrics: ServerMetrics) {
        let dims = [("remote_name", target.name), ("url", target.url)]
        let f = metrics.factory
        pending = CoreMetrics.Gauge(label: "strata_remote_write_samples_pending", dimensions: dims, factory: f)
        sentTotal = CoreMetrics.Counter(label: "strata_remote_write_samples_sent_total", dimensions: dims, factory: f)
        failedTotal = CoreMetrics.Counter(label: "strata_remote_write_samples_failed_total", dimensions: dims, factory: f)
        retriedTotal = CoreMetrics.Counter(label: "strata_remote_write_samples_retried_total", dimensions: dims, factory: f)
        droppedSegments = CoreMetrics.Counter(label: "strata_remote_write_segments_dropped_total", dimensions: dims, factory: f)
        highestSent = CoreMetrics.Gauge(label: "strata_remote_write_highest_sent_timestamp_seconds", dimensions: dims, factory: f)
    }

    func sent(_ n: Int, highest: Int64) {
        sentTotal.increment(by: n)
        highestSent.record(Double(highest) / 1000)
    }
    func failed(_ n: Int) { failedTotal.increment(by: n) }
    func retried(_ n: Int) { retriedTotal.increment(by: n) }
    func dropped(segmentsFrom a: WALPosition, to b: WALPosition) {
        droppedSegments.increment(by: max(1, b.segment - a.segment))
    }
}
