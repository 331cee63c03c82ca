#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A mergeable quantile sketch with a relative-error guarantee: DDSketch
/// (Masson, Rim, Lee, "DDSketch: A Fast and Fully-Mergeable Quantile Sketch
/// with Relative-Error Guarantees", VLDB 2019).
///
/// A positive value x falls into bucket `k = ⌈log_γ x⌉`, the interval
/// (γ^(k−1), γ^k], with γ = (1+α)/(1−α). The bucket is represented by
/// 2γ^k/(γ+1), which is within α·x of every x in it; so the value returned
/// for any rank is within relative error α of the true value at that rank.
/// Negative values use a mirrored store keyed by |x|; values with
/// |x| < `Double.leastNormalMagnitude` (zero and subnormals) are counted
/// apart and estimated as 0.
///
/// Every finite nonzero double has a key within ±35,500, so the stores
/// never need collapsing: the sketch is exact up to bucketing, and
/// `merge` (adding bucket counts) gives bit for bit the sketch of the union
/// of the inputs, in any order. α = 1 % (the issue #5 requirement).
///
/// NaN is ignored (it has no rank); ±∞ are counted in the outermost
/// finite buckets, so a quantile that falls on them reads ±1.8e308.
///
/// In memory each store is dense (a count per key between the lowest and
/// highest key seen), which makes `add` an index computation and an
/// increment. On disk the sketch is sparse: see `QuantileSketch+Encoding`.
public struct QuantileSketch: Sendable, Equatable {
    /// The relative accuracy α.
    public static let relativeAccuracy = 0.01
    /// γ = (1+α)/(1−α).
    public static let gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
    @usableFromInline static let multiplier = 1 / log(gamma)
    /// Magnitudes below this count as zero.
    public static let minIndexable = Double.leastNormalMagnitude
    @usableFromInline static let maxKey = key(ofMagnitude: .greatestFiniteMagnitude)

    @usableFromInline var positive = Store()
    @usableFromInline var negative = Store()
    @usableFromInline var zeroCount: UInt64 = 0

    public init() {}

    /// Number of values added (NaN excluded).
    @inlinable public var count: UInt64 { positive.total &+ negative.total &+ zeroCount }

    @inlinable public var isEmpty: Bool { count == 0 }

    /// Forgets every value, keeping the stores' capacity.
    @inlinable
    public mutating func reset() {
        positive.reset()
        negative.reset()
        zeroCount = 0
    }

    /// The bucket key of a magnitude ≥ `minIndexable` (∞ maps to the last finite key).
    @inlinable @inline(__always)
    public static func key(ofMagnitude m: Double) -> Int32 {
        if m > .greatestFiniteMagnitude { return maxKey }
        return Int32(ceil(log(m) * multiplier))
    }

    /// The representative value of bucket `k` (positive side).
    @inlinable
    public static func value(ofKey k: Int32) -> Double {
        2 * pow(gamma, Double(k)) / (gamma + 1)
    }

    /// Adds `x` (`n` times). NaN is ignored.
    @inlinable
    public mutating func add(_ x: Double, count n: UInt64 = 1) {
        if x >= Self.minIndexable {
            positive.add(Self.key(ofMagnitude: x), n)
        } else if x <= -Self.minIndexable {
            negative.add(Self.key(ofMagnitude: -x), n)
        } else if x == x {
            zeroCount &+= n
        }
    }

    /// Adds a value already bucketed: `key` from `key(ofMagnitude:)`, and
    /// `sign` −1, 0 or 1. Lets a caller feeding several sketches from one
    /// sample compute the logarithm once.
    @inlinable
    public mutating func add(key: Int32, sign: Int, count n: UInt64 = 1) {
        if sign > 0 { positive.add(key, n) } else if sign < 0 { negative.add(key, n) } else { zeroCount &+= n }
    }

    /// Adds every value of `other`.
    public mutating func merge(_ other: QuantileSketch) {
        positive.merge(other.positive)
        negative.merge(other.negative)
        zeroCount &+= other.zeroCount
    }

