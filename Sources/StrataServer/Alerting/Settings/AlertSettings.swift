/// Who hears about alerts: receivers, routing by severity, mute windows and
/// which severities raise a dashboard toast (`GET/PUT /api/v1/alert-settings`).
///
/// Routing: an alert goes to the receivers of every route whose `severity`
/// equals its `severity` label (a route with `*` or no severity matches
/// all). With no routes at all, every receiver gets every alert. A mute
/// window holds back receiver notifications (not the WebSocket feed, the
/// history or the `ALERTS` series) for the severities it names, or all.
public struct AlertSettings: Sendable, Equatable {
    public struct Receiver: Sendable, Equatable {
        public var name: String
        /// Gets Alertmanager's webhook payload.
        public var webhookURL: String?
        /// An Alertmanager's base URL; alerts go to `<url>/api/v2/alerts`.
        public var alertmanagerURL: String?
    }

    public struct Route: Sendable, Equatable {
        /// nil: any severity.
        public var severity: String?
        public var receiver: String
    }

    public struct MuteWindow: Sendable, Equatable {
        public var name: String
        /// Unix ms, [start, end).
        public var start: Int64
        public var end: Int64
        /// Empty: every severity.
        public var severities: [String]
    }

    public var receivers: [Receiver] = []
    public var routes: [Route] = []
    public var muteWindows: [MuteWindow] = []
    public var toastSeverities: [String] = ["critical", "warning"]

    public init() {}

    /// Severity values the API accepts (issue #9: counts for critical, warning and info).
    public static let severities = ["critical", "warning", "info"]

    /// The receivers an alert with `severity` goes to at `now`.
    func receivers(severity: String, at now: Int64) -> [Receiver] {
        if muteWindows.contains(where: { now >= $0.start && now < $0.end && ($0.severities.isEmpty || $0.severities.contains(severity)) }) {
            return []
        }
        if routes.isEmpty { return receivers }
        var names: [String] = []
        for r in routes where r.severity == nil || r.severity == "*" || r.severity == severity {
            if !names.contains(r.receiver) { names.append(r.receiver) }
        }
        return names.compactMap { n in receivers.first { $0.name == n } }
    }

    func toast(severity: String) -> Bool { toastSeverities.contains(severity) }
}
