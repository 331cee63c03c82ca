import Foundation
import Testing
import StrataEvents
import StrataTestSupport
@testable import StrataServer

/// Acknowledged audit events survive `kill -9` of the real binary, none is
/// duplicated, and the hash chain verifies afterwards (`strata audit verify`).
@Suite(.serialized) struct AuditDurabilityTests {
    @Test func acknowledgedEventsSurviveKill9() async throws {
        let tmp = try TempDirectory("strata-audit-durability")
        defer { tmp.remove() }
        let dataDir = tmp.sub("data")
        var rng = WorkloadRandom(seed: 20_261_130)
        var acked = Set<Int>()     // "n" attribute of acknowledged events
        var next = 0
        let rounds = 8
        for round in 0..<rounds {
            let server = try ServerProcess.start(dataDir: dataDir, extraArgs: round % 2 == 0 ? ["--wal-fsync", "always"] : [])
            let target = Int(rng.int(3...25))
            let start = next
            let results = await withTaskGroup(of: [Int].self) { group -> [[Int]] in
                for w in 0..<2 {
                    group.addTask {
                        var ok: [Int] = []
                        for b in 0..<40 {
                            let base = start + (b * 2 + w) * 10
                            let t = Int64(Date().timeIntervalSince1970 * 1000)
                            let events: [[String: Any]] = (0..<10).map { i in
                                ["timestamp": t, "type": "security", "user": "w\(w)", "action": "probe",
                                 "description": "durability probe \(base + i)", "attributes": ["n": base + i]]
                            }
                            guard let r = try? await AuditAPITests.post(server.base, events), r.status == 200 else { break }
                            ok += (0..<10).map { base + $0 }
                            if b + 1 >= target && w == 0 { server.kill9(); break }
                        }
                        return ok
                    }
                }
                var out: [[Int]] = []
                for await r in group { out.append(r) }
                return out
            }
            server.kill9()
            for r in results { acked.formUnion(r) }
            next = start + 40 * 2 * 10
            #expect(results.contains { !$0.isEmpty }, "round \(round) acknowledged nothing")
        }
        let server = try ServerProcess.start(dataDir: dataDir)
        var stored: [Int] = []
        var cursor: String?
        repeat {
            var q = [("limit", "1000"), ("q", "durability probe")]
            if let cursor { q.append(("cursor", cursor)) }
            let r = try await HTTP.get(HTTP.url(server.base, "/api/v1/audit/events", q))
            let d = r.data as? [String: Any]
            for e in d?["events"] as? [[String: Any]] ?? [] {
                if let n = (e["attributes"] as? [String: String])?["n"].flatMap(Int.init) { stored.append(n) }
            }
            cursor = d?["next_cursor"] as? String
        } while cursor != nil
        server.terminate()
        #expect(Set(stored).count == stored.count, "duplicated events")
        let lost = acked.subtracting(stored)
        #expect(lost.isEmpty, "acknowledged events lost: \(lost.count) of \(acked.count)")
        print("audit durability: \(rounds) kill -9 rounds, \(acked.count) acknowledged events, \(lost.count) lost")

        // The chain verifies with the real command.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        p.arguments = ["audit", "verify", "--data-dir", dataDir]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("OK: the hash chain is intact"))
    }
}
