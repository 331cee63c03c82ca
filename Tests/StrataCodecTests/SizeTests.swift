import Testing
@testable import StrataCodec

/// Size relations on scraped-looking data (a compact stand-in for
/// StrataTestSupport.NodeWorkload, which this test target cannot import):
/// asserts orderings between encodings, not absolute figures, which live
/// in docs/benchmarks.md.
@Suite struct SizeTests {
    /// 480 scrapes (2 h at 15 s, ±10 ms jitter) of one host's series.
    static func host(seed: UInt64) -> (ts: [Int64], series: [[Double]]) {
        var rng = TestRandom(seed: seed)
        let n = 480
        let t0: Int64 = 1_700_000_000_000
        let ts = (0..<n).map { i -> Int64 in t0 + Int64(i) * 15_000 + rng.int(-10...10) }
        var series: [[Double]] = []
        // CPU seconds: counters in hundredths.
        for _ in 0..<8 {
            var c = Int64(rng.int(100_000...90_000_000))
            let rate = rng.int(0...1400)
            series.append((0..<n).map { _ in c += max(0, rate + rng.int(-40...40)); return Double(c) / 100 })
        }
        // Byte counters.
        for _ in 0..<4 {
            var c = rng.int(0...1 << 40)
            series.append((0..<n).map { _ in c += rng.int(0...2_000_000); return Double(c) })
        }
        // Memory gauges in KiB.
        for _ in 0..<4 {
            var m = rng.int(1_000_000...8_000_000)
            series.append((0..<n).map { _ in m += rng.int(-3000...3000); return Double(m * 1024) })
        }
        // Load average, two decimals.
        var l = 1.0
        series.append((0..<n).map { _ in l = max(0, l + Double(rng.int(-20...20)) / 100); return (l * 100).rounded() / 100 })
        // Histogram buckets: cumulative integer counts.
        var counts = [Int64](repeating: 1000, count: 6)
        var cols = [[Double]](repeating: [], count: 6)
        for _ in 0..<n {
            let obs = rng.int(0...80)
            for _ in 0..<obs {
                let b = Int(rng.next() % 6)
                for k in b..<6 { counts[k] += 1 }
            }
            for k in 0..<6 { cols[k].append(Double(counts[k])) }
        }
        series += cols
        // A constant.
        series.append([Double](repeating: 16_777_216, count: n))
        return (ts, series)
    }

    @Test func columnsBeatXORAndSharedTimestampsBeatOwn() {
        var xor = 0, ownTs = 0, shared = 0, samples = 0
        for seed: UInt64 in 1...3 {
            let (ts, series) = Self.host(seed: seed)
            var tcol: [UInt8] = []
            TimestampColumn.encode(ts, into: &tcol)
            shared += tcol.count
            for vs in series {
                samples += vs.count
                var lo = 0
                while lo < vs.count {
                    let hi = min(lo + 120, vs.count)
                    xor += xorChunk(Array(ts[lo..<hi]), Array(vs[lo..<hi])).count
                    lo = hi
                }
                var chunk: [UInt8] = []
                ColumnarChunk.encode(timestamps: ts, values: vs, into: &chunk)
                ownTs += chunk.count
                let v = encodeValues(vs)
                #expect(ValueColumn.Kind(rawValue: v[0]) != .xor, "scraped-looking data should not need the XOR fallback")
                shared += v.count
            }
        }
        #expect(ownTs < xor)
        #expect(shared < ownTs)
        // Jittered 15 s timestamps shared by 24 series cost almost nothing;
        // the whole host stays well under the XOR chunks' size.
        #expect(Double(shared) < 0.5 * Double(xor))
        #expect(Double(shared) / Double(samples) < 1.5)
    }

    @Test func regularTimestampColumnIsConstantSize() {
        for n in [2, 120, 480, 10_000] {
            let ts = (0..<n).map { 1_700_000_000_000 + Int64($0) * 15_000 }
            #expect(encodeTimestamps(ts).count <= 12)
        }
    }
}
