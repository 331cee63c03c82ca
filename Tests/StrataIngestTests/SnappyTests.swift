import Testing
import StrataCodec

@Suite struct SnappyTests {
    @Test func roundTripsAndReusesBuffers() throws {
        var rng = SeededRandom(seed: 1)
        var compressed: [UInt8] = []
        var decoded: [UInt8] = []
        for n in [0, 1, 17, 4096, 100_000] {
            // Half random, half repetitive, so both literals and copies occur.
            let input = rng.bytes(n / 2) + [UInt8](repeating: 7, count: n - n / 2)
            Snappy.compress(input, into: &compressed)
            #expect(try Snappy.decodedLength(compressed) == n)
            try Snappy.decompress(compressed, into: &decoded)
            #expect(decoded == input)
        }
    }

    @Test func decodedLengthReadsOnlyThePreamble() throws {
        // 300 = 0xAC 0x02 as a varint; the body after it is irrelevant.
        #expect(try Snappy.decodedLength([0xAC, 0x02, 0xFF]) == 300)
        #expect(try Snappy.decodedLength([0x00]) == 0)
        #expect(throws: SnappyError.invalidPreamble) { try Snappy.decodedLength([]) }
        #expect(throws: SnappyError.invalidPreamble) { try Snappy.decodedLength([0x80, 0x80]) }
        // More than 32 bits.
        #expect(throws: SnappyError.invalidPreamble) { try Snappy.decodedLength([0xFF, 0xFF, 0xFF, 0xFF, 0x1F]) }
        // More than 5 bytes.
        #expect(throws: SnappyError.invalidPreamble) { try Snappy.decodedLength([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]) }
    }

    @Test func refusesA4GiBClaimBeforeAllocating() {
        // A 100-byte body whose preamble declares 2^32 − 1 bytes.
        var body: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        body += [UInt8](repeating: 0, count: 95)
        var out: [UInt8] = []
        #expect(throws: SnappyError.decodedLengthExceedsLimit(declared: Int(UInt32.max), limit: 32 << 20)) {
            try Snappy.decompress(body, into: &out)
        }
        // Nothing was allocated for the claim.
        #expect(out.capacity < 1 << 20)
    }

    @Test func capIsConfigurable() throws {
        let input = [UInt8](repeating: 1, count: 10_000)
        var compressed: [UInt8] = []
        Snappy.compress(input, into: &compressed)
        var out: [UInt8] = []
        #expect(throws: SnappyError.decodedLengthExceedsLimit(declared: 10_000, limit: 9_999)) {
            try Snappy.decompress(compressed, maxDecodedLength: 9_999, into: &out)
        }
        try Snappy.decompress(compressed, maxDecodedLength: 10_000, into: &out)
        #expect(out == input)
    }

    @Test func refusesClaimsTheBodyCannotProduce() {
        // 1 MiB declared, 10 bytes of body: under the cap but impossible.
        var body: [UInt8] = []
        body.appendUVarint(1 << 20)
        body += [UInt8](repeating: 0, count: 10)
        var out: [UInt8] = []
        #expect(throws: SnappyError.decodedLengthImpossible(declared: 1 << 20, compressedLength: body.count)) {
            try Snappy.decompress(body, into: &out)
        }
    }

    @Test func corruptBodiesAreErrors() {
        var out: [UInt8] = []
        var compressed: [UInt8] = []
        Snappy.compress(Array("hello hello hello hello snappy".utf8), into: &compressed)
        // Truncated body.
        #expect(throws: SnappyError.corrupt) { try Snappy.decompress(Array(compressed.dropLast(3)), into: &out) }
        // A copy element pointing before the start of the output.
        #expect(throws: SnappyError.corrupt) { try Snappy.decompress([0x08, 0x01, 0xFF, 0x00], into: &out) }
        // Garbage after an empty block.
        #expect(throws: SnappyError.corrupt) { try Snappy.decompress([0x00, 0x00], into: &out) }
    }

    @Test func randomBytesNeverTrap() {
        var rng = SeededRandom(seed: 42)
        var out: [UInt8] = []
        for i in 0..<2000 {
            var body = rng.bytes(Int.random(in: 0...64, using: &rng))
            if i % 2 == 0, !body.isEmpty { body[0] = UInt8.random(in: 0...0x7f, using: &rng) }  // plausible preamble
            do {
                try Snappy.decompress(body, into: &out)
                #expect(out.count == (try? Snappy.decodedLength(body)))
            } catch {
                // Any typed error is fine; trapping is not.
            }
        }
    }
}
