import StrataStorage

/// The alert states of one alerting rule, stepped once per evaluation: a
/// pure value type (no clock, no I/O) so every rule of Prometheus'
/// semantics can be table-tested alone.
///
/// Semantics of Prometheus' `AlertingRule.Eval` (rules/alerting.go, 2.42+):
///
/// - Each result sample is an alert keyed by its labels. A new one starts
///   `pending` with `activeAt` = now; an active one gets the new value and
///   annotations (labels and `activeAt` stay).
/// - A pending alert fires once `now − activeAt ≥ for` (at once with `for: 0`).
/// - An alert missing from the result: pending ones are dropped; firing ones
///   keep firing while `now − keepFiringSince < keep_firing_for`, then become
///   inactive with `resolvedAt` = now. A resolved alert is kept for
///   `resolvedRetention` (15 min), then dropped; if the condition comes back
///   meanwhile, a new alert starts (pending again).
/// - The condition holding again resets `keepFiringSince`.
public struct AlertStateMachine: Sendable, Equatable {
    /// `for`, in ms.
    public var holdDuration: Int64
    /// `keep_firing_for`, in ms.
    public var keepFiringFor: Int64
    /// Prometheus' `resolvedRetention`.
    public var resolvedRetention: Int64 = 15 * 60_000

    /// Alerts by label set, including resolved ones still retained.
    public private(set) var alerts: [Labels: AlertInstance] = [:]

    public init(holdDuration: Int64, keepFiringFor: Int64 = 0) {
        self.holdDuration = holdDuration
        self.keepFiringFor = keepFiringFor
    }

    /// One element of the rule's result, after labels and annotations were expanded.
    public struct Observation: Sendable, Equatable {
        public var labels: Labels
        public var annotations: Labels
        public var value: Double

        public init(labels: Labels, annotations: Labels = Labels(), value: Double) {
            self.labels = labels
            self.annotations = annotations
            self.value = value
        }
    }

    /// Applies one evaluation at `now` and returns what changed, in label
    /// order. `restoredActiveAt` supplies the `for` start of alerts that
    /// were active before a restart (see `ForStateRestore`): a new alert
    /// found there starts pending at that time instead of `now`.
    public mutating func step(_ observations: [Observation], at now: Int64,
                              restoredActiveAt: [Labels: Int64] = [:]) -> [AlertTransition] {
        var before: [Labels: AlertState] = [:]
        for (k, a) in alerts { before[k] = a.state }
        var seen = Set<Labels>()
        seen.reserveCapacity(observations.count)
        for o in observations {
            seen.insert(o.labels)
            if var a = alerts[o.labels], a.state != .inactive {
                a.value = o.value
                a.annotations = o.annotations
                alerts[o.labels] = a
                continue
            }
            // New, or coming back after having resolved: a fresh alert.
            var a = AlertInstance(labels: o.labels, annotations: o.annotations, state: .pending, value: o.value, activeAt: now)
            if let t = restoredActiveAt[o.labels] { a.activeAt = t }
            alerts[o.labels] = a
            before[o.labels] = .inactive
        }

        var changes: [AlertTransition] = []
        for key in alerts.keys.sorted(by: Self.labelOrder) {
            var a = alerts[key]!
            let was = before[key] ?? .inactive
            if !seen.contains(key) {
                var keepFiring = false
                if a.state == .firing && keepFiringFor > 0 {
                    if a.keepFiringSince == nil { a.keepFiringSince = now }
                    if now - a.keepFiringSince! < keepFiringFor { keepFiring = true }
                }
                if !keepFiring {
                    if a.state == .pending {
                        alerts[key] = nil
                        changes.append(AlertTransition(kind: .inactive, alert: withState(a, .inactive), from: .pending))
                        continue
                    }
                    if let r = a.resolvedAt, now - r > resolvedRetention {
                        alerts[key] = nil
                        continue
                    }
                    if a.state != .inactive {
                        a.state = .inactive
                        a.resolvedAt = now
                        alerts[key] = a
                        changes.append(AlertTransition(kind: .resolved, alert: a, from: was))
                    }
                    continue
                }
            } else {
                a.keepFiringSince = nil
            }
            if a.state == .pending && now - a.activeAt >= holdDuration {
                a.state = .firing
                a.firedAt = now
            }
            alerts[key] = a
            if a.state != was {
                changes.append(AlertTransition(kind: a.state == .firing ? .firing : .pending, alert: a, from: was))
            }
        }
        return changes
    }

