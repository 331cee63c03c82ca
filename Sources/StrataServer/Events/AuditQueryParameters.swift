import StrataEvents
import StrataStorage

/// The search parameters of `GET /api/v1/audit/events` and `/api/v1/audit/export`
/// (docs/events.md, "Search").
enum AuditQueryParameters {
    static let ranges: [String: Int64] = [
        "last_1h": 3_600_000, "last_24h": 86_400_000, "last_7d": 7 * 86_400_000, "last_30d": 30 * 86_400_000,
    ]
    static let maxLimit = 1000

    /// A time: RFC 3339, Unix seconds (Prometheus style, may have a
    /// fraction), or Unix milliseconds (integers from 10^11 on, which as
    /// seconds would lie beyond the year 5000).
    static func time(_ s: String) -> Int64? {
        if let i = Int64(s), abs(i) >= 100_000_000_000 { return i }
        return TimeParameters.parseTime(s)
    }

    static func parse(_ p: FormParameters, now: Int64, defaultLimit: Int = 100) throws(APIError) -> EventQuery {
        var start = Int64.min, end = Int64.max
        if let r = p["range"], !r.isEmpty {
            guard let span = ranges[r] else {
                throw APIError(.badData, "invalid range \"\(r)\": use last_1h, last_24h, last_7d or last_30d")
            }
            guard p["start"] == nil && p["end"] == nil else { throw APIError(.badData, "give either range or start/end, not both") }
            start = now - span
            end = now
        }
        if let s = p["start"], !s.isEmpty {
            guard let t = time(s) else { throw APIError(.badData, "invalid start \"\(s)\"") }
            start = t
        }
        if let s = p["end"], !s.isEmpty {
            guard let t = time(s) else { throw APIError(.badData, "invalid end \"\(s)\"") }
            end = t
        }
        var after: EventCursor.Position?
        if let c = p["cursor"], !c.isEmpty {
            guard let tok = EventCursor.decode(c) else { throw APIError(.badData, "invalid cursor") }
            // The cursor keeps the window of the first page (a relative range stays put).
            start = tok.start
            end = tok.end
            after = tok.position
        }
        guard start <= end else { throw APIError(.badData, "end is before start") }
        var q = EventQuery(start: start, end: end)
        q.after = after
        for v in p.all("type") {
            for name in v.split(separator: ",") where !name.isEmpty {
                guard let t = EventType(name: String(name)), EventType.audit.contains(t) else {
                    throw APIError(.badData, "invalid type \"\(name)\": use authentication, data_modification, security or business")
                }
                q.types.insert(t)
            }
        }
        for v in p.all("severity") {
            for name in v.split(separator: ",") where !name.isEmpty {
                guard let s = Severity(name: String(name)) else {
                    throw APIError(.badData, "invalid severity \"\(name)\": use info, warning, error or critical")
                }
                q.severities.insert(s)
            }
        }
        if let u = p["user"], !u.isEmpty { q.user = u }
        if let text = p["q"] { q.text = TextQuery.parse(text) }
        q.limit = defaultLimit
        if let l = p["limit"], !l.isEmpty {
            guard let n = Int(l), n > 0 else { throw APIError(.badData, "invalid limit \"\(l)\"") }
            q.limit = min(n, maxLimit)
        }
        return q
    }
}
