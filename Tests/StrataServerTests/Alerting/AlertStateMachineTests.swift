import StrataServer
import StrataStorage
import Testing

/// Table tests of Prometheus' alert semantics (rules/alerting.go), one
/// evaluation per row: which labels the rule's result holds at `t`, and
/// what the alert's state must be after it.
@Suite struct AlertStateMachineTests {
    static let a = Labels(["alertname": "X", "instance": "a"])

    struct Row: Sendable, CustomStringConvertible {
        var t: Int64
        var present: Bool
        var state: AlertState?          // nil: no alert kept
        var change: AlertTransition.Kind?
        var description: String { "t=\(t) present=\(present)" }
    }

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var hold: Int64
        var keep: Int64 = 0
        var rows: [Row]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "for 0 fires at once, resolves when gone", hold: 0, rows: [
            Row(t: 0, present: true, state: .firing, change: .firing),
            Row(t: 10, present: true, state: .firing, change: nil),
            Row(t: 20, present: false, state: .inactive, change: .resolved),
            Row(t: 30, present: false, state: .inactive, change: nil),
        ]),
        Case(name: "for: pending until the hold has passed", hold: 30, rows: [
            Row(t: 0, present: true, state: .pending, change: .pending),
            Row(t: 10, present: true, state: .pending, change: nil),
            Row(t: 29, present: true, state: .pending, change: nil),
            Row(t: 30, present: true, state: .firing, change: .firing),
            Row(t: 40, present: false, state: .inactive, change: .resolved),
        ]),
        Case(name: "pending that clears is dropped, the next one starts over", hold: 30, rows: [
            Row(t: 0, present: true, state: .pending, change: .pending),
            Row(t: 20, present: false, state: nil, change: .inactive),
            Row(t: 40, present: true, state: .pending, change: .pending),
            Row(t: 60, present: true, state: .pending, change: nil),
            Row(t: 70, present: true, state: .firing, change: .firing),
        ]),
        Case(name: "flapping around the threshold never fires with for", hold: 20, rows: [
            Row(t: 0, present: true, state: .pending, change: .pending),
            Row(t: 10, present: false, state: nil, change: .inactive),
            Row(t: 20, present: true, state: .pending, change: .pending),
            Row(t: 30, present: false, state: nil, change: .inactive),
            Row(t: 40, present: true, state: .pending, change: .pending),
            Row(t: 50, present: false, state: nil, change: .inactive),
        ]),
        Case(name: "keep_firing_for holds a cleared alert firing", hold: 0, keep: 25, rows: [
            Row(t: 0, present: true, state: .firing, change: .firing),
            Row(t: 10, present: false, state: .firing, change: nil),
            Row(t: 20, present: false, state: .firing, change: nil),
            Row(t: 34, present: false, state: .firing, change: nil),
            Row(t: 35, present: false, state: .inactive, change: .resolved),
        ]),
        Case(name: "keep_firing_for restarts when the condition returns", hold: 0, keep: 25, rows: [
            Row(t: 0, present: true, state: .firing, change: .firing),
            Row(t: 10, present: false, state: .firing, change: nil),
            Row(t: 30, present: true, state: .firing, change: nil),
            Row(t: 40, present: false, state: .firing, change: nil),
            Row(t: 64, present: false, state: .firing, change: nil),
            Row(t: 65, present: false, state: .inactive, change: .resolved),
        ]),
        Case(name: "a resolved alert that returns is a new pending alert", hold: 10, rows: [
            Row(t: 0, present: true, state: .pending, change: .pending),
            Row(t: 10, present: true, state: .firing, change: .firing),
            Row(t: 20, present: false, state: .inactive, change: .resolved),
            Row(t: 30, present: true, state: .pending, change: .pending),
            Row(t: 40, present: true, state: .firing, change: .firing),
        ]),
    ]

    @Test(arguments: cases)
    func semantics(_ c: Case) {
        var m = AlertStateMachine(holdDuration: c.hold, keepFiringFor: c.keep)
        for row in c.rows {
            let obs = row.present ? [AlertStateMachine.Observation(labels: Self.a, value: 1)] : []
            let changes = m.step(obs, at: row.t)
            #expect(m.alerts[Self.a]?.state == row.state, "\(c.name) \(row)")
            #expect(changes.map(\.kind) == (row.change.map { [$0] } ?? []), "\(c.name) \(row)")
        }
    }

    @Test func resolvedAlertsAreKeptForRetentionThenDropped() {
        var m = AlertStateMachine(holdDuration: 0)
        _ = m.step([.init(labels: Self.a, value: 1)], at: 0)
        _ = m.step([], at: 1000)
        #expect(m.alerts[Self.a]?.isResolved == true)
        _ = m.step([], at: 1000 + m.resolvedRetention)
        #expect(m.alerts[Self.a] != nil)
        _ = m.step([], at: 1001 + m.resolvedRetention)
        #expect(m.alerts[Self.a] == nil)
    }

    @Test func firingAlertsAreResentAndResolvedOnesSentOnce() {
        var m = AlertStateMachine(holdDuration: 0)
        _ = m.step([.init(labels: Self.a, value: 1)], at: 0)
        #expect(m.alertsToSend(at: 0, resendDelay: 60_000).count == 1)
        #expect(m.alertsToSend(at: 30_000, resendDelay: 60_000).isEmpty)
        #expect(m.alertsToSend(at: 60_001, resendDelay: 60_000).count == 1)
        _ = m.step([], at: 70_000)
        let resolved = m.alertsToSend(at: 70_000, resendDelay: 60_000)
        #expect(resolved.count == 1 && resolved[0].isResolved)
        #expect(m.alertsToSend(at: 80_000, resendDelay: 60_000).isEmpty)
    }

    @Test func restoredActiveAtStartsTheHoldInThePast() {
        var m = AlertStateMachine(holdDuration: 60_000)
        let changes = m.step([.init(labels: Self.a, value: 1)], at: 100_000, restoredActiveAt: [Self.a: 30_000])
        #expect(changes.map(\.kind) == [.firing])
        #expect(m.alerts[Self.a]?.activeAt == 30_000)
    }

    /// Prometheus' `RestoreForState` arithmetic.
    struct RestoreCase: Sendable, CustomStringConvertible {
        var stored: Double, down: Int64, now: Int64, hold: Int64, grace: Int64, want: Int64
        var description: String { "stored=\(stored) down=\(down) now=\(now)" }
    }

    @Test(arguments: [
        // for had passed: keep the old activeAt.
        RestoreCase(stored: 1000, down: 1_070_000, now: 1_100_000, hold: 60_000, grace: 10_000, want: 1_000_000),
        // 40 s of for left: shift by the downtime.
        RestoreCase(stored: 1000, down: 1_020_000, now: 1_100_000, hold: 60_000, grace: 10_000, want: 1_000_000 + 80_000),
        // 5 s left, less than the grace period: give it the grace period.
        RestoreCase(stored: 1000, down: 1_055_000, now: 1_100_000, hold: 60_000, grace: 10_000, want: 1_100_000 + 10_000 - 60_000),
    ])
    func forStateRestore(_ c: RestoreCase) {
        #expect(ForStateRestore.activeAt(storedActiveAtSeconds: c.stored, downAt: c.down, now: c.now,
                                         holdDuration: c.hold, gracePeriod: c.grace) == c.want)
    }
}
