import Hummingbird
import NIOCore
import StrataEvents

/// `GET/POST /api/v1/targets`, `GET/PUT/DELETE /api/v1/targets/{id}` and
/// `GET /api/v1/health`. Bodies are JSON target definitions
/// (`TargetSpec.decode`); errors use Prometheus' envelope. Every change,
/// refused or applied, is audited (issue #10: `type=security`,
/// `action=target_create|target_update|target_delete`, with the result).
struct TargetHandlers: Sendable {
    let monitor: HealthMonitor
    let audit: AuditLog
    static let maxBody = 1 << 20

    func register(on router: Router<StrataRequestContext>) {
        router.get("/api/v1/targets") { _, _ in list() }
        router.post("/api/v1/targets") { req, ctx in try await create(req, ctx) }
        router.get("/api/v1/targets/{id}") { _, ctx in try get(ctx.parameters.get("id") ?? "") }
        router.put("/api/v1/targets/{id}") { req, ctx in try await put(req, id: ctx.parameters.get("id") ?? "", ctx) }
        router.delete("/api/v1/targets/{id}") { _, ctx in try await delete(ctx.parameters.get("id") ?? "", ctx) }
        router.get("/api/v1/health") { _, _ in health() }
    }

    func list() -> Response {
        let entries = monitor.targets()
        return APIResponse.success(capacity: 256 + entries.count * 768) { w in
            w.raw("{\"activeTargets\":[")
            for (i, e) in entries.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                HealthJSON.writeActiveTarget(e.spec, e.status, to: &w)
            }
            w.raw("],\"droppedTargets\":[]}")
        }
    }

    func get(_ id: String) throws(APIError) -> Response {
        guard let e = monitor.target(id) else { throw APIError(.notFound, "target \"\(id)\" not found") }
        return APIResponse.success { w in HealthJSON.writeActiveTarget(e.spec, e.status, to: &w) }
    }

    func create(_ req: Request, _ ctx: StrataRequestContext) async throws -> Response {
        let e = try await audited("target_create", id: nil, ctx) {
            let spec = try await decode(req, id: nil)
            return (spec.id, try await apply { () throws(HealthMonitor.ChangeError) in try await monitor.add(spec) })
        }
        var r = APIResponse.success { w in HealthJSON.writeActiveTarget(e.spec, e.status, to: &w) }
        r.status = .created
        r.headers[.location] = "/api/v1/targets/\(e.spec.id)"
        return r
    }

    func put(_ req: Request, id: String, _ ctx: StrataRequestContext) async throws -> Response {
        let e = try await audited("target_update", id: id, ctx) {
            let spec = try await decode(req, id: id)
            return (id, try await apply { () throws(HealthMonitor.ChangeError) in try await monitor.put(spec) })
        }
        return APIResponse.success { w in HealthJSON.writeActiveTarget(e.spec, e.status, to: &w) }
    }

    func delete(_ id: String, _ ctx: StrataRequestContext) async throws -> Response {
        _ = try await audited("target_delete", id: id, ctx) {
            (id, try await apply { () throws(HealthMonitor.ChangeError) in
                try await monitor.remove(id)
                return HealthMonitor.Entry(spec: TargetSpec(id: id, url: ""), status: TargetStatus())
            })
        }
        return APIResponse.success { w in
            w.raw("{\"id\":")
            w.string(id)
            w.raw(",\"deleted\":true}")
        }
    }

    func health() -> Response {
        let entries = monitor.targets()
        return APIResponse.success(capacity: 256 + entries.count * 512) { w in
            w.byte(UInt8(ascii: "{"))
            HealthJSON.writeSummary(entries, to: &w)
            w.byte(UInt8(ascii: "}"))
        }
    }

    /// Runs a change and records it with the caller's address and the result:
    /// `success`, or `failure` with the reason (an invalid definition, an
    /// unknown or conflicting id) at `warning`, since refused configuration
    /// changes are worth a look but are not errors of the server.
    private func audited(
        _ action: String, id: String?, _ ctx: StrataRequestContext,
        _ change: () async throws -> (id: String, entry: HealthMonitor.Entry)
    ) async throws -> HealthMonitor.Entry {
        let (targetID, entry): (String, HealthMonitor.Entry)
        do {
            (targetID, entry) = try await change()
        } catch {
            let why = (error as? APIError).map(\.message) ?? "\(error)"
            var attrs: [String: String] = [:]
            if let id { attrs["target"] = id }
            await audit.record(type: .security, action: action, outcome: .failure(why), source: ctx.remoteAddress,
                               description: "\(action.replacingOccurrences(of: "_", with: " ")) refused: \(why)",
                               severity: .warning, attributes: attrs)
            throw error
        }
        // The target id, not its URL: a URL may carry credentials.
        await audit.record(type: .security, action: action, outcome: .success, source: ctx.remoteAddress,
                           description: "\(action.replacingOccurrences(of: "_", with: " ")) \(targetID)", attributes: ["target": targetID])
        return entry
    }

    private func decode(_ request: Request, id: String?) async throws(APIError) -> TargetSpec {
        var req = request
        let buf: ByteBuffer
        do { buf = try await req.collectBody(upTo: Self.maxBody) } catch {
            throw APIError(.tooLarge, "target definitions are limited to \(Self.maxBody) bytes")
        }
        let v: JSONValue
        do { v = try JSONValue.parse(Array(buf.readableBytesView)) } catch {
            throw APIError(.badData, "invalid target: \(error)")
        }
        do {
            return try TargetSpec.decode(v, source: .api, id: id, allowReadOnly: true)
        } catch {
            throw APIError(.badData, "invalid target: \(error.message)")
        }
    }

    private func apply(_ body: () async throws(HealthMonitor.ChangeError) -> HealthMonitor.Entry) async throws(APIError) -> HealthMonitor.Entry {
        do {
            return try await body()
        } catch {
            switch error {
            case .invalid(let m): throw APIError(.badData, m)
            case .notFound(let m): throw APIError(.notFound, m)
            case .conflict(let m): throw APIError(.badData, m, status: .conflict)
            case .io(let m): throw APIError(.internalError, m)
            }
        }
    }
}
