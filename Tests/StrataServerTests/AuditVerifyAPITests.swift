import Foundation
import StrataCodec
import StrataStorage
import StrataTestSupport
import Testing
@testable import StrataServer

/// `GET /api/v1/audit/verify` on a running server, and the audit records of
/// target changes (issue #10: "changes to rules, targets and settings").
@Suite struct AuditVerifyAPITests {
    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func post(_ base: String, _ n: Int) async throws {
        let t = now - 60_000
        let events: [[String: Any]] = (0..<n).map {
            ["timestamp": t + Int64($0), "type": "authentication", "severity": "warning", "user": "alice",
             "source": "10.0.0.7", "action": "login", "description": "failed login for alice \($0)"]
        }
        let body = try JSONSerialization.data(withJSONObject: ["events": events])
        let r = try await HTTP.request(base + "/api/v1/audit/events", method: .POST, body: Array(body))
        #expect(r.status == 200, "\(r.text)")
    }

    static func search(_ base: String, _ query: [(String, String)]) async throws -> [[String: Any]] {
        let r = try await HTTP.get(HTTP.url(base, "/api/v1/audit/events", query))
        #expect(r.status == 200, "\(r.text)")
        return ((r.data as? [String: Any])?["events"] as? [[String: Any]]) ?? []
    }

