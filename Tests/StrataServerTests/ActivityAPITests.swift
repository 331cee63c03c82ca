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

    /// Over HTTP: a 35-minute gap splits a session, a heartbeat 29 minutes
    /// after the last beacon continues one; the timeline puts each user in
    /// the bucket of their beacons; sessions today are those begun since
    /// 00:00 UTC.
    @Test func sessionsTimelineAndToday() async throws {
        try await withServer { s in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let min: Int64 = 60_000
            func beacon(_ kind: String, _ t: Int64, _ user: String, _ session: String) -> String {
                let page = kind == "page_view" ? #","path":"/p","title":"P""# : ""
                return #"{"kind":""# + kind + #"","timestamp":"# + String(t) + #","user":""# + user + #"","session":""#
                    + session + "\"" + page + "}"
            }
            let beacons = [
                // s1: split by a 35-minute gap: two sessions of 60 s each.
                beacon("page_view", now - 55 * min, "u1", "s1"), beacon("heartbeat", now - 54 * min, "u1", "s1"),
                beacon("page_view", now - 19 * min, "u1", "s1"), beacon("heartbeat", now - 18 * min, "u1", "s1"),
                // s2: a heartbeat 29 minutes on continues it: one session of 30 min.
                beacon("page_view", now - 40 * min, "u2", "s2"), beacon("heartbeat", now - 11 * min, "u2", "s2"),
                beacon("heartbeat", now - 10 * min, "u2", "s2"),
            ]
            let r = try await HTTP.post(s.base + "/api/v1/activity", #"{"events":["# + beacons.joined(separator: ",") + "]}")
            #expect(r.status == 200, "\(r.text)")
            let d = try #require(try await HTTP.get(HTTP.url(s.base, "/api/v1/activity/summary", [("period", "1h")])).data as? [String: Any])
            #expect(d["sessions"] as? Int == 3)
            #expect(d["average_session_duration_seconds"] as? Double == Double(60 + 60 + 30 * 60) / 3)
            #expect((d["active_users"] as? [String: Any])?["count"] as? Int == 2)
            let dayStart = now - now % 86_400_000
            let starts = [now - 55 * min, now - 19 * min, now - 40 * min]
            #expect(d["sessions_today"] as? Int == starts.filter { $0 >= dayStart }.count)
            let tl = try #require(d["timeline"] as? [String: Any])
            let points = try #require(tl["points"] as? [[String: Any]])
            func users(at t: Int64) -> Int? {
                points.first { p in
                    guard let ts = p["timestamp"] as? Int else { return false }
                    return Int64(ts) <= t && t < Int64(ts) + 300_000
                }?["active_users"] as? Int
            }
            // Buckets are 5 minutes: u1 alone at −55 min, u2 alone at −40 min, u1 at −19, u2 at −11 and −10 min.
            #expect(users(at: now - 55 * min) == 1)
            #expect(users(at: now - 40 * min) == 1)
            #expect(users(at: now - 30 * min) == 0)
            #expect(users(at: now - 19 * min) == 1)
            #expect(users(at: now - 10 * min) == 1)
            // No two beacons of different users are less than 8 minutes apart.
            #expect(points.compactMap { $0["active_users"] as? Int }.max() == 1)
        }
    }
}
