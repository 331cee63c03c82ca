import Hummingbird
import NIOCore
import StrataEvents

/// The alerting API:
/// - `GET /api/v1/rules`, `GET /api/v1/alerts` in Prometheus' shapes;
/// - `POST /api/v1/rules` and `GET/PUT/DELETE /api/v1/rules/{group}` for
///   API-managed groups (JSON or YAML bodies, validated like promtool);
/// - `POST|PUT /-/reload` re-reads the rule files;
/// - `GET/PUT /api/v1/alert-settings`, `GET /api/v1/alerts/history`.
struct AlertingHandlers: Sendable {
    let alerting: Alerting
    let audit: AuditLog?
    static let maxBody = 1 << 20

    func register(on router: Router<StrataRequestContext>) {
        router.get("/api/v1/rules") { req, _ in listRules(req) }
        router.post("/api/v1/rules") { req, ctx in try await create(req, ctx) }
        router.get("/api/v1/rules/{group}") { _, ctx in try getGroup(ctx.parameters.get("group") ?? "") }
        router.put("/api/v1/rules/{group}") { req, ctx in try await put(req, ctx, name: ctx.parameters.get("group") ?? "") }
        router.delete("/api/v1/rules/{group}") { _, ctx in try await delete(ctx, name: ctx.parameters.get("group") ?? "") }
        router.get("/api/v1/alerts") { _, _ in alerts() }
        router.get("/api/v1/alerts/history") { req, _ in try history(req) }
        router.get("/api/v1/alert-settings") { _, _ in APIResponse.success { w in alerting.settings.settings.json.write(to: &w) } }
        router.put("/api/v1/alert-settings") { req, ctx in try await putSettings(req, ctx) }
        router.post("/-/reload") { _, _ in try reload() }
        router.put("/-/reload") { _, _ in try reload() }
    }

    // MARK: rules

    func listRules(_ req: Request) -> Response {
        let p = FormParameters(query: req.uri.query)
        let type = p["type"]
        let names = Set(p.all("rule_name[]")), groups = Set(p.all("rule_group[]")), files = Set(p.all("file[]"))
        let all = alerting.rules.groups().filter { g in
            (groups.isEmpty || groups.contains(g.group.name)) && (files.isEmpty || files.contains(g.group.file))
        }
        let filter: (RuleRuntime) -> Bool = { r in
            (type == nil || (type == "alert") == r.rule.isAlerting) && (names.isEmpty || names.contains(r.rule.name))
        }
        let list = all.map { AlertingJSON.group($0, filter: filter) }
        return APIResponse.success(capacity: 4096) { w in
            JSONValue.object([("groups", .array(list))]).write(to: &w)
        }
    }

    func getGroup(_ name: String) throws(APIError) -> Response {
        guard let g = alerting.rules.group(named: name) else { throw APIError(.notFound, "rule group \"\(name)\" not found") }
        return APIResponse.success { w in
            guard case .object(var o) = g.group.definition.json else { return }
            o.append(("file", .string(g.group.file)))
            o.append(("status", AlertingJSON.group(g)))
            JSONValue.object(o).write(to: &w)
        }
    }

    func create(_ req: Request, _ ctx: StrataRequestContext) async throws -> Response {
        let g = try await decodeGroup(req)
        if alerting.rules.group(named: g.name) != nil {
            throw APIError(.badData, "rule group \"\(g.name)\" already exists; use PUT /api/v1/rules/\(g.name) to replace it",
                           status: .conflict)
        }
        try await change(ctx, action: "rule_group_create", name: g.name) { () throws(RuleManager.ChangeError) in
            _ = try alerting.rules.putAPIGroup(g)
        }
        var r = APIResponse.success { w in g.definition.json.write(to: &w) }
        r.status = .created
        r.headers[.location] = "/api/v1/rules/\(g.name)"
        return r
    }

    func put(_ req: Request, _ ctx: StrataRequestContext, name: String) async throws -> Response {
        let g = try await decodeGroup(req)
        guard g.name == name else {
            throw APIError(.badData, "the body names group \"\(g.name)\" but the path names \"\(name)\"")
        }
        var created = false
        try await change(ctx, action: "rule_group_put", name: name) { () throws(RuleManager.ChangeError) in
            created = try alerting.rules.putAPIGroup(g)
        }
        var r = APIResponse.success { w in g.definition.json.write(to: &w) }
        if created { r.status = .created }
        return r
    }

    func delete(_ ctx: StrataRequestContext, name: String) async throws -> Response {
        try await change(ctx, action: "rule_group_delete", name: name) { () throws(RuleManager.ChangeError) in
            try alerting.rules.deleteAPIGroup(name)
        }
        return APIResponse.success { w in
            JSONValue.object([("name", .string(name)), ("deleted", .bool(true))]).write(to: &w)
        }
    }

