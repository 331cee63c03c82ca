import Testing
@testable import StrataCodec

@Suite struct CompressionTests {
    let input: [UInt8] = {
        var rng = TestRandom(seed: 4)
        return (0..<10_000).map { i in i % 7 == 0 ? UInt8(truncatingIfNeeded: rng.next()) : UInt8(i % 13) }
    }()

    @Test(arguments: [0, 9]) func lz4RoundTrip(level: Int) throws {
        var packed: [UInt8] = [1, 2, 3]  // appends after existing bytes
        try LZ4.compress(input, into: &packed, level: level)
        #expect(packed.count < input.count)
        var out: [UInt8] = []
        try LZ4.decompress(Array(packed[3...]), expectedSize: input.count, into: &out)
        #expect(out == input)
        var empty: [UInt8] = []
        try LZ4.compress([], into: &empty)
        var back: [UInt8] = []
        try LZ4.decompress(empty, expectedSize: 0, into: &back)
        #expect(back.isEmpty)
    }

    @Test func lz4RejectsWrongSizeAndGarbage() throws {
        var packed: [UInt8] = []
        try LZ4.compress(input, into: &packed)
        var out: [UInt8] = [7]
        #expect(throws: CodecError.self) { try LZ4.decompress(packed, expectedSize: input.count - 1, into: &out) }
        #expect(throws: CodecError.self) { try LZ4.decompress(packed, expectedSize: input.count + 1, into: &out) }
        #expect(throws: CodecError.self) { try LZ4.decompress(Array(packed.prefix(packed.count / 2)), expectedSize: input.count, into: &out) }
        #expect(throws: CodecError.self) { try LZ4.decompress(packed, expectedSize: -1, into: &out) }
        #expect(out == [7])  // untouched on failure
        var rng = TestRandom(seed: 5)
        for _ in 0..<200 {
            let junk = (0..<Int(rng.next() % 100 + 1)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? LZ4.decompress(junk, expectedSize: Int(rng.next() % 5000), into: &out)
        }
    }

    @Test func zstdRoundTripAndRejects() throws {
        var packed: [UInt8] = []
        try Zstd.compress(input, into: &packed, level: 19)
        #expect(packed.count < input.count)
        var out: [UInt8] = []
        try Zstd.decompress(packed, expectedSize: input.count, into: &out)
        #expect(out == input)
        var bad: [UInt8] = []
        #expect(throws: CodecError.self) { try Zstd.decompress(packed, expectedSize: input.count - 1, into: &bad) }
        #expect(throws: CodecError.self) { try Zstd.decompress(Array(packed.dropLast(3)), expectedSize: input.count, into: &bad) }
        #expect(bad.isEmpty)
        var rng = TestRandom(seed: 6)
        for _ in 0..<200 {
            let junk = (0..<Int(rng.next() % 100 + 1)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? Zstd.decompress(junk, expectedSize: Int(rng.next() % 5000), into: &bad)
        }
    }
}
