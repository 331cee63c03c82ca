import Testing
import PropertyBased
@testable import StrataCodec

func encodeTimestamps(_ ts: [Int64]) -> [UInt8] {
    var out: [UInt8] = []
    TimestampColumn.encode(ts, into: &out)
    return out
}

func encodeValues(_ vs: [Double]) -> [UInt8] {
    var out: [UInt8] = []
    ValueColumn.encode(vs, into: &out)
    return out
}

func decodeTimestamps(_ bytes: [UInt8]) throws -> [Int64] {
    var ts: [Int64] = [9, 9, 9]  // stale contents must be replaced
    let r = bytes.withUnsafeBytes { raw in
        Result { () throws(CodecError) in try TimestampColumn.decode(raw, into: &ts) }
    }
    let used = try r.get()
    #expect(used == bytes.count)
    return ts
}

func decodeValues(_ bytes: [UInt8]) throws -> [Double] {
    var vs: [Double] = [9, 9, 9]
    let r = bytes.withUnsafeBytes { raw in
        Result { () throws(CodecError) in try ValueColumn.decode(raw, into: &vs) }
    }
    let used = try r.get()
    #expect(used == bytes.count)
    return vs
}

@Suite struct TimestampColumnTests {
    func kind(_ bytes: [UInt8]) -> TimestampColumn.Kind? { TimestampColumn.Kind(rawValue: bytes[0]) }

    @Test func picksConstantDeltaForRegularScrapes() throws {
        let ts = (0..<120).map { 1_700_000_000_000 + Int64($0) * 15_000 }
        let bytes = encodeTimestamps(ts)
        #expect(kind(bytes) == .constantDelta)
        #expect(bytes.count <= 12)
        #expect(try decodeTimestamps(bytes) == ts)
    }

    @Test func packsJitteredScrapesNarrowly() throws {
        var rng = TestRandom(seed: 7)
        let ts = (0..<120).map { 1_700_000_000_000 + Int64($0) * 15_000 + rng.int(-10...10) }
        let bytes = encodeTimestamps(ts)
        #expect(kind(bytes) == .packed)
        // Deltas span 15000 ± 20: 6 bits each.
        #expect(bytes.count <= 16 + (119 * 6 + 7) / 8)
        #expect(try decodeTimestamps(bytes) == ts)
    }

    @Test func fallsBackToVarintsForRareHugeGaps() throws {
        var ts: [Int64] = []
        var t: Int64 = 0
        for i in 0..<200 {
            t += i == 100 ? 1 << 50 : Int64(i % 3)
            ts.append(t)
        }
        let bytes = encodeTimestamps(ts)
        #expect(kind(bytes) == .varintDelta)
        #expect(try decodeTimestamps(bytes) == ts)
    }

    @Test func edgeCases() throws {
        for ts: [Int64] in [[], [0], [.min], [.max], [.min, .max], [.max, .min], [5, 5, 5, 5], [-3, -2, -1, 0, 1],
                            [.min, .min + 1, .max - 1, .max], [0, .max, 0, .max, 0]] {
            #expect(try decodeTimestamps(encodeTimestamps(ts)) == ts)
        }
    }

    @Test func randomRoundTrip() async {
        await propertyCheck(count: 400, input: Gen.uint64(), Gen.int(in: 0...1000)) { seed, n in
            var rng = TestRandom(seed: seed)
            var ts = TestData.timestamps(&rng, count: n)
            if rng.chance(0.2) { ts.shuffle(using: &rng) }  // unsorted input still round-trips
            let decoded = try decodeTimestamps(encodeTimestamps(ts))
            #expect(decoded == ts)
        }
    }
}

@Suite struct ValueColumnTests {
    func kind(_ bytes: [UInt8]) -> ValueColumn.Kind? { ValueColumn.Kind(rawValue: bytes[0]) }

    @Test func constant() throws {
        for v in TestData.specialValues {
            let vs = [Double](repeating: v, count: 100)
            let bytes = encodeValues(vs)
            #expect(kind(bytes) == .constant)
            #expect(bytes.count == 10)
            #expect(bitsEqual(try decodeValues(bytes), vs))
        }
    }

    @Test func decimalCounterWithTwoDecimals() throws {
        // node_cpu_seconds_total: hundredths of a second.
        var rng = TestRandom(seed: 3)
        var c = 123_456.78
        let vs = (0..<120).map { _ in
            c = ((c + Double(rng.int(1300...1450)) / 100) * 100).rounded() / 100
            return c
        }
        let bytes = encodeValues(vs)
        #expect(kind(bytes) == .decimal)
        #expect(bytes[2] == 2)  // exponent
        #expect(bytes.count <= 12 + (119 * 8 + 7) / 8)
        #expect(bitsEqual(try decodeValues(bytes), vs))
    }

    @Test func decimalFindsTheSmallestExponent() throws {
        let cases: [([Double], UInt8)] = [
            ([1, 2, 3, 5, 8], 0), ([0.5, 1.5, 2], 1), ([0.25, 1.75, 3.01], 2), ([0.001, 0.002, 1e-3 * 7], 3),
            ((1...20).map { Double($0) * 1e15 }, 0), ([0.1, 0.2, 0.30000000000000004], 17),  // last is not a short decimal: not decimal
        ]
        for (vs, e) in cases {
            let bytes = encodeValues(vs)
            if e <= 15 {
                #expect(kind(bytes) == .decimal, "\(vs)")
                #expect(bytes[2] == e, "\(vs)")
            } else {
                #expect(kind(bytes) != .decimal, "\(vs)")
            }
            #expect(bitsEqual(try decodeValues(bytes), vs))
        }
    }

