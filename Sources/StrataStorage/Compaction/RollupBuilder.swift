import StrataCodec

/// Computes a series' rollup windows (`RollupWindows`) at several
/// resolutions in one pass over its raw samples. Each sample's sketch
/// bucket (one logarithm) is computed once and shared by every resolution,
/// and every resolution is computed from the raw samples, not from a finer
/// rollup, so each window's aggregates are exactly what the raw samples give.
///
/// Reusable: buffers keep their capacity from one series to the next.
public struct RollupBuilder {
    /// The Prometheus staleness marker (a NaN with this bit pattern): not a sample.
    public static let staleMarkerBits: UInt64 = 0x7ff0_0000_0000_0002

    public let resolutions: [Int64]
    /// Output, one per resolution, for the last `build` call.
    public private(set) var windows: [RollupWindows]
    private var keys: [Int32] = []
    private var signs: [Int8] = []
    private var sketch = QuantileSketch()

    public init(resolutions: [Int64]) {
        precondition(resolutions.allSatisfy { $0 > 0 })
        self.resolutions = resolutions
        windows = Array(repeating: RollupWindows(), count: resolutions.count)
    }

    /// Rolls up one series' samples (sorted by time, no duplicate times).
    public mutating func build(timestamps ts: UnsafeBufferPointer<Int64>, values vs: UnsafeBufferPointer<Double>) {
        let n = ts.count
        keys.removeAll(keepingCapacity: true)
        signs.removeAll(keepingCapacity: true)
        keys.reserveCapacity(n)
        signs.reserveCapacity(n)
        // Buckets once per sample; a repeated value (counters at rest,
        // constant gauges) reuses the previous logarithm.
        var prevBits: UInt64 = 1, prevKey: Int32 = 0, prevSign: Int8 = 0
        for i in 0..<n {
            let v = vs[i]
            let bits = v.bitPattern
            if bits == prevBits {
                keys.append(prevKey)
                signs.append(prevSign)
                continue
            }
            var k: Int32 = 0, s: Int8 = 0
            if v >= QuantileSketch.minIndexable {
                k = QuantileSketch.key(ofMagnitude: v); s = 1
            } else if v <= -QuantileSketch.minIndexable {
                k = QuantileSketch.key(ofMagnitude: -v); s = -1
            } else if v.isNaN {
                s = 2  // not in the sketch
            }
            keys.append(k)
            signs.append(s)
            prevBits = bits; prevKey = k; prevSign = s
        }
        for r in resolutions.indices {
            windows[r].removeAll()
            keys.withUnsafeBufferPointer { kp in
                signs.withUnsafeBufferPointer { sp in
                    buildResolution(r, ts, vs, kp, sp)
                }
            }
        }
    }

    private mutating func buildResolution(
        _ r: Int, _ ts: UnsafeBufferPointer<Int64>, _ vs: UnsafeBufferPointer<Double>,
        _ keys: UnsafeBufferPointer<Int32>, _ signs: UnsafeBufferPointer<Int8>
    ) {
        let res = resolutions[r]
        let n = ts.count
        var out = windows[r]
        windows[r] = RollupWindows()  // keep `out` uniquely referenced while appending
        var i = 0
        while i < n {
            // Skip staleness markers.
            if vs[i].bitPattern == Self.staleMarkerBits { i += 1; continue }
            let start = MemSeries.floorDiv(ts[i], res) &* res
            let end = start &+ res
            var count: Int64 = 0
            var sum = 0.0, mn = Double.nan, mx = Double.nan
            let first = vs[i]
            var last = first, prev = first
            var correction = 0.0
            sketch.reset()
            while i < n && ts[i] < end {
                let v = vs[i]
                if v.bitPattern != Self.staleMarkerBits {
                    if count > 0 && v < prev { correction += prev }
                    count += 1
                    sum += v
                    // PromQL's min/max_over_time: NaN only loses to numbers.
                    if v < mn || mn.isNaN { mn = v }
                    if v > mx || mx.isNaN { mx = v }
                    if signs[i] != 2 { sketch.add(key: keys[i], sign: Int(signs[i])) }
                    prev = v
                    last = v
                }
                i += 1
            }
            out.timestamps.append(start)
            out.count.append(count)
            out.sum.append(sum)
            out.min.append(mn)
            out.max.append(mx)
            out.first.append(first)
            out.last.append(last)
            out.increase.append(last - first + correction)
            sketch.encode(into: &out.sketchBytes)
            out.sketchEnds.append(out.sketchBytes.count)
        }
        windows[r] = out
    }
}
