import Testing
@testable import StrataEvents

@Suite struct BatchParserTests {
    let now: Int64 = 1_764_374_400_000

    func audit(_ s: String) throws(EventJSONError) -> [EventDraft] {
        let bytes = Array(s.utf8)
        let r: Result<[EventDraft], EventJSONError> = bytes.withUnsafeBytes { raw in
            Result { () throws(EventJSONError) in try EventBatchParser.parseAudit(raw, .init(now: now)) }
        }
        return try r.get()
    }

    func activity(_ s: String) throws(EventJSONError) -> [EventDraft] {
        let bytes = Array(s.utf8)
        let r: Result<[EventDraft], EventJSONError> = bytes.withUnsafeBytes { raw in
            Result { () throws(EventJSONError) in try EventBatchParser.parseActivity(raw, .init(now: now)) }
        }
        return try r.get()
    }

    @Test func theIssuesExample() throws {
        let d = try audit(#"{"events":[{"timestamp":1764374400000,"type":"authentication","severity":"warning","user":"alice","source":"10.0.0.7","action":"login","description":"failed login for alice","attributes":{"method":"password"}}]}"#)
        #expect(d == [EventDraft(timestamp: 1_764_374_400_000, type: .authentication, severity: .warning, user: "alice",
                                 source: "10.0.0.7", action: "login", description: "failed login for alice",
                                 attributes: [EventAttribute("method", "password")])])
    }

    @Test func timestampsRFC3339AndReceiptTimeAndScalarAttributes() throws {
        let d = try audit(#"""
        {"events":[
          {"type":"business","timestamp":"2025-11-29T01:00:00.250+01:00","attributes":{"rows":1200,"ok":true,"ratio":0.5,"b":"x\u00e9"}},
          {"type":"security","description":null}
        ]}
        """#)
        #expect(d[0].timestamp == 1_764_374_400_250)
        #expect(d[0].attributes == [EventAttribute("b", "xé"), EventAttribute("ok", "true"), EventAttribute("ratio", "0.5"), EventAttribute("rows", "1200")])
        #expect(d[1].timestamp == now && d[1].severity == .info && d[1].description == "")
    }

    @Test func errorsSayWhereAndWhich() {
        func err(_ s: String) -> EventJSONError? {
            do { _ = try audit(s); return nil } catch { return error }
        }
        let e1 = err("{\"events\":[{\"type\":\"authentication\"},\n {\"type\":\"nope\"}]}")
        #expect(e1?.line == 2 && e1?.event == 1 && e1?.message.contains("unknown type") == true)
        #expect(err(#"{"events":[{"type":"security","usr":"a"}]}"#)?.message.contains("unknown field \"usr\"") == true)
        #expect(err(#"{"events":[{"severity":"info"}]}"#)?.message.contains("missing \"type\"") == true)
        #expect(err(#"{"events":[]}"#)?.message.contains("empty") == true)
        #expect(err(#"{"events":[{"type":"security","timestamp":"yesterday"}]}"#)?.message.contains("RFC 3339") == true)
        #expect(err(#"{"events":[{"type":"security","attributes":{"a":[1]}}]}"#) != nil)
        #expect(err(#"{"events":[{"type":"security","attributes":{"a":"1","a":"2"}}]}"#)?.message.contains("twice") == true)
        #expect(err(#"{"events":[{"type":"security"}]} x"#) != nil)
        #expect(err(#"{"events":[{"type":"security","user":"\ud800"}]}"#) != nil)
        #expect(err("") != nil)
        #expect(err(#"{"events":[{"type":"security","description":"\#(String(repeating: "x", count: 9000))"}]}"#)?.message.contains("longer") == true)
    }

    @Test func beacons() throws {
        let d = try activity(#"{"events":[{"kind":"page_view","timestamp":1764374400000,"user":"u1","session":"s1","path":"/metrics","title":"Metrics"},{"kind":"action","user":"u1","session":"s1","action_type":"export","label":"Export CSV"},{"kind":"heartbeat","user":"u1","session":"s1"}]}"#)
        #expect(d.map(\.type) == [.pageView, .action, .sessionHeartbeat])
        #expect(d[0].action == "/metrics" && d[0].description == "Metrics" && d[0].source == "s1")
        #expect(d[1].action == "export" && d[1].description == "Export CSV" && d[1].timestamp == now)
        #expect(throws: EventJSONError.self) { try activity(#"{"events":[{"kind":"page_view","user":"u1","session":"s1"}]}"#) }
        #expect(throws: EventJSONError.self) { try activity(#"{"events":[{"kind":"page_view","session":"s1","path":"/"}]}"#) }
        #expect(throws: EventJSONError.self) { try activity(#"{"events":[{"kind":"scroll","user":"u","session":"s"}]}"#) }
    }
}
