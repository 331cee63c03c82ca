import CoreMetrics
import Synchronization

/// The realtime feeds' own metrics, in the server's registry:
/// `strata_realtime_connections{channel}`, `strata_realtime_events_published_total{channel}`,
/// `strata_realtime_slow_consumers_dropped_total{channel}`,
/// `strata_realtime_subscription_groups`, `strata_realtime_evaluation_duration_seconds`.
final class RealtimeMetrics: Sendable {
    let connections: [CoreMetrics.Gauge]
    let connectionCounts: Mutex<[Int]>
    let publishedCounters: [CoreMetrics.Counter]
    let droppedCounters: [CoreMetrics.Counter]
    let groups: CoreMetrics.Gauge
    let evaluation: CoreMetrics.Timer

    init(_ m: ServerMetrics) {
        let f = m.factory
        let chans = RealtimeChannel.allCases
        connections = chans.map { CoreMetrics.Gauge(label: "strata_realtime_connections", dimensions: [("channel", $0.rawValue)], factory: f) }
        connectionCounts = Mutex(chans.map { _ in 0 })
        publishedCounters = chans.map { CoreMetrics.Counter(label: "strata_realtime_events_published_total", dimensions: [("channel", $0.rawValue)], factory: f) }
        droppedCounters = chans.map { CoreMetrics.Counter(label: "strata_realtime_slow_consumers_dropped_total", dimensions: [("channel", $0.rawValue)], factory: f) }
        groups = CoreMetrics.Gauge(label: "strata_realtime_subscription_groups", dimensions: [], factory: f)
        evaluation = CoreMetrics.Timer(label: "strata_realtime_evaluation_duration_seconds", dimensions: [], factory: f)
        for g in connections { g.record(0) }
    }

    func connected(_ c: RealtimeChannel, delta: Int) {
        let n = connectionCounts.withLock { counts in
            counts[c.index] += delta
            return counts[c.index]
        }
        connections[c.index].record(n)
    }

    func published(_ c: RealtimeChannel) { publishedCounters[c.index].increment() }
    func droppedSlowConsumer(_ c: RealtimeChannel) { droppedCounters[c.index].increment() }
}
