/// The WebSocket feeds, one per path `/ws/{channel}`.
///
/// Each channel has its own sequence numbers and replay buffer, so a client
/// of one feed is never held up by the volume of another.
public enum RealtimeChannel: String, Sendable, CaseIterable, Hashable {
    /// Target status changes (`health_update`), produced by the health monitor.
    case health
    /// Live PromQL subscriptions (`metrics_update`), per connection.
    case metrics
    /// Alert state changes (`alert`), produced by the alerting issue.
    case alerts
    /// Audit log entries (`audit_event`).
    case audit
    /// User and system activity (`activity_update`).
    case activity

    /// The message type this channel's broadcasts carry by convention.
    public var defaultEventType: String {
        switch self {
        case .health: return "health_update"
        case .metrics: return "metrics_update"
        case .alerts: return "alert"
        case .audit: return "audit_event"
        case .activity: return "activity_update"
        }
    }

    /// Dense index for per-channel arrays.
    var index: Int {
        switch self {
        case .health: return 0
        case .metrics: return 1
        case .alerts: return 2
        case .audit: return 3
        case .activity: return 4
        }
    }
}
