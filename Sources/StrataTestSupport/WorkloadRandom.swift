/// SplitMix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): the workload generators' own seeded PRNG, so
/// that a workload is the same on every platform and Swift version (no
/// Foundation or system randomness).
public struct WorkloadRandom: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one stream of a seeded family, e.g. (seed, host, 7).
    public init(seed: UInt64, _ a: UInt64, _ b: UInt64 = 0) {
        var r = WorkloadRandom(seed: seed ^ (a &* 0x9E37_79B9_7F4A_7C15) ^ (b &* 0xD6E8_FEB8_6659_FD93))
        state = r.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform integer in `range` (modulo bias is irrelevant at these sizes).
    public mutating func int(_ range: ClosedRange<Int64>) -> Int64 {
        let span = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        return span == 0 ? Int64(bitPattern: next()) : range.lowerBound &+ Int64(bitPattern: next() % span)
    }

    /// Approximately standard normal (Irwin–Hall sum of four uniforms,
    /// rescaled): no libm needed, tails cut at ±3.5σ, plenty for noise.
    public mutating func normal() -> Double {
        (unit() + unit() + unit() + unit() - 2) * 1.7320508075688772
    }

    /// Poisson-distributed count with mean `lambda` (normal approximation
    /// above 30, Knuth's product method below).
    public mutating func poisson(_ lambda: Double) -> Int {
        if lambda <= 0 { return 0 }
        if lambda > 30 { return max(0, Int((lambda + normal() * lambda.squareRoot()).rounded())) }
        var k = 0
        var p = 1.0
        let l = workloadExp(-lambda)
        repeat {
            k += 1
            p *= unit()
        } while p > l
        return k - 1
    }

    public mutating func chance(_ p: Double) -> Bool { unit() < p }
}

/// e^x for |x| ≤ 30 without Foundation: (e^(x/64))^64 with a short
/// Taylor series; accurate to about 1e-12 relative, ample for sampling.
@inlinable
func workloadExp(_ x: Double) -> Double {
    let y = x / 64
    var term = 1.0, sum = 1.0
    for i in 1...12 {
        term *= y / Double(i)
        sum += term
    }
    for _ in 0..<6 { sum *= sum }
    return sum
}
