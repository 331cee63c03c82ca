import StrataCodec

/// Per-window aggregates of one series at one resolution (issue #5), as
/// parallel arrays: window `i` covers sample times
/// `[timestamps[i], timestamps[i] + resolution)`. Only windows with at least
/// one sample exist. Staleness markers are not samples here (as in PromQL
/// range selections).
///
/// - `count`: samples in the window.
/// - `sum`: their sum, added in time order (NaN if one is NaN).
/// - `min`, `max`: as PromQL's `min_over_time`/`max_over_time` (NaN only if every value is NaN).
/// - `first`, `last`: the first and last value.
/// - `increase`: `last − first + Σ prev` over counter resets (a value below its
///   predecessor) inside the window: Prometheus' counter correction without
///   extrapolation. The jump from the previous window's `last` to this
///   window's `first` is not included; `RollupWindows.increase(from:to:)`
///   adds it back when combining windows.
/// - a `QuantileSketch` of the values (NaN excluded), stored encoded in
///   `sketchBytes`, window `i` at `sketchBytes[sketchEnds[i-1] ..< sketchEnds[i]]`.
public struct RollupWindows: Sendable {
    public var timestamps: [Int64] = []
    public var count: [Int64] = []
    public var sum: [Double] = []
    public var min: [Double] = []
    public var max: [Double] = []
    public var first: [Double] = []
    public var last: [Double] = []
    public var increase: [Double] = []
    public var sketchBytes: [UInt8] = []
    public var sketchEnds: [Int] = []

    public init() {}

    /// Number of windows.
    public var windows: Int { timestamps.count }

    public mutating func removeAll() {
        timestamps.removeAll(keepingCapacity: true)
        count.removeAll(keepingCapacity: true)
        sum.removeAll(keepingCapacity: true)
        min.removeAll(keepingCapacity: true)
        max.removeAll(keepingCapacity: true)
        first.removeAll(keepingCapacity: true)
        last.removeAll(keepingCapacity: true)
        increase.removeAll(keepingCapacity: true)
        sketchBytes.removeAll(keepingCapacity: true)
        sketchEnds.removeAll(keepingCapacity: true)
    }

    /// Range of window `i`'s encoded sketch in `sketchBytes`.
    public func sketchRange(_ i: Int) -> Range<Int> { (i == 0 ? 0 : sketchEnds[i - 1])..<sketchEnds[i] }

    /// Window `i`'s sketch, decoded.
    public func sketch(_ i: Int) -> QuantileSketch {
        var s = QuantileSketch()
        mergeSketch(i, into: &s)
        return s
    }

    /// Adds window `i`'s values to `into` (no allocation once `into` has grown).
    public func mergeSketch(_ i: Int, into s: inout QuantileSketch) {
        let r = sketchRange(i)
        guard !r.isEmpty else { return }
        sketchBytes.withUnsafeBytes { raw in
            // Written by `RollupBuilder` or validated by `RollupChunk.decode`.
            s.merge(validated: UnsafeRawBufferPointer(rebasing: raw[r]))
        }
    }

    /// Appends window `i` of `other`.
    public mutating func append(_ other: RollupWindows, _ i: Int) {
        timestamps.append(other.timestamps[i])
        count.append(other.count[i])
        sum.append(other.sum[i])
        min.append(other.min[i])
        max.append(other.max[i])
        first.append(other.first[i])
        last.append(other.last[i])
        increase.append(other.increase[i])
        sketchBytes.append(contentsOf: other.sketchBytes[other.sketchRange(i)])
        sketchEnds.append(sketchBytes.count)
    }

    /// The reset-corrected increase over windows `lo..<hi` (in time order),
    /// including the jumps between consecutive windows: what Prometheus'
    /// counter correction gives on the raw samples of those windows.
    public func increase(from lo: Int, to hi: Int) -> Double {
        guard lo < hi else { return 0 }
        var total = increase[lo]
        for i in (lo + 1)..<hi {
            let prev = last[i - 1], cur = first[i]
            total += cur >= prev ? cur - prev : cur
            total += increase[i]
        }
        return total
    }
}
