import Foundation
import Testing
import StrataEvents
import StrataStorage
import StrataTestSupport
@testable import StrataServer

/// The audit log over HTTP, against an in-process server.
@Suite struct AuditAPITests {
    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    static func post(_ base: String, _ events: [[String: Any]]) async throws -> HTTPResult {
        let body = try JSONSerialization.data(withJSONObject: ["events": events])
        return try await HTTP.request(base + "/api/v1/audit/events", method: .POST, body: Array(body),
                                      headers: [("Content-Type", "application/json")])
    }

    static func event(_ i: Int, t: Int64) -> [String: Any] {
        let users = ["alice", "bob", "carol"]
        let types = ["authentication", "security", "data_modification", "business"]
        let sev = ["info", "warning", "error", "critical"]
        return ["timestamp": t, "type": types[i % 4], "severity": sev[(i / 4) % 4], "user": users[i % 3],
                "source": "10.0.0.\(i % 7)", "action": i % 2 == 0 ? "login" : "export",
                "description": i % 2 == 0 ? "failed login for \(users[i % 3])" : "exported report \(i)",
                "attributes": ["method": "password", "n": i]]
    }

    @Test func ingestSearchDetailAndAnswerShape() async throws {
        try await withServer { s in
            let t = Self.now - 60_000
            var r = try await Self.post(s.base, (0..<40).map { Self.event($0, t: t + Int64($0) * 100) })
            #expect(r.status == 200, "\(r.text)")
            let ids = (r.data as? [String: Any])?["ids"] as? [Int] ?? []
            #expect(ids == Array(1...40))

            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/events", [
                ("range", "last_1h"), ("type", "authentication"), ("q", "failed login"), ("limit", "3"),
            ]))
            #expect(r.status == 200, "\(r.text)")
            let data = try #require(r.data as? [String: Any])
            let events = try #require(data["events"] as? [[String: Any]])
            #expect(events.count == 3)
            #expect(data["total"] as? Int == 10)
            let facets = try #require(data["facets"] as? [String: [String: Int]])
            #expect(facets["type"]?["authentication"] == 10)
            #expect(facets["type"]?["business"] == 0)
            #expect(facets["severity"]?.values.reduce(0, +) == 10)
            let first = events[0]
            #expect(first["id"] as? Int == 37)
            #expect(first["type"] as? String == "authentication")
            #expect(first["user"] as? String == "alice")
            #expect((first["attributes"] as? [String: String])?["n"] == "36")
            for k in ["timestamp", "severity", "description", "source", "action"] { #expect(first[k] != nil, "missing \(k)") }
            // Follow the cursor.
            var seen = events.compactMap { $0["id"] as? Int }
            var cursor = data["next_cursor"] as? String
            while let c = cursor {
                let p = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/events", [("cursor", c), ("type", "authentication"), ("q", "failed login"), ("limit", "3")]))
                let d = try #require(p.data as? [String: Any])
                seen += (d["events"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
                cursor = d["next_cursor"] as? String
            }
            #expect(seen == [37, 33, 29, 25, 21, 17, 13, 9, 5, 1])

            r = try await HTTP.get(s.base + "/api/v1/audit/events/5")
            let detail = try #require(r.data as? [String: Any])
            #expect(detail["id"] as? Int == 5)
            #expect((detail["prev_hash"] as? String)?.count == 64)
            #expect((detail["hash"] as? String)?.count == 64)
            let prev = try #require(try await HTTP.get(s.base + "/api/v1/audit/events/4").data as? [String: Any])
            #expect(prev["hash"] as? String == detail["prev_hash"] as? String)
            #expect(try await HTTP.get(s.base + "/api/v1/audit/events/999").status == 404)
            #expect(try await HTTP.get(s.base + "/api/v1/audit/events/x").status == 400)

            let chain = try #require(try await HTTP.get(s.base + "/api/v1/audit/chain").data as? [String: Any])
            #expect(chain["last_id"] as? Int == 40)
        }
    }

    @Test func badRequestsAreRefusedWhole() async throws {
        try await withServer { s in
            var r = try await Self.post(s.base, [["type": "authentication"], ["type": "bogus"]])
            #expect(r.status == 400 && r.errorType == "bad_data")
            #expect(r.error?.contains("event 1") == true)
            r = try await Self.post(s.base, [["type": "security", "timestamp": Self.now - 40 * 86_400_000]])
            #expect(r.status == 400 && r.error?.contains("retention") == true)
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/events", [("range", "last_2h")]))
            #expect(r.status == 400)
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/events", [("severity", "loud")]))
            #expect(r.status == 400)
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/events", [("cursor", "***")]))
            #expect(r.status == 400)
            let total = (try await HTTP.get(s.base + "/api/v1/audit/events").data as? [String: Any])?["total"] as? Int
            #expect(total == 0)
        }
    }

    @Test func exportCSVAndJSONLines() async throws {
        try await withServer { s in
            let t = Self.now - 60_000
            var evs = (0..<25).map { Self.event($0, t: t + Int64($0)) }
            evs[3]["description"] = "quote \" and, comma\nnewline"
            _ = try await Self.post(s.base, evs)
            let csv = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/export", [("format", "csv"), ("range", "last_1h")]))
            #expect(csv.status == 200)
            #expect(csv.headers.first(name: "Content-Type")?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("id,timestamp,time,type,severity,user,source,action,description,attributes\r\n"))
            #expect(csv.text.contains("\"quote \"\" and, comma\nnewline\""))
            #expect(csv.text.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 26)
            let jl = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/export", [("format", "jsonl"), ("user", "bob")]))
            let lines = jl.text.split(separator: "\n")
            #expect(lines.count == evs.filter { $0["user"] as? String == "bob" }.count)
            let objs = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            #expect(objs.allSatisfy { $0["user"] as? String == "bob" })
            #expect(objs.map { $0["id"] as! Int } == objs.map { $0["id"] as! Int }.sorted(by: >))
            #expect(try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/export", [("format", "xml")])).status == 400)
        }
    }

    @Test func flushIsRecordedAndCountsAreExposed() async throws {
        try await withServer { s in
            let r = try await HTTP.request(s.base + "/api/v1/admin/tsdb/flush", method: .POST)
            #expect(r.status == 200)
            let found = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/events", [("type", "data_modification"), ("q", "flush")]))
            let events = (found.data as? [String: Any])?["events"] as? [[String: Any]] ?? []
            #expect(events.count == 1)
            #expect(events.first?["action"] as? String == "flush")
            #expect(events.first?["source"] as? String == "127.0.0.1")
            #expect((events.first?["attributes"] as? [String: String])?["result"] == "success")
            let metrics = try await HTTP.get(s.base + "/metrics")
            #expect(metrics.text.contains("strata_audit_events_total{type=\"data_modification\",severity=\"info\"} 1"))
            // The same counts as time series in the TSDB.
            await EventsService(stores: s.server.events, db: s.server.db, logger: quietLogger).writeCounters(now: Self.now)
            let q = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "strata_audit_events_total"), ("time", String(Double(Self.now) / 1000))]))
            let result = (q.data as? [String: Any])?["result"] as? [[String: Any]] ?? []
            #expect(result.count == 1)
            #expect((result.first?["metric"] as? [String: String])?["type"] == "data_modification")
        }
    }
}
