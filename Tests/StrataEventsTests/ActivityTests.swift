import Testing
import StrataTestSupport
@testable import StrataEvents

@Suite struct HyperLogLogTests {
    @Test func estimatesWithinTwoPercent() {
        for n in [1, 10, 1000, 20_000, 100_000, 1_000_000] {
            var h = HyperLogLog()
            for i in 0..<n { h.add(hash: StringHash.hash("user-\(i)")) }
            let e = h.estimate
            #expect(abs(e - Double(n)) / Double(n) <= 0.02, "n=\(n) estimate \(e)")
        }
    }

    @Test func duplicatesDoNotCountAndMergeIsUnion() {
        var a = HyperLogLog(), b = HyperLogLog()
        for i in 0..<50_000 {
            a.add(hash: StringHash.hash("u\(i)"))
            a.add(hash: StringHash.hash("u\(i)"))
        }
        for i in 25_000..<75_000 { b.add(hash: StringHash.hash("u\(i)")) }
        #expect(abs(a.estimate - 50_000) / 50_000 <= 0.02)
        a.merge(b)
        #expect(abs(a.estimate - 75_000) / 75_000 <= 0.02)
    }

    @Test func distinctCounterIsExactUntilTheLimitThenEstimates() {
        var c = DistinctCounter()
        for i in 0..<DistinctCounter.exactLimit {
            c.add("user\(i)")
            c.add("user\(i)")
        }
        #expect(c.isExact && c.count == DistinctCounter.exactLimit)
        for i in 0..<40_000 { c.add("more\(i)") }
        #expect(!c.isExact)
        let want = Double(DistinctCounter.exactLimit + 40_000)
        #expect(abs(Double(c.count) - want) / want <= 0.02)
    }
}

@Suite struct SessionizerTests {
    static let m: Int64 = 60_000

    func s(_ beacons: [(Int64, EventType)]) -> [Sessionizer.Session] {
        Sessionizer.sessions(beacons.map { (t: $0.0 * Self.m, kind: $0.1) })
    }

    @Test func idleGapSplitsExactlyAfterThirtyMinutes() {
        // 30 min exactly keeps the session; 30 min + 1 ms starts a new one.
        let a = Sessionizer.sessions([(0, .pageView), (30 * Self.m, .pageView), (60 * Self.m + 1, .pageView)])
        #expect(a.count == 2)
        #expect(a[0].start == 0 && a[0].end == 30 * Self.m && a[0].beacons == 2)
        #expect(a[1].start == 60 * Self.m + 1 && a[1].duration == 0)
    }

    @Test func heartbeatsKeepASessionAlive() {
        let a = s([(0, .sessionStart), (20, .sessionHeartbeat), (45, .sessionHeartbeat), (70, .pageView), (95, .sessionEnd)])
        #expect(a.count == 1)
        #expect(a[0].duration == 95 * Self.m && a[0].ended)
    }

    @Test func endThenMoreActivityStartsANewSession() {
        let a = s([(0, .pageView), (5, .sessionEnd), (6, .pageView), (7, .action)])
        #expect(a.count == 2)
        #expect(a[0].ended && a[0].duration == 5 * Self.m)
        #expect(!a[1].ended && a[1].start == 6 * Self.m && a[1].duration == Self.m)
    }

    @Test func explicitStartBeginsANewSession() {
        let a = s([(0, .sessionStart), (10, .pageView), (12, .sessionStart), (13, .pageView)])
        #expect(a.map(\.start) == [0, 12 * Self.m])
        #expect(a.map(\.duration) == [10 * Self.m, Self.m])
    }

    @Test func outOfOrderBeaconsAreSortedAndSameInstantIsOneSession() {
        let a = s([(41, .pageView), (0, .pageView), (10, .pageView), (10, .action)])
        #expect(a.count == 2)
        #expect(a[0].beacons == 3 && a[0].duration == 10 * Self.m)
        #expect(a[1].start == 41 * Self.m)
    }

    @Test func singleBeaconAndEndOnly() {
        #expect(s([(3, .sessionEnd)]).map(\.ended) == [true])
        #expect(s([]).isEmpty)
        #expect(s([(3, .sessionHeartbeat)])[0].duration == 0)
    }
}

