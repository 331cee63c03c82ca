/// `GET /api/v1/activity/summary?period=…`: figures over one period (docs/events.md, "Activity").
public struct ActivitySummary: Sendable {
    public enum Period: String, Sendable, CaseIterable {
        case hour = "1h", day = "24h", week = "7d", month = "30d"

        public var milliseconds: Int64 {
            switch self {
            case .hour: return 3_600_000
            case .day: return 86_400_000
            case .week: return 7 * 86_400_000
            case .month: return 30 * 86_400_000
            }
        }

        /// Timeline bucket: 5 min, 1 h, 6 h, 1 d (12 to 30 points).
        public var bucket: Int64 {
            switch self {
            case .hour: return 300_000
            case .day: return 3_600_000
            case .week: return 6 * 3_600_000
            case .month: return 86_400_000
            }
        }
    }

    public struct Page: Sendable, Equatable {
        public var path: String
        /// The title most recently reported for the path.
        public var title: String
        public var visits: Int
    }

    public struct Action: Sendable, Equatable {
        public var type: String
        public var label: String
        public var count: Int
    }

    public struct Bucket: Sendable, Equatable {
        public var start: Int64
        public var activeUsers: Int
    }

    public var period: Period
    /// [start, end] of the period.
    public var start: Int64
    public var end: Int64
    public var activeUsers: Int
    /// False once the distinct count went past `DistinctCounter.exactLimit` (HyperLogLog estimate).
    public var activeUsersExact: Bool
    /// Sessions that began since 00:00 UTC today.
    public var sessionsToday: Int
    /// Sessions that began in the period, and their mean duration.
    public var sessions: Int
    public var averageSessionDurationMs: Double
    public var timeline: [Bucket]
    public var topPages: [Page]
    public var topActions: [Action]
}

/// Computes activity summaries from the activity event store.
public enum ActivityAnalytics {
    public static func summary(_ store: EventStore, period: ActivitySummary.Period, now: Int64,
                               top: Int = 10, idleTimeout: Int64 = Sessionizer.idleTimeout) throws -> ActivitySummary {
        let start = now - period.milliseconds
        let today = floorDiv(now, 86_400_000) * 86_400_000
        // A session that began before the window is recognised by a beacon
        // less than one idle timeout before its first one in the window.
        let scanStart = min(start, today) - idleTimeout
        var users = DistinctCounter()
        let bucket = period.bucket
        let firstBucket = floorDiv(start, bucket) * bucket
        let nBuckets = Int((now - firstBucket) / bucket) + 1
        var buckets = [DistinctCounter](repeating: DistinctCounter(), count: nBuckets)
        var pages: [String: (title: String, titleAt: Int64, visits: Int)] = [:]
        var actions: [ActionKey: Int] = [:]
        var beacons: [String: [(t: Int64, kind: EventType)]] = [:]

        try store.forEachEvent(start: scanStart, end: now) { e in
            guard EventType.activity.contains(e.type) else { return }
            beacons[e.source, default: []].append((e.timestamp, e.type))
            guard e.timestamp >= start else { return }
            if !e.user.isEmpty {
                users.add(e.user)
                let b = Int((e.timestamp - firstBucket) / bucket)
                if b >= 0 && b < nBuckets { buckets[b].add(e.user) }
            }
            switch e.type {
            case .pageView:
                var p = pages[e.action] ?? ("", Int64.min, 0)
                p.visits += 1
                if e.timestamp >= p.titleAt {
                    p.title = e.description
                    p.titleAt = e.timestamp
                }
                pages[e.action] = p
            case .action:
                actions[ActionKey(type: e.action, label: e.description), default: 0] += 1
            default:
                break
            }
        }

        var sessionsToday = 0, sessions = 0
        var totalDuration: Int64 = 0
        for (_, list) in beacons {
            for s in Sessionizer.sessions(list, idleTimeout: idleTimeout) {
                if s.start >= today && s.start <= now { sessionsToday += 1 }
                if s.start >= start && s.start <= now {
                    sessions += 1
                    totalDuration += s.duration
                }
            }
        }
        let topPages = pages.map { ActivitySummary.Page(path: $0.key, title: $0.value.title, visits: $0.value.visits) }
            .sorted { $0.visits != $1.visits ? $0.visits > $1.visits : $0.path < $1.path }
        let topActions = actions.map { ActivitySummary.Action(type: $0.key.type, label: $0.key.label, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : ($0.type, $0.label) < ($1.type, $1.label) }
        return ActivitySummary(
            period: period, start: start, end: now, activeUsers: users.count, activeUsersExact: users.isExact,
            sessionsToday: sessionsToday, sessions: sessions,
            averageSessionDurationMs: sessions > 0 ? Double(totalDuration) / Double(sessions) : 0,
            timeline: buckets.enumerated().map { ActivitySummary.Bucket(start: firstBucket + Int64($0.offset) * bucket, activeUsers: $0.element.count) },
            topPages: Array(topPages.prefix(top)), topActions: Array(topActions.prefix(top)))
    }

    struct ActionKey: Hashable {
        var type: String
        var label: String
    }
}
