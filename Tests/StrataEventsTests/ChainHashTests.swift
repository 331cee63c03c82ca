import Testing
@testable import StrataEvents

/// Pins the chain's byte format (docs/format/events.md, "Hash chain") so that
/// a change of SHA-256 implementation cannot silently change stored hashes.
@Suite struct ChainHashTests {
    /// Values computed independently with Python's hashlib:
    /// sha256(bytes(32) + pack('<Q', 1) + b"strata audit event"), then
    /// sha256(h1 + pack('<Q', 2)) for an empty body.
    @Test func chainValuesMatchAnIndependentSHA256() {
        let h1 = EventChain.next(prev: EventChain.genesis, id: 1, body: Array("strata audit event".utf8))
        #expect(h1.hex == "273cc9861354da3b5a3a2243fa26bdc8c814c60c7a88b3ee5f18ff8ff7af140c")
        let h2 = EventChain.next(prev: h1, id: 2, body: [])
        #expect(h2.hex == "ef00ee344c0f71f5f2b06d6f6347992719dc0afeee9b9b2f27a030081a761371")
    }

    @Test func everyInputByteMatters() {
        let body = Array("failed login for alice".utf8)
        let h = EventChain.next(prev: .zero, id: 7, body: body)
        #expect(EventChain.next(prev: .zero, id: 8, body: body) != h)
        var other = body
        other[0] ^= 1
        #expect(EventChain.next(prev: .zero, id: 7, body: other) != h)
        #expect(EventChain.next(prev: ChainHash(a: 0, b: 0, c: 0, d: 1), id: 7, body: body) != h)
    }

    @Test func hexAndBytesRoundTrip() {
        let d = EventChain.next(prev: .zero, id: 1, body: Array("strata".utf8))
        #expect(ChainHash(hex: d.hex) == d)
        #expect(ChainHash(hex: d.hex.uppercased()) == d)
        #expect(ChainHash(bytes: d.bytes) == d)
        #expect(d.bytes.withUnsafeBytes { ChainHash(reading: $0, at: 0) } == d)
        #expect(ChainHash(hex: "zz") == nil)
        #expect(ChainHash(hex: String(repeating: "g", count: 64)) == nil)
        #expect(ChainHash(bytes: [UInt8](repeating: 0, count: 31)) == nil)
    }
}
