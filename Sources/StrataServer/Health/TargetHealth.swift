/// healthy, degraded or down (or unknown before the first check).
public enum HealthState: String, Sendable, Equatable {
    case unknown
    /// The last check succeeded, recent ones too, within time.
    case healthy
    /// The last check succeeded, but a recent one failed, it was slow
    /// (over `slowFraction` of the timeout), or part of a scrape was refused.
    case degraded
    /// The last check failed.
    case down

    /// Worst first, for the overall status of a fleet.
    var severity: Int {
        switch self {
        case .down: return 3
        case .degraded: return 2
        case .unknown: return 1
        case .healthy: return 0
        }
    }
}

/// The result of one scrape or probe.
struct CheckOutcome: Sendable, Equatable {
    var success: Bool
    /// Unix milliseconds when the check started.
    var timestamp: Int64
    var durationSeconds: Double
    var error: String?
    /// A successful check that had a problem (refused samples, duplicate series).
    var warning: String?
    /// Prometheus targets: samples in the exposition.
    var samples: Int?
    /// HTTP probes: the final status code (0: no response).
    var httpStatus: Int?
}

/// Health of one target, as `GET /api/v1/health` and `health_update` show it.
public struct TargetStatus: Sendable, Equatable {
    public var state: HealthState = .unknown
    public var lastError: String?
    public var lastWarning: String?
    /// Unix milliseconds of the last check.
    public var lastCheck: Int64?
    public var lastResponseTimeSeconds: Double?
    /// Percentage of successful checks over the last 24 h, from the stored
    /// `up` / `probe_success` series (nil until there is data).
    public var uptime24h: Double?
    public var consecutiveFailures = 0
    public var samples: Int?
    public var httpStatus: Int?
    public var checks = 0
}

/// Turns check outcomes into a `HealthState`. Pure: the runner feeds it.
struct HealthTracker: Sendable {
    /// How many recent checks a failure keeps the target degraded for.
    static let window = 10
    /// A check slower than this fraction of the timeout degrades the target.
    static let slowFraction = 0.8

    let timeoutSeconds: Double
    private var recent: [Bool] = []
    private(set) var status = TargetStatus()

    init(timeoutSeconds: Double) { self.timeoutSeconds = timeoutSeconds }

    mutating func record(_ o: CheckOutcome) -> TargetStatus {
        recent.append(o.success)
        if recent.count > Self.window { recent.removeFirst(recent.count - Self.window) }
        status.checks += 1
        status.lastCheck = o.timestamp
        status.lastResponseTimeSeconds = o.durationSeconds
        status.samples = o.samples
        status.httpStatus = o.httpStatus
        status.lastWarning = o.warning
        if o.success {
            status.consecutiveFailures = 0
            status.lastError = nil
            let slow = o.durationSeconds > timeoutSeconds * Self.slowFraction
            let recentFailure = recent.dropLast().contains(false)
            if o.warning != nil || slow || recentFailure {
                status.state = .degraded
                if status.lastWarning == nil {
                    status.lastWarning = slow
                        ? "slow: \(Self.format(o.durationSeconds))s of a \(Self.format(timeoutSeconds))s timeout"
                        : "failed \(recent.filter { !$0 }.count) of the last \(recent.count) checks"
                }
            } else {
                status.state = .healthy
            }
        } else {
            status.consecutiveFailures += 1
            status.lastError = o.error ?? "check failed"
            status.state = .down
        }
        return status
    }

    mutating func setUptime(_ percent: Double?) { status.uptime24h = percent }

    static func format(_ d: Double) -> String {
        String((d * 1000).rounded() / 1000)
    }
}
