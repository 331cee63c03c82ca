import Testing
import PropertyBased
@testable import StrataCodec

@Suite struct XORChunkTests {
    func decode(_ bytes: [UInt8]) throws -> ([Int64], [Double]) {
        var ts: [Int64] = [], vs: [Double] = []
        _ = try bytes.withUnsafeBytes { raw in try XORChunk.decode(raw, timestamps: &ts, values: &vs) }
        return (ts, vs)
    }

    @Test func emptyChunk() throws {
        let app = XORChunkAppender()
        #expect(app.bytes == [0, 0])
        #expect(app.count == 0 && app.minTime == .max && app.maxTime == .min)
        let (ts, vs) = try decode(app.bytes)
        #expect(ts.isEmpty && vs.isEmpty)
    }

    @Test func specialValuesRoundTrip() throws {
        let vs = TestData.specialValues + TestData.specialValues.reversed()
        let ts = (0..<vs.count).map { Int64($0) * 15_000 - 7 }
        let (dt, dv) = try decode(xorChunk(ts, vs))
        #expect(dt == ts)
        #expect(bitsEqual(dv, vs))
    }

    @Test func randomRoundTrip() async {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 1...400)) { seed, n in
            var rng = TestRandom(seed: seed)
            let ts = TestData.timestamps(&rng, count: n)
            let vs = TestData.values(&rng, count: n)
            var app = XORChunkAppender()
            for i in 0..<n {
                app.append(ts[i], vs[i])
                // The bytes are a complete chunk at every moment.
                if i % 37 == 0 || i == n - 1 {
                    let (dt, dv) = try decode(app.bytes)
                    #expect(dt == Array(ts[...i]))
                    #expect(bitsEqual(dv, Array(vs[...i])))
                }
            }
            #expect(app.count == n && app.minTime == ts[0] && app.maxTime == ts[n - 1])
        }
    }

    @Test func anyInt64SequenceRoundTrips() throws {
        // Not required by the head (it only appends in order), but the
        // wrapping arithmetic makes it true, which guards against overflow.
        let ts: [Int64] = [.max, .min, 0, .max, .max, -1, .min, 1, .max / 2, .min / 3]
        let vs = ts.map { Double($0) }
        let (dt, dv) = try decode(xorChunk(ts, vs))
        #expect(dt == ts)
        #expect(bitsEqual(dv, vs))
    }

    @Test func resumeContinuesTheStream() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 0...300), Gen.int(in: 0...100)) { seed, cut, more in
            var rng = TestRandom(seed: seed)
            let n = cut + more
            guard n > 0 else { return }
            let ts = TestData.timestamps(&rng, count: n)
            let vs = TestData.values(&rng, count: n)
            var first = XORChunkAppender()
            for i in 0..<cut { first.append(ts[i], vs[i]) }
            var resumed = try XORChunkAppender(resuming: first.bytes)
            #expect(resumed.count == cut)
            #expect(resumed.bytes == first.bytes)
            for i in cut..<n { resumed.append(ts[i], vs[i]) }
            // Identical to a chunk written in one go.
            #expect(resumed.bytes == xorChunk(ts, vs))
            #expect(resumed.minTime == ts[0] && resumed.maxTime == ts[n - 1])
        }
    }

    @Test func copyBytesReusesTheBuffer() {
        var app = XORChunkAppender()
        for i in 0..<120 { app.append(Int64(i) * 15_000, Double(i) * 0.5) }
        var buf: [UInt8] = []
        buf.reserveCapacity(1024)
        let cap = buf.capacity
        for _ in 0..<3 {
            buf.removeAll(keepingCapacity: true)
            app.copyBytes(into: &buf)
            #expect(buf == app.bytes)
        }
        #expect(buf.capacity == cap)
        #expect(app.byteCount == app.bytes.count)
    }

    @Test func regularScrapesAreSmall() {
        var app = XORChunkAppender()
        for i in 0..<120 { app.append(1_700_000_000_000 + Int64(i) * 15_000, 42) }
        // 2 header + 16 first sample + 3 first delta + 119 × 2 bits.
        #expect(app.byteCount <= 2 + 16 + 3 + 30)
    }
}
