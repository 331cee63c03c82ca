import Hummingbird
import NIOCore
import StrataEvents
import StrataStorage

/// The audit log API (docs/events.md): ingest, search, one event, export,
/// the chain head for external anchoring, and chain verification.
struct AuditHandlers: Sendable {
    let store: EventStore
    let audit: AuditLog
    let limits: ServeConfig.Limits
    let retention: Int64
    /// One chain verification at a time (`GET /api/v1/audit/verify`).
    let verification = ExclusiveGate()
    /// Announces ingested events on `/ws/audit` (`audit_event`, docs/realtime.md) so dashboards update live.
    var hub: RealtimeHub? = nil

    func register(on router: Router<StrataRequestContext>) {
        router.post("/api/v1/audit/events") { req, _ in try await ingest(req) }
        router.get("/api/v1/audit/events") { req, _ in try await search(req) }
        router.get("/api/v1/audit/events/{id}") { _, ctx in try await event(ctx.parameters.get("id") ?? "") }
        router.get("/api/v1/audit/export") { req, _ in try export(req) }
        router.get("/api/v1/audit/chain") { _, _ in chain() }
        router.get("/api/v1/audit/verify") { req, ctx in try await verify(req, ctx) }
    }

    static func body(_ req: inout Request, limit: Int) async throws(APIError) -> ByteBuffer {
        do {
            return try await req.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.tooLarge, "request body is larger than the limit of \(limit) bytes")
        } catch {
            throw APIError(.badData, "reading request body: \(error)")
        }
    }

    /// Refuses timestamps retention would drop at once, or too far in the future.
    static func checkTimes(_ drafts: [EventDraft], now: Int64, retention: Int64, maxFuture: Int64) throws(APIError) {
        for (i, d) in drafts.enumerated() {
            if d.timestamp < now - retention {
                throw APIError(.badData, "event \(i): timestamp \(RFC3339.format(d.timestamp)) is older than the retention period")
            }
            if d.timestamp > now + maxFuture {
                throw APIError(.badData, "event \(i): timestamp \(RFC3339.format(d.timestamp)) is more than \(maxFuture / 1000) s in the future")
            }
        }
    }

    func ingest(_ request: Request) async throws -> Response {
        var req = request
        let buf = try await Self.body(&req, limit: limits.maxBodyBytes)
        let now = nowMillis()
        let parsed: Result<[EventDraft], EventJSONError> = buf.withUnsafeReadableBytes { raw in
            Result { () throws(EventJSONError) in try EventBatchParser.parseAudit(raw, .init(now: now)) }
        }
        let drafts: [EventDraft]
        switch parsed {
        case .success(let d): drafts = d
        case .failure(let e): throw APIError(.badData, "audit events: \(e)")
        }
        try Self.checkTimes(drafts, now: now, retention: retention, maxFuture: limits.maxFutureMs)
        let r = try await store.append(drafts)
        if let hub, !r.ids.isEmpty {
            var p = JSONWriter(capacity: 32 + 12 * r.count)
            p.raw("{\"count\":")
            p.int(r.count)
            p.raw(",\"ids\":[")
            for (i, id) in r.ids.enumerated() {
                if i > 0 { p.byte(UInt8(ascii: ",")) }
                p.int64(Int64(bitPattern: id))
            }
            p.raw("]}")
            _ = hub.publish(channel: .audit, type: "audit_event", payloadJSON: p.bytes)
        }
        return APIResponse.success(capacity: 64 + 12 * r.count) { w in
            w.raw("{\"ids\":[")
            for (i, id) in r.ids.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.int64(Int64(bitPattern: id))
            }
            w.raw("]}")
        }
    }

    func search(_ req: Request) async throws -> Response {
        let q = try AuditQueryParameters.parse(FormParameters(query: req.uri.query), now: nowMillis())
        let store = self.store
        let page = try await offPool { try store.search(q) }
        return APIResponse.success(capacity: 512 + page.events.count * 256) { w in
            w.raw("{\"events\":[")
            for (i, e) in page.events.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                EventJSON.write(e, into: &w)
            }
            w.raw("],\"next_cursor\":")
            if let c = page.nextCursor {
                w.string(EventCursor.encode(.init(position: c, start: q.start, end: q.end)))
            } else {
                w.raw("null")
            }
            w.raw(",\"total\":")
            w.int(page.total)
            w.raw(",\"facets\":{\"type\":{")
            for (i, t) in EventType.audit.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(t.name)
                w.byte(UInt8(ascii: ":"))
                w.int(page.typeFacets[t] ?? 0)
            }
            w.raw("},\"severity\":{")
            for (i, s) in Severity.allCases.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(s.name)
                w.byte(UInt8(ascii: ":"))
                w.int(page.severityFacets[s] ?? 0)
            }
            w.raw("}}}")
        }
    }

    func event(_ idText: String) async throws -> Response {
        guard let id = UInt64(idText), id > 0 else { throw APIError(.badData, "invalid event id \"\(idText)\"") }
        let store = self.store
        guard let d = try await offPool({ try store.event(id: id) }) else {
            throw APIError(.notFound, "no event with id \(id)")
        }
        return APIResponse.success { w in EventJSON.write(d.event, into: &w, detail: d) }
    }

    func chain() -> Response {
        let (next, hash) = store.chainHead
        return APIResponse.success { w in
            w.raw("{\"last_id\":")
            w.int64(Int64(bitPattern: next - 1))
            w.raw(",\"head_hash\":")
            w.string(hash.hex)
            w.byte(UInt8(ascii: "}"))
        }
    }

    /// All matching events, newest first, as CSV or JSON lines, streamed a page at a time.
    func export(_ req: Request) throws -> Response {
        let params = FormParameters(query: req.uri.query)
        let format = params["format"] ?? "jsonl"
        guard format == "csv" || format == "jsonl" else { throw APIError(.badData, "invalid format \"\(format)\": use csv or jsonl") }
        var parsed = try AuditQueryParameters.parse(params, now: nowMillis(), defaultLimit: 1000)
        let cap = params["limit"].flatMap(Int.init) ?? Int.max
        parsed.limit = 1000
        let q = parsed
        let store = self.store
        let body = ResponseBody { writer in
            var query = q
            var sent = 0
            if format == "csv" { try await writer.write(ByteBuffer(string: EventJSON.csvHeader)) }
            while sent < cap {
                let qq = query
                let page = try await offPool { try store.search(qq) }
                var out: [UInt8] = []
                for e in page.events.prefix(cap - sent) {
                    if format == "csv" {
                        EventJSON.csvRow(e, into: &out)
                    } else {
                        var w = JSONWriter(capacity: 256)
                        EventJSON.write(e, into: &w)
                        out.append(contentsOf: w.bytes)
                        out.append(0x0A)
                    }
                }
                sent += page.events.count
                if !out.isEmpty { try await writer.write(ByteBuffer(bytes: out)) }
                guard let next = page.nextCursor else { break }
                query.after = next
            }
            try await writer.finish(nil)
        }
        let type = format == "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson"
        return Response(status: .ok, headers: [
            .contentType: type,
            .contentDisposition: "attachment; filename=\"audit-events.\(format)\"",
        ], body: body)
    }
}