    /// The estimate of the value of rank `r` (0-based, in sorted order), or
    /// nil if `r` is out of range.
    public func value(atRank r: UInt64) -> Double? {
        guard r < count else { return nil }
        // Ranks run: negatives from the most negative, zeros, positives.
        var rank = r
        if rank < negative.total {
            // The most negative value has the highest key.
            let k = negative.keyAtRank(negative.total - 1 - rank)
            return -Self.value(ofKey: k)
        }
        rank -= negative.total
        if rank < zeroCount { return 0 }
        rank -= zeroCount
        return Self.value(ofKey: positive.keyAtRank(rank))
    }

    /// The φ-quantile with the interpolation of Prometheus'
    /// `quantile_over_time`: rank φ·(n−1), linear between the values at the
    /// two neighbouring ranks. Both are within α of the true values, so the
    /// result is within α (relative) of the exactly interpolated quantile
    /// whenever the two neighbours have the same sign. nil when empty;
    /// −∞/+∞ for φ < 0 / φ > 1 (as PromQL), NaN for NaN.
    public func quantile(_ phi: Double) -> Double? {
        let n = count
        guard n > 0 else { return nil }
        if phi.isNaN { return .nan }
        if phi < 0 { return -.infinity }
        if phi > 1 { return .infinity }
        let rank = phi * Double(n - 1)
        let lo = UInt64(rank.rounded(.down))
        let hi = min(lo + 1, n - 1)
        let w = rank - Double(lo)
        if w == 0 || hi == lo { return value(atRank: lo)! }
        let (a, b) = valuesAtRanks(lo)
        return a + (b - a) * w
    }

    /// The estimates at ranks r and r + 1 (< count), with one scan when
    /// both lie in the same store.
    private func valuesAtRanks(_ r: UInt64) -> (Double, Double) {
        let n = negative.total, z = zeroCount
        let next = r + 1
        if next < n {
            // Negatives run from the highest key down.
            let (k1, k0) = negative.keysAtRanks(n - 1 - next, n - 1 - r)
            return (-Self.value(ofKey: k0), -Self.value(ofKey: k1))
        }
        if r >= n + z {
            let (k0, k1) = positive.keysAtRanks(r - n - z, next - n - z)
            return (Self.value(ofKey: k0), Self.value(ofKey: k1))
        }
        return (value(atRank: r)!, value(atRank: next)!)
    }

    /// The smallest and largest estimates (ranks 0 and n−1).
    public var minimum: Double? { value(atRank: 0) }
    public var maximum: Double? { count == 0 ? nil : value(atRank: count - 1) }

    /// Number of non-empty buckets (zero counted as one), a size indicator.
    public var bucketCount: Int { positive.nonZero + negative.nonZero + (zeroCount > 0 ? 1 : 0) }
}

extension QuantileSketch {
    /// Counts per key, dense between `offset` and `offset + counts.count`.
    @usableFromInline
    struct Store: Sendable, Equatable {
        @usableFromInline var counts: [UInt64] = []
        @usableFromInline var offset: Int32 = 0
        @usableFromInline var total: UInt64 = 0
        /// Lowest and highest key with a nonzero count; meaningful while total > 0.
        @usableFromInline var lo: Int32 = 0
        @usableFromInline var hi: Int32 = 0

        @usableFromInline init() {}

        /// Empties the store, zeroing only the used part (keeps the capacity).
        @inlinable
        mutating func reset() {
            if total > 0 {
                let a = Int(lo &- offset), b = Int(hi &- offset)
                counts.withUnsafeMutableBufferPointer { p in
                    for i in a...b { p[i] = 0 }
                }
            }
            total = 0
        }

        /// Equal when they hold the same count per key, whatever their capacity.
        @usableFromInline
        static func == (a: Store, b: Store) -> Bool {
            guard a.total == b.total else { return false }
            let (al, ah) = a.usedRange, (bl, bh) = b.usedRange
            guard al == bl, ah == bh else { return false }
            if al > ah { return true }
            for k in al...ah where a.counts[Int(k - a.offset)] != b.counts[Int(k - b.offset)] { return false }
            return true
        }

