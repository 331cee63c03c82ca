import StrataStorage

/// One alert state change, with the rule it came from: what the realtime
/// hub, the history and the receivers are told.
public struct AlertEvent: Sendable, Equatable {
    public var group: String
    public var rule: String
    /// Unix ms of the evaluation that made the change.
    public var at: Int64
    public var transition: AlertTransition

    public var alert: AlertInstance { transition.alert }
    /// The `severity` label, or "" when the rule sets none.
    public var severity: String { transition.alert.labels["severity"] ?? "" }
}

/// What one group evaluation produced, for the owner to act on.
struct GroupEvaluation: Sendable {
    /// Samples stamped with the evaluation time: recording rule results,
    /// `ALERTS`/`ALERTS_FOR_STATE`, and staleness markers for vanished series.
    var samples: [(labels: Labels, value: Double)] = []
    var events: [AlertEvent] = []
    /// Alerts due to be (re)sent to Alertmanager receivers.
    var toSend: [AlertInstance] = []
    var rulesEvaluated = 0
    var rulesFailed = 0
}
