import Logging
import StrataStorage

/// Tells everyone about alert changes, in this order: the WebSocket
/// `alerts` channel (every change, at once), the history, then the
/// receivers the settings route the alert to (webhooks on firing and
/// resolved; Alertmanagers with Prometheus' resend schedule), through the
/// persisted `DeliveryQueue`.
final class AlertNotifier: Sendable {
    let hub: RealtimeHub?
    let history: AlertHistory
    let settings: AlertSettingsStore
    let queue: DeliveryQueue
    let options: AlertingOptions
    let logger: Logger
    /// Expression of each rule, for `generatorURL` (set by the rule manager).
    let exprOf: @Sendable (_ group: String, _ rule: String) -> String?

    init(hub: RealtimeHub?, history: AlertHistory, settings: AlertSettingsStore, queue: DeliveryQueue,
         options: AlertingOptions, logger: Logger, exprOf: @escaping @Sendable (String, String) -> String? = { _, _ in nil }) {
        self.hub = hub
        self.history = history
        self.settings = settings
        self.queue = queue
        self.options = options
        self.logger = logger
        self.exprOf = exprOf
    }

    func handle(group: String, interval: Int64, events: [AlertEvent], toSend: [AlertInstance], at now: Int64) {
        let cfg = settings.settings
        for ev in events {
            hub?.publish(channel: .alerts, type: "alert", payloadJSON: Self.payload(ev, toast: cfg.toast(severity: ev.severity)).jsonBytes)
        }
        history.record(events)
        // Webhooks: one notification per firing or resolved change.
        for ev in events where ev.transition.kind == .firing || ev.transition.kind == .resolved {
            let a = ev.alert
            let status = ev.transition.kind == .firing ? "firing" : "resolved"
            for r in cfg.receivers(severity: ev.severity, at: now) {
                guard let url = r.webhookURL else { continue }
                let body = AlertPayloads.webhook(receiver: r.name, alerts: [withExternalLabels(a)], externalURL: options.externalURL,
                                                 expr: exprOf(ev.group, ev.rule))
                // Whole seconds of activeAt: the same after a restart restores
                // the alert (ALERTS_FOR_STATE keeps seconds), so a receiver
                // can drop the repeated firing notification.
                let alert = "\(r.name)/\(AlertPayloads.fingerprint(a.labels))"
                let key = "\(alert)/\(status)/\(a.activeAt / 1000)"
                // One alert's notifications reach the receiver in order.
                queue.enqueue(receiver: r.name, url: url, body: body, dedupKey: key, orderKey: alert, now: now)
            }
        }
        // Alertmanagers: firing alerts again every resend delay, resolved ones once.
        guard !toSend.isEmpty else { return }
        let validFor = 4 * max(options.resendDelay, interval)
        var bySeverity: [String: [AlertInstance]] = [:]
        for a in toSend { bySeverity[a.labels["severity"] ?? "", default: []].append(a) }
        var perReceiver: [String: (url: String, alerts: [AlertInstance])] = [:]
        for (sev, alerts) in bySeverity {
            for r in cfg.receivers(severity: sev, at: now) {
                guard let base = r.alertmanagerURL else { continue }
                perReceiver[r.name, default: (Self.alertmanagerEndpoint(base), [])].alerts.append(contentsOf: alerts)
            }
        }
        for (name, e) in perReceiver.sorted(by: { $0.key < $1.key }) {
            let body = AlertPayloads.alertmanager(e.alerts.map(withExternalLabels), at: now, validFor: validFor, externalURL: options.externalURL) { labels in
                self.exprOf(group, labels[alertNameLabel] ?? "")
            }
            // Batches to one Alertmanager in order, as Prometheus' notifier sends them.
            queue.enqueue(receiver: name, url: e.url, body: body, dedupKey: "\(name)/\(group)/\(now)", orderKey: name, now: now)
        }
    }

    /// The alert as receivers see it: with the server's external labels
    /// where it has no label of that name (as Prometheus sends alerts).
    func withExternalLabels(_ a: AlertInstance) -> AlertInstance {
        guard !options.externalLabels.isEmpty else { return a }
        var out = a
        out.labels = a.labels.addingAbsent(options.externalLabels)
        return out
    }

    static func alertmanagerEndpoint(_ base: String) -> String {
        var b = base
        while b.hasSuffix("/") { b.removeLast() }
        return b.hasSuffix("/api/v2/alerts") ? b : b + "/api/v2/alerts"
    }

    /// The `alert` message: the change, the alert, and whether the dashboard should toast it.
    static func payload(_ ev: AlertEvent, toast: Bool) -> JSONValue {
        let a = ev.alert
        var o: [(String, JSONValue)] = [
            ("group", .string(ev.group)), ("rule", .string(ev.rule)), ("state", .string(ev.transition.kind.rawValue)),
            ("from", .string(ev.transition.from.rawValue)), ("severity", .string(ev.severity)), ("toast", .bool(toast)),
            ("labels", AlertPayloads.labelsJSON(a.labels)), ("annotations", AlertPayloads.labelsJSON(a.annotations)),
            ("value", .string(PromNumber.formatValue(a.value))), ("activeAt", .string(GoTime.rfc3339Nano(a.activeAt))),
            ("time", .string(GoTime.rfc3339Nano(ev.at))), ("fingerprint", .string(AlertPayloads.fingerprint(a.labels))),
        ]
        if let f = a.firedAt { o.append(("firedAt", .string(GoTime.rfc3339Nano(f)))) }
        if let r = a.resolvedAt { o.append(("resolvedAt", .string(GoTime.rfc3339Nano(r)))) }
        return .object(o)
    }
}