        /// Lowest and highest key with a nonzero count (low > high when empty).
        var usedRange: (Int32, Int32) { total > 0 ? (lo, hi) : (1, 0) }

        var nonZero: Int {
            guard total > 0 else { return 0 }
            var n = 0
            for k in lo...hi where counts[Int(k - offset)] != 0 { n += 1 }
            return n
        }

        @inlinable @inline(__always)
        mutating func add(_ k: Int32, _ n: UInt64) {
            guard n > 0 else { return }
            let i = Int(k) &- Int(offset)
            if i >= 0 && i < counts.count {
                counts[i] &+= n
            } else {
                grow(toInclude: k)
                counts[Int(k) &- Int(offset)] &+= n
            }
            if total == 0 {
                lo = k
                hi = k
            } else {
                if k < lo { lo = k }
                if k > hi { hi = k }
            }
            total &+= n
        }

        /// Widens the dense range to include `k`, with slack so that a
        /// sketch fed in order grows a logarithmic number of times.
        @usableFromInline
        mutating func grow(toInclude k: Int32) {
            if counts.isEmpty {
                // Room for ±64 buckets (±2.6× around the first value) before growing.
                offset = k &- 64
                counts = [UInt64](repeating: 0, count: 128)
                return
            }
            let curLo = offset, curHi = offset + Int32(counts.count) - 1
            let slack = Int32(max(64, counts.count / 2))
            var newLo = curLo, newHi = curHi
            if k < curLo { newLo = k - slack }
            if k > curHi { newHi = k + slack }
            // Keys never leave ±maxKey; keep the range near it.
            newLo = max(newLo, -QuantileSketch.maxKey - 64)
            newHi = min(newHi, QuantileSketch.maxKey + 64)
            var fresh = [UInt64](repeating: 0, count: Int(newHi - newLo) + 1)
            let shift = Int(offset - newLo)
            for (i, c) in counts.enumerated() where c != 0 { fresh[i + shift] = c }
            counts = fresh
            offset = newLo
        }

        mutating func merge(_ o: Store) {
            guard o.total > 0 else { return }
            let (lo, hi) = o.usedRange
            if counts.isEmpty || lo < offset { grow(toInclude: lo) }
            if hi >= offset + Int32(counts.count) { grow(toInclude: hi) }
            for k in lo...hi {
                let c = o.counts[Int(k - o.offset)]
                if c != 0 { counts[Int(k - offset)] &+= c }
            }
            if total == 0 {
                self.lo = lo
                self.hi = hi
            } else {
                self.lo = min(self.lo, lo)
                self.hi = max(self.hi, hi)
            }
            total &+= o.total
        }

        /// The keys holding ranks a ≤ b, in one scan.
        func keysAtRanks(_ a: UInt64, _ b: UInt64) -> (Int32, Int32) {
            let first = Int(lo &- offset), end = Int(hi &- offset)
            return counts.withUnsafeBufferPointer { p in
                var seen: UInt64 = 0
                var ka: Int32? = nil
                for i in first...end {
                    seen &+= p[i]
                    if ka == nil && seen > a { ka = offset &+ Int32(truncatingIfNeeded: i) }
                    if seen > b { return (ka!, offset &+ Int32(truncatingIfNeeded: i)) }
                }
                return (ka ?? hi, hi)
            }
        }

        /// The key holding the value of rank `r` (0-based, ascending keys).
        func keyAtRank(_ r: UInt64) -> Int32 {
            let first = Int(lo &- offset), end = Int(hi &- offset)
            return counts.withUnsafeBufferPointer { p in
                var seen: UInt64 = 0
                for i in first...end {
                    seen &+= p[i]
                    if seen > r { return offset &+ Int32(truncatingIfNeeded: i) }
                }
                return hi
            }
        }
    }
}
