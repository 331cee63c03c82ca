import Testing
import PropertyBased
@testable import StrataCodec

@Suite struct ChunkIteratorTests {
    func columns(_ ts: [Int64], _ vs: [Double]) -> ([UInt8], [UInt8]) {
        (encodeTimestamps(ts), encodeValues(vs))
    }

    @Test func iteratesXORAndColumnsAlike() throws {
        var rng = TestRandom(seed: 1)
        let ts = TestData.timestamps(&rng, count: 300)
        let vs = TestData.values(&rng, count: 300)
        let xor = xorChunk(ts, vs)
        let (tcol, vcol) = columns(ts, vs)
        var it = ChunkIterator()
        for mode in 0..<2 {
            if mode == 0 {
                try xor.withUnsafeBytes { try it.reset(xor: $0) }
            } else {
                try tcol.withUnsafeBytes { t in try vcol.withUnsafeBytes { v in try it.reset(timestamps: t, values: v) } }
            }
            #expect(it.count == 300)
            var i = 0
            while it.next() {
                #expect(it.timestamp == ts[i])
                #expect(it.value.bitPattern == vs[i].bitPattern)
                i += 1
            }
            #expect(i == 300)
            let more = it.next()
            #expect(!more)  // stays exhausted
        }
    }

    @Test func seekFindsFirstAtOrAfterAndNeverMovesBack() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 1...300)) { seed, n in
            var rng = TestRandom(seed: seed)
            var ts: [Int64] = []
            var t: Int64 = rng.int(-1000...1000)
            for _ in 0..<n {
                t += rng.int(0...3)  // many equal timestamps
                ts.append(t)
            }
            let vs = (0..<n).map { Double($0) }
            let xor = xorChunk(ts, vs)
            var it = ChunkIterator()
            try xor.withUnsafeBytes { try it.reset(xor: $0) }
            var lastIndex = -1
            var target = ts[0] - 2
            while target <= ts[n - 1] + 2 {
                let found = it.seek(to: target)
                // Expected: first index ≥ lastIndex with ts ≥ target.
                let from = max(lastIndex, 0)
                let expected = ts[from...].firstIndex { $0 >= target }
                #expect(found == (expected != nil))
                guard found, let e = expected else { break }
                #expect(Int(it.value) == e)
                lastIndex = e
                target += rng.int(0...4)
            }
            // Seeking to an earlier time stays put.
            if lastIndex >= 0, it.seek(to: .min) { #expect(Int(it.value) == lastIndex) }
            let pastEnd = it.seek(to: .max)
            #expect(!pastEnd || ts[n - 1] == .max)
        }
    }

    @Test func seekThenNextContinuesFromThere() throws {
        let ts: [Int64] = [10, 20, 30, 40, 50]
        var it = ChunkIterator()
        try xorChunk(ts, [1, 2, 3, 4, 5]).withUnsafeBytes { try it.reset(xor: $0) }
        var ok = it.seek(to: 25)
        #expect(ok && it.timestamp == 30)
        ok = it.next()
        #expect(ok && it.timestamp == 40)
        ok = it.seek(to: 40)
        #expect(ok && it.timestamp == 40)
        ok = it.seek(to: 41)
        #expect(ok && it.timestamp == 50)
        ok = it.seek(to: 51)
        #expect(!ok)
        ok = it.next()
        #expect(!ok)
    }

    @Test func reuseDoesNotReallocate() throws {
        var rng = TestRandom(seed: 2)
        var it = ChunkIterator()
        let big = TestData.timestamps(&rng, count: 500)
        try xorChunk(big, big.map { Double($0) }).withUnsafeBytes { try it.reset(xor: $0) }
        let base = it.withDecoded { t, v in (t.baseAddress, v.baseAddress) }
        for round in 0..<50 {
            let n = Int(rng.next() % 500) + 1
            let ts = TestData.timestamps(&rng, count: n)
            let vs = TestData.values(&rng, count: n)
            if round % 2 == 0 {
                try xorChunk(ts, vs).withUnsafeBytes { try it.reset(xor: $0) }
            } else {
                let (t, v) = columns(ts, vs)
                try t.withUnsafeBytes { tb in try v.withUnsafeBytes { vb in try it.reset(timestamps: tb, values: vb) } }
            }
            #expect(it.count == n)
            let now = it.withDecoded { t, v in (t.baseAddress, v.baseAddress) }
            #expect(now.0 == base.0 && now.1 == base.1)
            it.withDecoded { t, v in
                #expect(Array(t) == ts)
                #expect(bitsEqual(Array(v), vs))
            }
        }
    }

    @Test func countMismatchBetweenColumnsThrows() throws {
        let t = encodeTimestamps([1, 2, 3])
        let v = encodeValues([1, 2])
        var it = ChunkIterator()
        #expect(throws: CodecError.countMismatch(expected: 3, actual: 2)) {
            try t.withUnsafeBytes { tb in try v.withUnsafeBytes { vb in try it.reset(timestamps: tb, values: vb) } }
        }
        let more = it.next()
        #expect(it.count == 0 && !more)
    }
}
