import Hummingbird
import StrataEvents

/// `GET /api/v1/audit/verify[?expect_head=<id>:<hash>]`: the checks of
/// `strata audit verify` on the running server's audit log (docs/events.md,
/// "Verifying the chain"). Answers 200 with `ok: false` and the problems when
/// the chain is broken: the request succeeded, the log did not. One runs at
/// a time: a request while one runs is refused with 429. Each
/// verification is itself audited (`type=security`, `action=audit_verify`;
/// `critical` when tampering was found).
extension AuditHandlers {
    func verify(_ req: Request, _ ctx: StrataRequestContext) async throws -> Response {
        let params = FormParameters(query: req.uri.query)
        var expected: (id: UInt64, hash: ChainHash)?
        if let text = params["expect_head"] {
            guard let e = ChainReport.parseHead(text) else {
                throw APIError(.badData, "invalid expect_head \"\(text)\": use <id>:<64 hex digits> (GET /api/v1/audit/chain)")
            }
            expected = e
        }
        guard verification.tryEnter() else {
            throw APIError(.limit, "a verification of the audit log is already running; try again when it has finished")
        }
        defer { verification.leave() }
        let store = self.store
        let expect = expected
        let report: ChainReport
        do {
            report = try await offPool { try store.verifyChain(expect: expect) }
        } catch {
            await audit.record(type: .security, action: "audit_verify", outcome: .failure("\(error)"), source: ctx.remoteAddress,
                               description: "audit chain verification could not run")
            throw APIError(.internalError, "verifying the audit log: \(error)")
        }
        var attrs = ["events": String(report.events), "problems": String(report.problems.count)]
        if let l = report.lastID { attrs["last_id"] = String(l) }
        await audit.record(
            type: .security, action: "audit_verify",
            outcome: report.ok ? .success : .failure("\(report.problems.count) problem(s): \(report.problems.first.map { "\($0)" } ?? "")"),
            source: ctx.remoteAddress,
            description: report.ok ? "audit chain verified intact" : "audit chain verification found tampering or damage",
            severity: report.ok ? .info : .critical, attributes: attrs)
        return APIResponse.success(capacity: 512 + 160 * report.problems.count) { w in
            w.raw("{\"ok\":")
            w.raw(report.ok ? "true" : "false")
            w.raw(",\"events\":")
            w.int(report.events)
            w.raw(",\"blocks\":")
            w.int(report.blocks)
            w.raw(",\"wal_events\":")
            w.int(report.walEvents)
            w.raw(",\"first_id\":")
            if let f = report.firstID { w.int64(Int64(bitPattern: f)) } else { w.raw("null") }
            w.raw(",\"last_id\":")
            if let l = report.lastID { w.int64(Int64(bitPattern: l)) } else { w.raw("null") }
            w.raw(",\"head_hash\":")
            w.string(report.headHash.hex)
            w.raw(",\"retention_records\":")
            w.int(report.retentionRecords)
            w.raw(",\"problems\":[")
            for (i, p) in report.problems.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(p.description)
            }
            w.raw("],\"notes\":[")
            for (i, n) in report.notes.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(n)
            }
            w.raw("]}")
        }
    }
}