    @Test func verifyIntactThenPublishedHeadThenTamperedWAL() async throws {
        try await withServer { s in
            try await Self.post(s.base, 30)
            // Some events in a block, some in the WAL.
            _ = try s.server.events.audit.flush()
            try await Self.post(s.base, 10)

            var r = try await HTTP.get(s.base + "/api/v1/audit/verify")
            #expect(r.status == 200, "\(r.text)")
            var d = try #require(r.data as? [String: Any])
            #expect(d["ok"] as? Bool == true, "\(d)")
            #expect(d["events"] as? Int == 40)
            #expect(d["blocks"] as? Int == 1)
            #expect(d["first_id"] as? Int == 1 && d["last_id"] as? Int == 40)
            #expect((d["problems"] as? [String])?.isEmpty == true)

            // The verification itself is audited.
            let recorded = try await Self.search(s.base, [("type", "security"), ("q", "audit_verify")])
            #expect(recorded.count == 1)
            #expect((recorded.first?["attributes"] as? [String: String])?["result"] == "success")
            #expect(recorded.first?["source"] as? String == "127.0.0.1")

            // A published head still on the chain passes; a different hash fails.
            let chain = try #require(try await HTTP.get(s.base + "/api/v1/audit/chain").data as? [String: Any])
            let last = try #require(chain["last_id"] as? Int)
            let head = try #require(chain["head_hash"] as? String)
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/verify", [("expect_head", "\(last):\(head)")]))
            #expect((r.data as? [String: Any])?["ok"] as? Bool == true, "\(r.text)")
            let wrong = String(head.prefix(63)) + (head.hasSuffix("0") ? "1" : "0")
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/verify", [("expect_head", "\(last):\(wrong)")]))
            d = try #require(r.data as? [String: Any])
            #expect(d["ok"] as? Bool == false)
            #expect((d["problems"] as? [String])?.count == 1)
            #expect(try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/verify", [("expect_head", "x")])).status == 400)

            // Alter one letter of a description in the WAL, in place, fixing the record's CRC:
            // what an attacker with file access but without the chain can do.
            let walDir = s.server.events.audit.walDirectory
            let seg = try #require(try FileManager.default.contentsOfDirectory(atPath: walDir).filter { $0.count == 8 }.sorted().last)
            let path = walDir + "/" + seg
            var bytes = try FileIO.readFile(path)
            // Walk the fragments (kind u8, length u32 LE, CRC32C u32 LE, payload; docs/format/wal.md)
            // to the last whose payload has the text: the batch of the 10 events still only in the WAL.
            let needle = Array("failed login for alice".utf8)
            var offset = WALSegment.headerSize
            var target: (start: Int, payload: Range<Int>, hit: Int)?
            while offset + 9 <= bytes.count {
                let len = Int(UInt32(bytes[offset + 1]) | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]) << 16
                              | UInt32(bytes[offset + 4]) << 24)
                let payload = (offset + 9)..<(offset + 9 + len)
                guard bytes[offset] != 0, len > 0, payload.upperBound <= bytes.count else { break }
                if let hit = payload.dropLast(needle.count).first(where: { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }) {
                    target = (offset, payload, hit)
                }
                offset = payload.upperBound
            }
            let patched = target != nil
            if let (start, payload, hit) = target {
                bytes[hit] = UInt8(ascii: "F")
                let crc = bytes.withUnsafeBytes { raw in
                    CRC32C.update(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[start..<(start + 5)])),
                                  UnsafeRawBufferPointer(rebasing: raw[payload]))
                }
                bytes.setUInt32LE(crc, at: start + 5)
                // In place, so the server's open segment stays the same file.
                let h = try #require(FileHandle(forUpdatingAtPath: path))
                try h.seek(toOffset: UInt64(start))
                try h.write(contentsOf: Data(bytes[start..<payload.upperBound]))
                try h.close()
            }
            #expect(patched, "no WAL record with the description found")

            r = try await HTTP.get(s.base + "/api/v1/audit/verify")
            d = try #require(r.data as? [String: Any])
            #expect(d["ok"] as? Bool == false, "\(d)")
            #expect((d["problems"] as? [String])?.isEmpty == false)
            // Both failed verifications (the wrong published head, the altered WAL) raised critical events.
            let alarms = try await Self.search(s.base, [("q", "audit_verify"), ("severity", "critical")])
            #expect(alarms.count == 2)
            #expect(alarms.allSatisfy { ($0["attributes"] as? [String: String])?["result"] == "failure" })
        }
    }

    @Test func targetChangesAreAuditedWithTheirResult() async throws {
        try await withServer { s in
            let url = s.base + "/api/v1/targets"
            // Port 1 on loopback: nothing listens, the target is simply down.
            var r = try await HTTP.request(url, method: .POST, body: Array(#"{"id":"web","url":"http://127.0.0.1:1","interval":"60s"}"#.utf8))
            #expect(r.status == 201, "\(r.text)")
            r = try await HTTP.request(url + "/web", method: .PUT, body: Array(#"{"url":"http://127.0.0.1:1/x","interval":"60s"}"#.utf8))
            #expect(r.status == 200, "\(r.text)")
            r = try await HTTP.request(url, method: .POST, body: Array(#"{"id":"web","url":"http://127.0.0.1:1"}"#.utf8))
            #expect(r.status == 409)
            r = try await HTTP.request(url + "/web", method: .DELETE)
            #expect(r.status == 200)
            r = try await HTTP.request(url + "/nope", method: .DELETE)
            #expect(r.status == 404)

            let events = try await Self.search(s.base, [("type", "security"), ("q", "target*")])
            let seen = events.reversed().map { e -> String in
                let result = (e["attributes"] as? [String: String])?["result"] ?? "?"
                return "\(e["action"] as? String ?? "?"):\(result)"
            }
            #expect(seen == ["target_create:success", "target_update:success", "target_create:failure",
                             "target_delete:success", "target_delete:failure"])
            #expect(events.allSatisfy { $0["source"] as? String == "127.0.0.1" })
            let refused = events.filter { ($0["attributes"] as? [String: String])?["result"] == "failure" }
            #expect(refused.allSatisfy { $0["severity"] as? String == "warning" && ($0["attributes"] as? [String: String])?["error"] != nil })
            #expect(events.first { $0["action"] as? String == "target_update" }.flatMap { ($0["attributes"] as? [String: String])?["target"] } == "web")
        }
    }
}
