#if canImport(Glibc)
import Glibc
#endif
import Testing
import PropertyBased
import StrataTestSupport
@testable import StrataCodec

/// Values of many shapes: uniform, log-uniform over decades, normal around
/// a level, mixed signs, zeros, and repeated values.
func sketchData(seed: UInt64, count n: Int) -> [Double] {
    var rng = WorkloadRandom(seed: seed)
    let shape = rng.next() % 6
    var out: [Double] = []
    out.reserveCapacity(n)
    for _ in 0..<n {
        let v: Double
        switch shape {
        case 0: v = rng.unit() * 1000
        case 1: v = pow(10, rng.unit() * 12 - 6)
        case 2: v = 0.25 + rng.normal() * 0.05
        case 3: v = (rng.unit() - 0.5) * 200
        case 4: v = rng.next() % 4 == 0 ? 0 : -pow(10, rng.unit() * 4)
        default: v = Double(rng.int(0...20)) * 0.5
        }
        out.append(v)
    }
    return out
}

func sketch(_ xs: [Double]) -> QuantileSketch {
    var s = QuantileSketch()
    for x in xs { s.add(x) }
    return s
}

/// Prometheus' `quantile_over_time` on exact values.
func exactQuantile(_ sorted: [Double], _ q: Double) -> Double {
    let rank = q * Double(sorted.count - 1)
    let lo = Int(rank.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
    let w = rank - Double(lo)
    return sorted[lo] + (sorted[hi] - sorted[lo]) * w
}

/// α plus a hair for the rounding of log() at bucket edges.
let sketchTolerance = QuantileSketch.relativeAccuracy + 1e-9

@Suite struct QuantileSketchTests {
    @Test func gammaMatchesTheAccuracy() {
        #expect(abs(QuantileSketch.gamma - 1.01 / 0.99) < 1e-15)
        // Every representative is within α of both ends of its bucket.
        for k: Int32 in [-500, -1, 0, 1, 7, 300] {
            let v = QuantileSketch.value(ofKey: k)
            let top = pow(QuantileSketch.gamma, Double(k)), bottom = top / QuantileSketch.gamma
            #expect(abs(v - top) / top <= sketchTolerance)
            #expect(abs(v - bottom) / bottom <= sketchTolerance)
        }
    }

    @Test func emptySketch() {
        let s = QuantileSketch()
        #expect(s.isEmpty)
        #expect(s.quantile(0.5) == nil)
        #expect(s.value(atRank: 0) == nil)
        #expect(s.encoded == [0])
    }

    @Test func zerosNegativesAndSpecialValues() {
        var s = QuantileSketch()
        for x in [0.0, -0.0, 5e-324, -3, 2, .nan, 1] { s.add(x) }
        // NaN ignored; 0, -0 and the subnormal are zeros.
        #expect(s.count == 6)
        #expect(abs(s.value(atRank: 0)! + 3) <= 3 * sketchTolerance)
        #expect(s.value(atRank: 1) == 0)
        #expect(s.value(atRank: 3) == 0)
        #expect(abs(s.value(atRank: 5)! - 2) <= 2 * sketchTolerance)
        #expect(s.quantile(-1) == -.infinity)
        #expect(s.quantile(2) == .infinity)
        #expect(s.quantile(.nan)!.isNaN)
        var inf = QuantileSketch()
        inf.add(.infinity)
        inf.add(-.infinity)
        #expect(inf.count == 2)
        #expect(inf.maximum! > 1e307)
        #expect(inf.minimum! < -1e307)
    }

    @Test func rankValuesAreWithinAlphaOfExact() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 1...3000)) { seed, n in
            let xs = sketchData(seed: seed, count: n)
            let s = sketch(xs)
            let sorted = xs.sorted()
            #expect(s.count == UInt64(n))
            for r in stride(from: 0, to: n, by: max(1, n / 50)) {
                let est = s.value(atRank: UInt64(r))!
                #expect(abs(est - sorted[r]) <= abs(sorted[r]) * sketchTolerance, "rank \(r) of \(n): \(est) vs \(sorted[r])")
            }
        }
    }

    @Test func quantilesAreWithinOnePercent() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 1...3000)) { seed, n in
            let xs = sketchData(seed: seed, count: n)
            let s = sketch(xs)
            let sorted = xs.sorted()
            for q in [0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0] {
                let rank = q * Double(n - 1)
                let a = sorted[Int(rank.rounded(.down))], b = sorted[min(Int(rank.rounded(.down)) + 1, n - 1)]
                let exact = exactQuantile(sorted, q)
                let est = s.quantile(q)!
                if (a >= 0) == (b >= 0) {
                    #expect(abs(est - exact) <= abs(exact) * sketchTolerance, "q \(q): \(est) vs \(exact)")
                } else {
                    // Neighbours of opposite sign: the bound is on each neighbour.
                    #expect(abs(est - exact) <= (abs(a) + abs(b)) * sketchTolerance)
                }
            }
        }
    }

    @Test func mergeEqualsSketchOfUnion() async {
        await propertyCheck(count: 200, input: Gen.uint64(), Gen.int(in: 0...800), Gen.int(in: 0...800)) { seed, n, m in
            let a = sketchData(seed: seed, count: n), b = sketchData(seed: seed &+ 1, count: m)
            var merged = sketch(a)
            merged.merge(sketch(b))
            let union = sketch(a + b)
            #expect(merged == union)
            #expect(merged.encoded == union.encoded)
            // Order does not matter either.
            var other = sketch(b)
            other.merge(sketch(a))
            #expect(other == union)
            // Merging the encoded form is the same as merging the sketch.
            var viaBytes = sketch(a)
            let bytes = sketch(b).encoded
            let used = try bytes.withUnsafeBytes { raw in try viaBytes.merge(encoded: raw) }
            #expect(used == bytes.count)
            #expect(viaBytes == union)
        }
    }

    @Test func encodingRoundTrips() async {
        await propertyCheck(count: 300, input: Gen.uint64(), Gen.int(in: 0...2000)) { seed, n in
            let s = sketch(sketchData(seed: seed, count: n))
            let bytes = s.encoded
            let (d, size) = try bytes.withUnsafeBytes { raw in try QuantileSketch.decode(raw) }
            #expect(size == bytes.count)
            #expect(d == s)
            #expect(d.encoded == bytes)
        }
    }

    @Test func resetKeepsNothing() {
        var s = sketch([1, 2, 3, -4, 0])
        s.reset()
        #expect(s == QuantileSketch())
        s.add(7)
        #expect(s == sketch([7]))
    }

    /// A 5-minute window of 20 scraped values and an hour of 240 take a few
    /// dozen bytes; the worst case is bounded by the number of buckets.
    @Test func windowsAreSmall() {
        var rng = WorkloadRandom(seed: 9)
        var w5 = QuantileSketch(), w60 = QuantileSketch()
        for i in 0..<240 {
            let v = 0.2 + rng.normal() * 0.03
            if i < 20 { w5.add(v) }
            w60.add(v)
        }
        #expect(w5.encoded.count <= 48)
        #expect(w60.encoded.count <= 120)
        // A counter's window is one or two buckets.
        let counter = sketch((0..<240).map { 1_000_000 + Double($0) * 3 })
        #expect(counter.encoded.count <= 12)
    }

    @Test func corruptInputIsAnError() {
        let good = sketch([1, 2, 3, 100, -5, 0]).encoded
        // Every truncation fails cleanly.
        for cut in 0..<good.count {
            let r = Array(good[..<cut]).withUnsafeBytes { raw in
                Result { () throws(CodecError) in try QuantileSketch.decode(raw) }
            }
            if case .success = r { Issue.record("truncated at \(cut) decoded") }
        }
        // Bad flags, absurd keys.
        for bad in [[UInt8(0x08)], [2, 1, 0xfe, 0xff, 0x7f, 0, 1, 1]] {
            var s = QuantileSketch()
            let r = bad.withUnsafeBytes { raw in Result { () throws(CodecError) in try s.merge(encoded: raw) } }
            if case .success = r { Issue.record("accepted \(bad)") }
            #expect(s.isEmpty)
        }
    }
}
