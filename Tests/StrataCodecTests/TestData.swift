@testable import StrataCodec
import StrataTestSupport

/// The workloads' SplitMix64 generator (`WorkloadRandom`), so every data
/// set is reproducible from the seed PropertyBased reports; `int` draws with
/// the standard library's unbiased method.
struct TestRandom: RandomNumberGenerator {
    var base: WorkloadRandom
    init(seed: UInt64) { base = WorkloadRandom(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func int(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }
    mutating func unit() -> Double { base.unit() }
    mutating func chance(_ p: Double) -> Bool { base.chance(p) }
}

enum TestData {
    /// Float64 bit patterns that codecs most often get wrong.
    static let specialValues: [Double] = [
        0, -0.0, 1, -1, .infinity, -.infinity, .nan, -.nan,
        Double(bitPattern: 0x7ff0_0000_0000_0002),  // Prometheus staleness marker
        Double(bitPattern: 0x7ff8_0000_0000_0001),  // quiet NaN with payload
        Double(bitPattern: 0xfff0_0000_dead_beef),  // negative signalling NaN with payload
        .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude,
        Double(bitPattern: 0x000f_ffff_ffff_ffff),  // largest subnormal
        .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .ulpOfOne, 0.1, 1e300, -1e-300,
        9_007_199_254_740_992, Double(bitPattern: 0x4340_0000_0000_0001), -9_007_199_254_740_992,
    ]

    /// A mix of value shapes: random bit patterns, specials, repeats,
    /// decimals, integers, walks.
    static func values(_ rng: inout TestRandom, count n: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(n)
        let shape = rng.next() % 7
        var walk = Double(rng.int(-1000...1000))
        for _ in 0..<n {
            switch shape {
            case 0: out.append(Double(bitPattern: rng.next()))
            case 1: out.append(specialValues[Int(rng.next() % UInt64(specialValues.count))])
            case 2: out.append(rng.chance(0.8) && !out.isEmpty ? out.last! : Double(bitPattern: rng.next()))
            case 3:
                walk += Double(rng.int(-300...300)) / 100
                out.append((walk * 100).rounded() / 100)
            case 4: out.append(Double(rng.int(-1_000_000...1_000_000)))
            case 5:
                // Mostly decimals, a few specials mixed in.
                out.append(rng.chance(0.05) ? specialValues[Int(rng.next() % UInt64(specialValues.count))]
                                            : Double(rng.int(0...99_999)) / 1000)
            default: out.append(rng.unit() * 1e6)
            }
        }
        return out
    }

    /// Non-decreasing timestamps of various shapes, including extremes.
    static func timestamps(_ rng: inout TestRandom, count n: Int) -> [Int64] {
        var out: [Int64] = []
        out.reserveCapacity(n)
        let shape = rng.next() % 6
        var t: Int64 = shape == 5 ? Int64.min + rng.int(0...1000) : rng.int(-2_000_000_000_000...2_000_000_000_000)
        for i in 0..<n {
            switch shape {
            case 0: t &+= 15_000  // regular
            case 1: t &+= 15_000 + rng.int(-10...10)  // jittered
            case 2: t &+= rng.chance(0.3) ? 0 : rng.int(0...5)  // equal and tiny steps
            case 3: t &+= rng.chance(0.05) ? rng.int(0...(Int64.max / 4)) : 15_000  // huge gaps
            case 4: t &+= rng.int(0...100_000_000)
            default:
                // From near Int64.min to near Int64.max in few steps.
                if i > 0 { t = t &+ (Int64.max / Int64(max(n, 2))) &+ rng.int(0...1000) }
            }
            if let last = out.last, t < last { t = last }
            out.append(t)
        }
        return out
    }
}

func bitsEqual(_ a: [Double], _ b: [Double]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

func xorChunk(_ ts: [Int64], _ vs: [Double]) -> [UInt8] {
    var app = XORChunkAppender()
    for i in ts.indices { app.append(ts[i], vs[i]) }
    return app.bytes
}
