import CoreMetrics
import Synchronization

/// The alerting subsystem's series in `/metrics`, named as Prometheus names
/// its own (`prometheus_rule_group_iterations_missed_total` …) with the
/// `strata_` prefix. Kept apart from `ServerMetrics` so the shared file only
/// lends its registry.
final class AlertingMetrics: Sendable {
    private let metrics: ServerMetrics
    private let counters = Mutex<[String: CoreMetrics.Counter]>([:])
    private let gauges = Mutex<[String: CoreMetrics.Gauge]>([:])

    init(_ metrics: ServerMetrics) {
        self.metrics = metrics
    }

    private func counter(_ label: String, _ dims: [(String, String)]) -> CoreMetrics.Counter {
        let key = label + dims.map { "|\($0.0)=\($0.1)" }.joined()
        return counters.withLock { d in
            if let c = d[key] { return c }
            let c = CoreMetrics.Counter(label: label, dimensions: dims, factory: metrics.factory)
            d[key] = c
            return c
        }
    }

    private func gauge(_ label: String, _ dims: [(String, String)]) -> CoreMetrics.Gauge {
        let key = label + dims.map { "|\($0.0)=\($0.1)" }.joined()
        return gauges.withLock { d in
            if let g = d[key] { return g }
            let g = CoreMetrics.Gauge(label: label, dimensions: dims, factory: metrics.factory)
            d[key] = g
            return g
        }
    }

    func groupEvaluated(_ group: String, rules: Int, failed: Int, seconds: Double) {
        counter("strata_rule_group_iterations_total", [("rule_group", group)]).increment()
        counter("strata_rule_evaluations_total", [("rule_group", group)]).increment(by: rules)
        // Created at 0 so a rate() over it exists before the first failure.
        counter("strata_rule_evaluation_failures_total", [("rule_group", group)]).increment(by: failed)
        gauge("strata_rule_group_last_duration_seconds", [("rule_group", group)]).record(seconds)
    }

    /// Ticks skipped because the previous evaluation overran the interval.
    func iterationsMissed(_ group: String, _ n: Int) {
        counter("strata_rule_group_iterations_missed_total", [("rule_group", group)]).increment(by: n)
    }

    func notificationSent(_ receiver: String) {
        counter("strata_alert_notifications_sent_total", [("receiver", receiver)]).increment()
    }

    func notificationFailed(_ receiver: String, permanent: Bool) {
        counter("strata_alert_notifications_errors_total", [("receiver", receiver), ("permanent", permanent ? "true" : "false")]).increment()
    }

    func notificationDropped(_ receiver: String) {
        counter("strata_alert_notifications_dropped_total", [("receiver", receiver)]).increment()
    }

    func queueLength(_ n: Int) {
        gauge("strata_alert_notification_queue_length", []).record(n)
    }

    func writeFailed() {
        counter("strata_rule_write_failures_total", []).increment()
    }
}
