/// Delay before retry `attempt` (1-based) of a failed notification:
/// `initial · 2^(attempt−1)`, capped at `max` (exponential backoff, as
/// Alertmanager's notifier retries). No jitter: one server, few receivers,
/// and a deterministic schedule is easier to reason about in tests.
enum RetryBackoff {
    static func delay(attempt: Int, initial: Int64, max: Int64) -> Int64 {
        guard attempt > 1 else { return Swift.min(initial, max) }
        let shift = Swift.min(attempt - 1, 40)
        let (d, overflow) = initial.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? max : Swift.min(d, max)
    }

    /// What a response means for the delivery: 2xx done; 4xx never
    /// retried (the receiver refused this payload and will refuse it
    /// again); 5xx and transport errors or timeouts retried.
    enum Outcome: Sendable, Equatable {
        case delivered
        case rejected(status: Int)
        case retry(reason: String)
    }

    static func classify(status: Int) -> Outcome {
        switch status {
        case 200..<300: return .delivered
        case 400..<500: return .rejected(status: status)
        default: return .retry(reason: "HTTP \(status)")
        }
    }
}