@Suite struct ActivitySummaryTests {
    static let now: Int64 = 1_764_417_600_000  // 2025-11-29T12:00Z
    static let m: Int64 = 60_000

    @Test func summaryFigures() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        let store = try fx.open(StoreFixture.options(chained: false, text: false))
        let n = Self.now
        func pv(_ t: Int64, _ u: String, _ s: String, _ path: String, _ title: String) -> EventDraft {
            EventDraft(timestamp: t, type: .pageView, user: u, source: s, action: path, description: title)
        }
        func act(_ t: Int64, _ u: String, _ s: String, _ type: String, _ label: String) -> EventDraft {
            EventDraft(timestamp: t, type: .action, user: u, source: s, action: type, description: label)
        }
        let drafts: [EventDraft] = [
            // u1: a session that began yesterday 23:50 and continues past midnight: not "today".
            pv(n - 12 * 60 * Self.m - 10 * Self.m, "u1", "s1", "/metrics", "Metrics"),
            pv(n - 12 * 60 * Self.m + 5 * Self.m, "u1", "s1", "/metrics", "Metrics"),
            // u1 later today, a new session (idle > 30 min), 20 minutes long.
            pv(n - 50 * Self.m, "u1", "s1", "/metrics", "Metrics v2"),
            act(n - 40 * Self.m, "u1", "s1", "export", "Export CSV"),
            EventDraft(timestamp: n - 30 * Self.m, type: .sessionEnd, user: "u1", source: "s1"),
            // u2: two page views and an action within the last hour, 10 min session.
            EventDraft(timestamp: n - 25 * Self.m, type: .sessionStart, user: "u2", source: "s2"),
            pv(n - 25 * Self.m, "u2", "s2", "/alerts", "Alerts"),
            act(n - 20 * Self.m, "u2", "s2", "export", "Export CSV"),
            act(n - 16 * Self.m, "u2", "s2", "silence", "Silence 1h"),
            pv(n - 15 * Self.m, "u2", "s2", "/metrics", "Metrics v2"),
            // u3: outside the hour, inside the day.
            pv(n - 5 * 60 * Self.m, "u3", "s3", "/", "Home"),
        ]
        _ = try store.appendWithoutWaiting(drafts)
        let hour = try ActivityAnalytics.summary(store, period: .hour, now: n)
        #expect(hour.activeUsers == 2 && hour.activeUsersExact)
        #expect(hour.sessions == 2)  // u1's 11:10 session and u2's
        #expect(hour.averageSessionDurationMs == Double(20 * Self.m + 10 * Self.m) / 2)
        #expect(hour.topPages.first == ActivitySummary.Page(path: "/metrics", title: "Metrics v2", visits: 2))
        #expect(hour.topActions.first == ActivitySummary.Action(type: "export", label: "Export CSV", count: 2))
        #expect(hour.timeline.count == 13)
        #expect(hour.timeline.reduce(0) { $0 + $1.activeUsers } >= 2)
        let day = try ActivityAnalytics.summary(store, period: .day, now: n)
        #expect(day.activeUsers == 3)
        #expect(day.sessionsToday == 3)  // u1 11:10, u2, u3 — not u1's session from 23:50
        #expect(day.sessions == 4)       // the 23:50 one started inside the last 24 h
        #expect(day.timeline.count == 25)
        try store.close()
    }

    @Test func activeUsersEstimateAboveTheExactLimit() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        let store = try fx.open(StoreFixture.options(chained: false, text: false))
        let users = 30_000
        var batch: [EventDraft] = []
        for i in 0..<users {
            batch.append(EventDraft(timestamp: Self.now - Int64(i % 3000) * 1000, type: .pageView, user: "user-\(i)", source: "s\(i)", action: "/"))
            if batch.count == 1000 {
                _ = try store.appendWithoutWaiting(batch)
                batch = []
            }
        }
        let s = try ActivityAnalytics.summary(store, period: .hour, now: Self.now)
        #expect(!s.activeUsersExact)
        #expect(abs(Double(s.activeUsers - users)) / Double(users) <= 0.02)
        #expect(s.topPages == [ActivitySummary.Page(path: "/", title: "", visits: users)])
        try store.close()
    }
}