    @Test func negativeZeroAndNaNAvoidTheDecimalPath() throws {
        for special in [-0.0, .nan, Double(bitPattern: 0x7ff0_0000_0000_0002), .infinity] {
            let vs: [Double] = [1, 2, special, 4, 5]
            let bytes = encodeValues(vs)
            #expect(kind(bytes) != .decimal)
            #expect(bitsEqual(try decodeValues(bytes), vs))
        }
    }

    @Test func memoryGaugeUsesThePowerOfTwoShift() throws {
        var rng = TestRandom(seed: 11)
        var m: Int64 = 8_000_000 * 1024
        let vs = (0..<120).map { _ in
            m += rng.int(-500...500) * 1024
            return Double(m)
        }
        let bytes = encodeValues(vs)
        #expect(kind(bytes) == .decimal)
        // ±500 KiB steps: 10 bits after shifting out the 2^10 factor.
        #expect(bytes.count <= 20 + (119 * 10 + 7) / 8)
        #expect(bitsEqual(try decodeValues(bytes), vs))
    }

    @Test func driftingRatesUseFrames() throws {
        // A counter whose rate doubles over the block: frames of 32 deltas
        // each need fewer bits than the block-wide range.
        var rng = TestRandom(seed: 8)
        var c: Int64 = 1_000_000
        let vs = (0..<480).map { i -> Double in
            c += 1000 + Int64(i) * 4 + rng.int(-20...20)
            return Double(c)
        }
        let bytes = encodeValues(vs)
        #expect(kind(bytes) == .decimal)
        #expect(bytes[5] & 0x80 != 0)  // kind, count (2), exponent, order/shift, width with the framed flag
        #expect(bitsEqual(try decodeValues(bytes), vs))
        // And the same through the timestamp column.
        let ts = vs.map { Int64($0) }
        let tb = encodeTimestamps(ts)
        #expect(tb[0] == TimestampColumn.Kind.packed.rawValue)
        #expect(tb[4] & 0x80 != 0)
        #expect(try decodeTimestamps(tb) == ts)
        // Every truncation of a framed column throws.
        for cut in 0..<bytes.count {
            #expect(throws: CodecError.self) { try decodeValues(Array(bytes[..<cut])) }
        }
    }

    @Test func framedRandomRoundTrip() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 128...1500)) { seed, n in
            var rng = TestRandom(seed: seed)
            var x = rng.int(-1_000_000...1_000_000)
            var rate = rng.int(-1000...1000)
            let scale = [1.0, 100, 1000][Int(rng.next() % 3)]
            let vs = (0..<n).map { _ -> Double in
                if rng.chance(0.05) { rate += rng.int(-500...500) }
                x += rate + rng.int(-30...30)
                return Double(x) / scale
            }
            let decoded = try decodeValues(encodeValues(vs))
            #expect(bitsEqual(decoded, vs))
        }
    }

    @Test func monotonicFloatsUseFloatBits() throws {
        // A histogram _sum: sums of float seconds, no short decimal form.
        var rng = TestRandom(seed: 5)
        var s = 1234.0
        let vs = (0..<120).map { _ in
            for _ in 0..<75 { s += rng.unit() * 0.2 }
            return s
        }
        let bytes = encodeValues(vs)
        #expect(kind(bytes) == .floatBits)
        #expect(bitsEqual(try decodeValues(bytes), vs))
    }

    @Test func randomBitPatternsUseXOR() throws {
        var rng = TestRandom(seed: 9)
        let vs = (0..<120).map { _ in Double(bitPattern: rng.next()) }
        let bytes = encodeValues(vs)
        #expect(kind(bytes) == .xor || kind(bytes) == .floatBits)
        #expect(bitsEqual(try decodeValues(bytes), vs))
    }

    @Test func mostlyRepeatedValuesUseXOR() throws {
        var vs = [Double](repeating: 0.123456789, count: 200)
        vs[100] = 987654.321987
        let bytes = encodeValues(vs)
        #expect(kind(bytes) == .xor)
        #expect(bitsEqual(try decodeValues(bytes), vs))
    }

    @Test func everyKindRoundTripsSpecials() throws {
        let vs = TestData.specialValues
        #expect(bitsEqual(try decodeValues(encodeValues(vs)), vs))
        #expect(bitsEqual(try decodeValues(encodeValues([])), []))
        #expect(bitsEqual(try decodeValues(encodeValues([-0.0])), [-0.0]))
    }

    @Test func randomRoundTrip() async {
        await propertyCheck(count: 400, input: Gen.uint64(), Gen.int(in: 0...1000)) { seed, n in
            var rng = TestRandom(seed: seed)
            let vs = TestData.values(&rng, count: n)
            let decoded = try decodeValues(encodeValues(vs))
            #expect(bitsEqual(decoded, vs))
        }
    }

    @Test func columnarChunkRoundTrip() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 0...500)) { seed, n in
            var rng = TestRandom(seed: seed)
            let ts = TestData.timestamps(&rng, count: n)
            let vs = TestData.values(&rng, count: n)
            var chunk: [UInt8] = [0xAA]  // appends after existing bytes
            ColumnarChunk.encode(timestamps: ts, values: vs, into: &chunk)
            var it = ChunkIterator()
            try chunk.withUnsafeBytes { raw in
                try it.reset(columnar: UnsafeRawBufferPointer(rebasing: raw[1...]))
            }
            #expect(it.timestamps == ts)
            #expect(bitsEqual(it.values, vs))
        }
    }
}