    private func change(_ ctx: StrataRequestContext, action: String, name: String,
                        _ body: () throws(RuleManager.ChangeError) -> Void) async throws(APIError) {
        do {
            try body()
        } catch {
            switch error {
            case .notFound: throw APIError(.notFound, "rule group \"\(name)\" not found")
            case .readOnly(let file):
                throw APIError(.badData, "rule group \"\(name)\" comes from rule file \(file); edit the file and reload", status: .conflict)
            case .io(let e):
                await audit?.record(type: .dataModification, action: action, outcome: .failure("\(e)"), source: ctx.remoteAddress,
                                    description: "rule group \(name)")
                throw APIError(.internalError, "cannot persist rule groups: \(e)")
            }
        }
        await audit?.record(type: .dataModification, action: action, outcome: .success, source: ctx.remoteAddress,
                            description: "rule group \(name)")
    }

    private func body(_ request: Request) async throws(APIError) -> [UInt8] {
        var req = request
        do { return Array(try await req.collectBody(upTo: Self.maxBody).readableBytesView) } catch {
            throw APIError(.tooLarge, "bodies are limited to \(Self.maxBody) bytes")
        }
    }

    private func decodeGroup(_ req: Request) async throws(APIError) -> CompiledGroup {
        let bytes = try await body(req)
        do { return try RuleGroupDecoder.decodeAPIGroup(bytes) } catch {
            throw APIError(.badData, error.description)
        }
    }

    func reload() throws(APIError) -> Response {
        do { try alerting.rules.reload() } catch { throw APIError(.badData, "reload failed, old rules kept: \(error.description)") }
        return APIResponse.text("")
    }

    // MARK: alerts

    func alerts() -> Response {
        var items: [JSONValue] = []
        for g in alerting.rules.groups() {
            for r in g.rules where r.rule.isAlerting {
                for a in r.machine.activeAlerts { items.append(AlertingJSON.alertWithRule(a, group: g, rule: r)) }
            }
        }
        return APIResponse.success(capacity: 4096) { w in JSONValue.object([("alerts", .array(items))]).write(to: &w) }
    }

    func history(_ req: Request) throws(APIError) -> Response {
        let p = FormParameters(query: req.uri.query)
        var q = AlertHistory.Query()
        if let s = p["start"] {
            guard let t = TimeParameters.parseTime(s) else { throw APIError(.badData, "invalid parameter \"start\": \(s)") }
            q.start = t
        }
        if let s = p["end"] {
            guard let t = TimeParameters.parseTime(s) else { throw APIError(.badData, "invalid parameter \"end\": \(s)") }
            q.end = t
        }
        if let s = p["severity"], !s.isEmpty { q.severity = s }
        if let s = p["state"], !s.isEmpty {
            guard AlertTransition.Kind(rawValue: s) != nil else {
                throw APIError(.badData, "invalid parameter \"state\": must be pending, firing, resolved or inactive")
            }
            q.state = s
        }
        if let s = p["limit"] {
            guard let n = Int(s), n > 0 else { throw APIError(.badData, "invalid parameter \"limit\": \(s)") }
            q.limit = n
        }
        let r = alerting.history.query(q)
        return APIResponse.success(capacity: 4096) { w in
            JSONValue.object([
                ("counts", .object(r.counts.keys.sorted().map { ($0, .int(Int64(r.counts[$0]!))) })),
                ("total", .int(Int64(r.total))),
                ("entries", .array(r.entries.map(AlertHistory.json))),
            ]).write(to: &w)
        }
    }

    // MARK: settings

    func putSettings(_ req: Request, _ ctx: StrataRequestContext) async throws -> Response {
        let bytes = try await body(req)
        let v: JSONValue
        do { v = try JSONValue.parse(bytes) } catch { throw APIError(.badData, "invalid JSON: \(error)") }
        let s: AlertSettings
        do { s = try AlertSettings.decode(v) } catch { throw APIError(.badData, error.description) }
        do { try alerting.settings.replace(s) } catch {
            await audit?.record(type: .security, action: "alert_settings_put", outcome: .failure("\(error)"), source: ctx.remoteAddress,
                                description: "alert settings")
            throw APIError(.internalError, "cannot persist alert settings: \(error)")
        }
        await audit?.record(type: .security, action: "alert_settings_put", outcome: .success, source: ctx.remoteAddress,
                            description: "alert settings: \(s.receivers.count) receivers, \(s.routes.count) routes")
        return APIResponse.success { w in s.json.write(to: &w) }
    }
}
