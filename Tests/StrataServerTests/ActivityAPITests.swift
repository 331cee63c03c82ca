import Foundation
import Testing
@testable import StrataServer

@Suite struct ActivityAPITests {
    @Test func beaconsAndSummary() async throws {
        try await withServer { s in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let body = """
            {"events":[
              {"kind":"session_start","timestamp":\(now - 600_000),"user":"u1","session":"s1"},
              {"kind":"page_view","timestamp":\(now - 600_000),"user":"u1","session":"s1","path":"/metrics","title":"Metrics"},
              {"kind":"action","timestamp":\(now - 500_000),"user":"u1","session":"s1","action_type":"export","label":"Export CSV"},
              {"kind":"page_view","timestamp":\(now - 400_000),"user":"u2","session":"s2","path":"/metrics","title":"Metrics"},
              {"kind":"page_view","timestamp":\(now - 300_000),"user":"u2","session":"s2","path":"/alerts","title":"Alerts"},
              {"kind":"session_end","timestamp":\(now - 300_000),"user":"u1","session":"s1"}
            ]}
            """
            var r = try await HTTP.post(s.base + "/api/v1/activity", body)
            #expect(r.status == 200, "\(r.text)")
            #expect((r.data as? [String: Any])?["accepted"] as? Int == 6)
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/activity/summary", [("period", "1h")]))
            #expect(r.status == 200, "\(r.text)")
            let d = try #require(r.data as? [String: Any])
            #expect((d["active_users"] as? [String: Any])?["count"] as? Int == 2)
            #expect((d["active_users"] as? [String: Any])?["exact"] as? Bool == true)
            #expect(d["sessions"] as? Int == 2)
            #expect(d["average_session_duration_seconds"] as? Double == 200)
            let pages = try #require(d["top_pages"] as? [[String: Any]])
            #expect(pages.first?["path"] as? String == "/metrics" && pages.first?["visits"] as? Int == 2 && pages.first?["title"] as? String == "Metrics")
            let actions = try #require(d["top_actions"] as? [[String: Any]])
            #expect(actions.first?["type"] as? String == "export" && actions.first?["label"] as? String == "Export CSV" && actions.first?["count"] as? Int == 1)
            let tl = try #require(d["timeline"] as? [String: Any])
            #expect(tl["bucket_seconds"] as? Int == 300)
            #expect((tl["points"] as? [[String: Any]])?.count == 13)
            #expect(d["sessions_today"] != nil)
            #expect(try await HTTP.get(HTTP.url(s.base, "/api/v1/activity/summary", [("period", "2h")])).status == 400)
            #expect(try await HTTP.post(s.base + "/api/v1/activity", #"{"events":[{"kind":"page_view","user":"u"}]}"#).status == 400)
            // Beacons never reach the audit log.
            let audit = try await HTTP.get(s.base + "/api/v1/audit/events")
            #expect((audit.data as? [String: Any])?["total"] as? Int == 0)
        }
    }
}
