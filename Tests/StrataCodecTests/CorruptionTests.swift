import Testing
import PropertyBased
@testable import StrataCodec

/// Corrupt input must end in a `CodecError` or in some decoded samples,
/// never in a trap, an endless loop or an unbounded allocation.
@Suite struct CorruptionTests {
    enum Target: CaseIterable { case xor, timestamps, values, columnar }

    /// Runs every decoder on `bytes`; returns which of them threw.
    @discardableResult
    func decodeAll(_ bytes: [UInt8]) -> [Target: Bool] {
        var it = ChunkIterator()
        var ts: [Int64] = []
        var vs: [Double] = []
        var threw: [Target: Bool] = [:]
        bytes.withUnsafeBytes { raw in
            threw[.xor] = (try? it.reset(xor: raw)) == nil
            threw[.timestamps] = (try? TimestampColumn.decode(raw, into: &ts)) == nil
            threw[.values] = (try? ValueColumn.decode(raw, into: &vs)) == nil
            threw[.columnar] = (try? it.reset(columnar: raw)) == nil
        }
        _ = try? XORChunkAppender(resuming: bytes)
        return threw
    }

    @Test func randomBytesNeverCrash() async {
        await propertyCheck(count: 2000, input: Gen.uint64(), Gen.int(in: 0...64)) { seed, n in
            var rng = TestRandom(seed: seed)
            var bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            // Make the kind byte valid half the time so the decoders get past it.
            if n > 0, rng.chance(0.5) { bytes[0] = UInt8(rng.next() % 5) }
            decodeAll(bytes)
        }
    }

    @Test func everyTruncationThrows() async {
        await propertyCheck(count: 150, input: Gen.uint64(), Gen.int(in: 1...200)) { seed, n in
            var rng = TestRandom(seed: seed)
            let ts = TestData.timestamps(&rng, count: n)
            let vs = TestData.values(&rng, count: n)
            let xor = xorChunk(ts, vs)
            let tcol = encodeTimestamps(ts)
            let vcol = encodeValues(vs)
            var it = ChunkIterator()
            var tsOut: [Int64] = [], vsOut: [Double] = []
            for cut in 0..<xor.count {
                let r = Array(xor[..<cut]).withUnsafeBytes { raw in Result { try it.reset(xor: raw) } }
                #expect(throws: CodecError.self) { try r.get() }
            }
            for cut in 0..<tcol.count {
                let r = Array(tcol[..<cut]).withUnsafeBytes { raw in Result { try TimestampColumn.decode(raw, into: &tsOut) } }
                #expect(throws: CodecError.self) { try r.get() }
            }
            for cut in 0..<vcol.count {
                let r = Array(vcol[..<cut]).withUnsafeBytes { raw in Result { try ValueColumn.decode(raw, into: &vsOut) } }
                #expect(throws: CodecError.self) { try r.get() }
            }
        }
    }

    @Test func bitFlipsNeverCrash() async {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 1...150)) { seed, n in
            var rng = TestRandom(seed: seed)
            let ts = TestData.timestamps(&rng, count: n)
            let vs = TestData.values(&rng, count: n)
            for var bytes in [xorChunk(ts, vs), encodeTimestamps(ts), encodeValues(vs)] {
                for _ in 0..<8 {
                    let i = Int(rng.next() % UInt64(bytes.count))
                    bytes[i] ^= UInt8(1) << (rng.next() % 8)
                    decodeAll(bytes)
                }
            }
        }
    }

    @Test func hugeDeclaredCountsAreRejectedUpFront() {
        // Kind "constant delta", count 2^40: must not try to allocate it.
        var col: [UInt8] = [TimestampColumn.Kind.constantDelta.rawValue]
        col.appendUVarint(1 << 40)
        col.appendVarint(0)
        col.appendVarint(1)
        var ts: [Int64] = []
        #expect(throws: CodecError.self) { try col.withUnsafeBytes { try TimestampColumn.decode($0, into: &ts) } }
        // XOR chunk declaring 65535 samples in 3 bytes.
        var it = ChunkIterator()
        #expect(throws: CodecError.self) { try ([0xff, 0xff, 0x00] as [UInt8]).withUnsafeBytes { try it.reset(xor: $0) } }
    }

    @Test func errorsCarryWhereAndWhat() {
        var vs: [Double] = []
        #expect(throws: CodecError.unknownEncoding(offset: 0, kind: 99)) {
            try ([99, 1] as [UInt8]).withUnsafeBytes { try ValueColumn.decode($0, into: &vs) }
        }
        #expect(throws: CodecError.truncated(offset: 2, what: "constant column value")) {
            try ([1, 1, 0, 0] as [UInt8]).withUnsafeBytes { try ValueColumn.decode($0, into: &vs) }
        }
        let e = CodecError.truncated(offset: 7, what: "x")
        #expect(e.description.contains("byte 7"))
    }
}
