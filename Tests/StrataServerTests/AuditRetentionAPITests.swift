import Foundation
import StrataTestSupport
import Testing
@testable import StrataServer

/// Retention of the audit log end to end: the server's maintenance (cut,
/// compaction, retention) run at a clock 40 days ahead deletes the old
/// events, records what it deleted, and the chain still verifies over HTTP.
@Suite struct AuditRetentionAPITests {
    @Test func oldEventsGoWithARecordAndTheChainStillVerifies() async throws {
        try await withServer { s in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let events: [[String: Any]] = (0..<20).map {
                ["timestamp": now - 60_000 + Int64($0), "type": "business", "user": "bob", "description": "invoice \($0) exported"]
            }
            let body = try JSONSerialization.data(withJSONObject: ["events": events])
            #expect(try await HTTP.request(s.base + "/api/v1/audit/events", method: .POST, body: Array(body)).status == 200)
            #expect(try await HTTP.get(s.base + "/api/v1/audit/events/1").status == 200)

            let later = now + 40 * 86_400_000
            await EventsService(stores: s.server.events, db: s.server.db, logger: quietLogger).maintain(now: later)

            #expect(try await HTTP.get(s.base + "/api/v1/audit/events/1").status == 404)
            #expect(try await HTTP.get(s.base + "/api/v1/audit/events/20").status == 404)
            let found = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/events", [("q", "invoice")]))
            #expect((found.data as? [String: Any])?["total"] as? Int == 0)

            let all = try await HTTP.get(s.base + "/api/v1/audit/events")
            let left = (all.data as? [String: Any])?["events"] as? [[String: Any]] ?? []
            #expect(left.count == 1)
            let record = try #require(left.first)
            #expect(record["action"] as? String == "retention" && record["user"] as? String == "strata")
            #expect(record["type"] as? String == "security")
            #expect((record["attributes"] as? [String: String])?["dropped_ids"] == "1-20")

            let v = try #require(try await HTTP.get(s.base + "/api/v1/audit/verify").data as? [String: Any])
            #expect(v["ok"] as? Bool == true, "\(v)")
            #expect(v["retention_records"] as? Int == 1)
            #expect(v["first_id"] as? Int == 21)
        }
    }
}