    private func withState(_ a: AlertInstance, _ s: AlertState) -> AlertInstance {
        var b = a
        b.state = s
        return b
    }

    /// Alerts to hand to Alertmanager receivers now (Prometheus'
    /// `needsSending`): firing ones not sent within `resendDelay`, and
    /// resolved ones not sent since they resolved. Marks them sent.
    public mutating func alertsToSend(at now: Int64, resendDelay: Int64) -> [AlertInstance] {
        var out: [AlertInstance] = []
        for key in alerts.keys.sorted(by: Self.labelOrder) {
            var a = alerts[key]!
            if a.state == .pending { continue }
            let sent = a.lastSentAt ?? Int64.min
            let due = (a.resolvedAt.map { $0 > sent } ?? false) || sent == Int64.min || sent + resendDelay < now
            guard due else { continue }
            a.lastSentAt = now
            alerts[key] = a
            out.append(a)
        }
        return out
    }

    /// Active (pending or firing) alerts, in label order.
    public var activeAlerts: [AlertInstance] {
        alerts.values.filter { $0.resolvedAt == nil && $0.state != .inactive }.sorted { Self.labelOrder($0.labels, $1.labels) }
    }

    /// The rule's state: the highest state of its alerts.
    public var state: AlertState {
        alerts.values.reduce(AlertState.inactive) { max($0, $1.state) }
    }

    /// Drops every alert (a rule over its `limit`, as Prometheus does).
    public mutating func reset() { alerts = [:] }

    /// Takes over the alerts of the same rule from before a reload.
    public mutating func adopt(_ other: AlertStateMachine) { alerts = other.alerts }

    static func labelOrder(_ a: Labels, _ b: Labels) -> Bool {
        a.pairs.lexicographicallyPrecedes(b.pairs)
    }
}

/// Where the `for` clock of an alert that was active before a restart
/// resumes (Prometheus' `Group.RestoreForState`), from the newest
/// `ALERTS_FOR_STATE` sample: its value is the old `activeAt` (Unix
/// seconds), its timestamp when the server last wrote it ("down at").
///
/// - The alert had already fired (`for` had passed by then): keep the old
///   `activeAt`, so it fires again at the next evaluation.
/// - Less than `gracePeriod` of `for` was left: give it `gracePeriod`
///   (data may still be catching up after the restart).
/// - Otherwise: move `activeAt` forward by the downtime, so the alert
///   still needs the rest of its `for`.
///
/// Rules whose `for` is shorter than the grace period are not restored at
/// all (they simply wait `for` again), and nothing older than
/// `outageTolerance` is used.
public enum ForStateRestore {
    public static func activeAt(storedActiveAtSeconds v: Double, downAt: Int64, now: Int64,
                                holdDuration: Int64, gracePeriod: Int64) -> Int64 {
        let down = downAt / 1000 * 1000                // Prometheus works in whole seconds here
        let restored = Int64(v) * 1000
        let remaining = holdDuration - (down - restored)
        if remaining <= 0 { return restored }
        if remaining < gracePeriod { return now + gracePeriod - holdDuration }
        return restored + (now - down)
    }

    /// Whether a rule's alerts are restored at all.
    public static func applies(holdDuration: Int64, gracePeriod: Int64) -> Bool {
        holdDuration >= gracePeriod && holdDuration > 0
    }
}
