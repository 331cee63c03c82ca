import ArgumentParser
import Foundation
import StrataEvents

/// `strata audit …`: tools for the audit log (issue #10).
struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Audit log tools.",
        subcommands: [AuditVerify.self, AuditBench.self]
    )
}

/// `strata audit verify --data-dir D`: checks the audit log's hash chain.
struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check the audit log's hash chain; exit status 1 if it was tampered with or damaged."
    )

    @Option(name: .customLong("data-dir"), help: "Data directory of the server (default ./data).")
    var dataDir: String = "./data"

    @Option(name: .customLong("expect-head"),
            help: "A previously published chain head, \"<id>:<hash>\" (GET /api/v1/audit/chain): also fail unless the chain still passes through it.")
    var expectHead: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        let dir = dataDir + "/events"
        guard FileManager.default.fileExists(atPath: dir) else {
            throw ValidationError("no audit log at \(dir)")
        }
        var expected: (id: UInt64, hash: ChainHash)?
        if let expectHead {
            guard let e = ChainReport.parseHead(expectHead) else {
                throw ValidationError("--expect-head must be <id>:<64 hex digits>")
            }
            expected = e
        }
        var report = try ChainVerifier.verify(directory: dir, probe: expected?.id)
        if let e = expected { report.expect(id: e.id, hash: e.hash) }
        if json {
            var out = "{\"ok\":\(report.ok),\"events\":\(report.events),\"blocks\":\(report.blocks),\"wal_events\":\(report.walEvents)"
            out += ",\"first_id\":\(report.firstID.map(String.init) ?? "null"),\"last_id\":\(report.lastID.map(String.init) ?? "null")"
            out += ",\"head_hash\":\"\(report.headHash.hex)\",\"retention_records\":\(report.retentionRecords)"
            out += ",\"problems\":[" + report.problems.map { "\"" + escape($0.description) + "\"" }.joined(separator: ",") + "]"
            out += ",\"notes\":[" + report.notes.map { "\"" + escape($0) + "\"" }.joined(separator: ",") + "]}"
            print(out)
        } else {
            print("audit log: \(dir)")
            print("events: \(report.events) (\(report.blocks) blocks, \(report.walEvents) in the WAL)")
            if let f = report.firstID, let l = report.lastID { print("ids: \(f)…\(l)") }
            print("chain head: \(report.lastID.map(String.init) ?? "-"):\(report.headHash.hex)")
            if report.retentionRecords > 0 { print("retention records: \(report.retentionRecords)") }
            for n in report.notes { print("note: \(n)") }
            for p in report.problems { print("PROBLEM: \(p)") }
            print(report.ok ? "OK: the hash chain is intact" : "FAILED: \(report.problems.count) problem(s)")
        }
        if !report.ok { throw ExitCode(1) }
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
