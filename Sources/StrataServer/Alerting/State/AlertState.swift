import StrataStorage

/// The state of one alert instance, as Prometheus names them. A `firing`
/// alert whose condition cleared becomes `inactive` with a `resolvedAt`
/// ("resolved").
public enum AlertState: String, Sendable, Comparable, CaseIterable {
    case inactive
    case pending
    case firing

    var rank: Int {
        switch self {
        case .inactive: return 0
        case .pending: return 1
        case .firing: return 2
        }
    }

    public static func < (a: AlertState, b: AlertState) -> Bool { a.rank < b.rank }
}

/// One alert: the rule's output for one label set (Prometheus' `rules.Alert`).
/// Times are Unix milliseconds; nil is Go's zero time.
public struct AlertInstance: Sendable, Equatable {
    /// The sample's labels without `__name__`, plus the rule's labels and `alertname`.
    public var labels: Labels
    public var annotations: Labels
    public var state: AlertState
    public var value: Double
    /// When the condition started to hold (the start of `for`).
    public var activeAt: Int64
    public var firedAt: Int64?
    public var resolvedAt: Int64?
    /// Last time this alert was handed to Alertmanager receivers.
    public var lastSentAt: Int64?
    /// When the condition stopped holding while `keep_firing_for` keeps it firing.
    public var keepFiringSince: Int64?

    public init(labels: Labels, annotations: Labels = Labels(), state: AlertState, value: Double, activeAt: Int64) {
        self.labels = labels
        self.annotations = annotations
        self.state = state
        self.value = value
        self.activeAt = activeAt
    }

    public static func == (a: AlertInstance, b: AlertInstance) -> Bool {
        a.labels == b.labels && a.annotations == b.annotations && a.state == b.state
            && a.value.bitPattern == b.value.bitPattern && a.activeAt == b.activeAt && a.firedAt == b.firedAt
            && a.resolvedAt == b.resolvedAt && a.lastSentAt == b.lastSentAt && a.keepFiringSince == b.keepFiringSince
    }

    /// Resolved: was firing, no longer is (kept for `resolvedRetention` so
    /// receivers hear about it even across a failed send).
    public var isResolved: Bool { state == .inactive && resolvedAt != nil }
}

/// What changed for one alert in one evaluation: what WebSocket clients,
/// the history and the receivers are told.
public struct AlertTransition: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// inactive → pending: the condition holds, `for` has not passed yet.
        case pending
        /// → firing (from pending, or straight from inactive with `for: 0`).
        case firing
        /// firing → inactive: the condition cleared (after `keep_firing_for`).
        case resolved
        /// pending → gone: the condition cleared before `for` passed.
        case inactive
    }

    public var kind: Kind
    /// The alert after the change.
    public var alert: AlertInstance
    /// The state before (`inactive` for a new alert).
    public var from: AlertState
}
