import Hummingbird
import StrataEvents
import StrataStorage

/// User-activity beacons and their summary (docs/events.md, "Activity").
struct ActivityHandlers: Sendable {
    let store: EventStore
    let limits: ServeConfig.Limits
    let retention: Int64
    /// Announces accepted beacons on `/ws/activity` (`activity_update`) so dashboards refresh.
    var hub: RealtimeHub? = nil

    func register(on router: Router<StrataRequestContext>) {
        router.post("/api/v1/activity") { req, _ in try await ingest(req) }
        router.get("/api/v1/activity/summary") { req, _ in try await summary(req) }
    }

    func ingest(_ request: Request) async throws -> Response {
        var req = request
        let buf = try await AuditHandlers.body(&req, limit: limits.maxBodyBytes)
        let now = nowMillis()
        let parsed: Result<[EventDraft], EventJSONError> = buf.withUnsafeReadableBytes { raw in
            Result { () throws(EventJSONError) in try EventBatchParser.parseActivity(raw, .init(now: now)) }
        }
        let drafts: [EventDraft]
        switch parsed {
        case .success(let d): drafts = d
        case .failure(let e): throw APIError(.badData, "activity: \(e)")
        }
        try AuditHandlers.checkTimes(drafts, now: now, retention: retention, maxFuture: limits.maxFutureMs)
        let r = try await store.append(drafts)
        if let hub, r.count > 0 {
            var p = JSONWriter(capacity: 24)
            p.raw("{\"accepted\":")
            p.int(r.count)
            p.byte(UInt8(ascii: "}"))
            _ = hub.publish(channel: .activity, type: "activity_update", payloadJSON: p.bytes)
        }
        return APIResponse.success { w in
            w.raw("{\"accepted\":")
            w.int(r.count)
            w.byte(UInt8(ascii: "}"))
        }
    }

    func summary(_ req: Request) async throws -> Response {
        let p = FormParameters(query: req.uri.query)
        let name = p["period"] ?? "24h"
        guard let period = ActivitySummary.Period(rawValue: name) else {
            throw APIError(.badData, "invalid period \"\(name)\": use 1h, 24h, 7d or 30d")
        }
        let now = p["time"].flatMap(AuditQueryParameters.time) ?? nowMillis()
        let store = self.store
        let s = try await offPool { try ActivityAnalytics.summary(store, period: period, now: now) }
        return APIResponse.success(capacity: 2048) { w in
            w.raw("{\"period\":")
            w.string(period.rawValue)
            w.raw(",\"start\":")
            w.int64(s.start)
            w.raw(",\"end\":")
            w.int64(s.end)
            w.raw(",\"active_users\":{\"count\":")
            w.int(s.activeUsers)
            w.raw(",\"exact\":")
            w.bool(s.activeUsersExact)
            w.raw("},\"sessions_today\":")
            w.int(s.sessionsToday)
            w.raw(",\"sessions\":")
            w.int(s.sessions)
            w.raw(",\"average_session_duration_seconds\":")
            w.number(s.averageSessionDurationMs / 1000)
            w.raw(",\"timeline\":{\"bucket_seconds\":")
            w.int64(period.bucket / 1000)
            w.raw(",\"points\":[")
            for (i, b) in s.timeline.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"timestamp\":")
                w.int64(b.start)
                w.raw(",\"active_users\":")
                w.int(b.activeUsers)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw("]},\"top_pages\":[")
            for (i, pg) in s.topPages.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"path\":")
                w.string(pg.path)
                w.raw(",\"title\":")
                w.string(pg.title)
                w.raw(",\"visits\":")
                w.int(pg.visits)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw("],\"top_actions\":[")
            for (i, a) in s.topActions.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.raw("{\"type\":")
                w.string(a.type)
                w.raw(",\"label\":")
                w.string(a.label)
                w.raw(",\"count\":")
                w.int(a.count)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw("]}")
        }
    }
}
