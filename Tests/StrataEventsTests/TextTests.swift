import Testing
@testable import StrataEvents

@Suite struct TextTests {
    @Test func tokenizerSplitsLowercasesAndKeepsUnicodeWords() {
        #expect(Tokenizer.tokens("Failed login for Alice@Example.com from 10.0.0.7") ==
                ["failed", "login", "for", "alice", "example", "com", "from", "10", "0", "0", "7"])
        #expect(Tokenizer.tokens("Größe geändert: 東京 ok_go") == ["größe", "geändert", "東京", "ok_go"])
        #expect(Tokenizer.tokens("  --  ") == [])
    }

    @Test func longTokensAreCutAtACharacterBoundary() {
        let long = String(repeating: "a", count: 63) + "é" + "bbb"
        let t = Tokenizer.tokens(long)
        #expect(t.count == 1)
        #expect(t[0] == String(repeating: "a", count: 63))
        #expect(Tokenizer.tokens(String(repeating: "x", count: 100)) == [String(repeating: "x", count: 64)])
    }

    @Test func queryParsing() {
        let q = TextQuery.parse(#"Login "failed login" adm* 10.0.0.7 "permission den*" * "#)
        #expect(q.terms == ["login"])
        #expect(q.prefixes == ["adm"])
        #expect(q.phrases == [
            TextQuery.Phrase(tokens: ["failed", "login"]),
            TextQuery.Phrase(tokens: ["10", "0", "0", "7"]),
            TextQuery.Phrase(tokens: ["permission", "den"], lastIsPrefix: true),
        ])
        #expect(TextQuery.parse(#""unclosed phrase"#).phrases == [TextQuery.Phrase(tokens: ["unclosed", "phrase"])])
        #expect(TextQuery.parse("").isEmpty)
    }

    @Test func rfc3339() {
        #expect(RFC3339.parse("2025-11-29T00:00:00Z") == 1_764_374_400_000)
        #expect(RFC3339.parse("2025-11-29T01:00:00.5+01:00") == 1_764_374_400_500)
        #expect(RFC3339.parse("2025-02-30T00:00:00Z") == nil)
        #expect(RFC3339.parse("2025-11-29") == nil)
        // Lenient (event input): a space for the T, a leap second as :59.
        #expect(RFC3339.parse("2025-11-29 00:00:00Z") == 1_764_374_400_000)
        #expect(RFC3339.parse("2025-11-28T23:59:60Z") == 1_764_374_399_000)
        // Strict (the HTTP API, as Go's time.Parse(time.RFC3339Nano)): neither.
        #expect(RFC3339.parse("2025-11-29 00:00:00Z", lenient: false) == nil)
        #expect(RFC3339.parse("2025-11-28T23:59:60Z", lenient: false) == nil)
        #expect(RFC3339.parse("2025-11-29t00:00:00z", lenient: false) == 1_764_374_400_000)
        #expect(RFC3339.parse("2025-11-29T00:00:00+24:00", lenient: false) == nil)
        #expect(RFC3339.format(1_764_374_400_123) == "2025-11-29T00:00:00.123Z")
        #expect(RFC3339.format(-1) == "1969-12-31T23:59:59.999Z")
        for t: Int64 in [0, 1_764_374_400_000, 951_782_400_000, -86_400_001] {
            #expect(RFC3339.parse(RFC3339.format(t)) == t)
        }
    }

    @Test func cursorRoundTripAndRejectsGarbage() {
        let tok = EventCursor.Token(position: .init(timestamp: 1_764_374_400_000, id: 42), start: -5, end: 1_764_374_400_000)
        #expect(EventCursor.decode(EventCursor.encode(tok)) == tok)
        #expect(EventCursor.decode("!!") == nil)
        #expect(EventCursor.decode("") == nil)
    }

    @Test func bodyRoundTrip() throws {
        var d = EventDraft(timestamp: -7, type: .security, severity: .critical, user: "ü", source: "::1", action: "x",
                           description: String(repeating: "d", count: 300))
        d.attributes = [EventAttribute("a", ""), EventAttribute("b", "2")]
        var buf: [UInt8] = []
        EventBody.encode(d, into: &buf)
        #expect(try EventBody.decode(buf) == d)
        for cut in [0, 5, 9, 12, buf.count - 1] {
            #expect(throws: EventDecodeError.self) { _ = try EventBody.decode(Array(buf[..<cut])) }
        }
    }
}
