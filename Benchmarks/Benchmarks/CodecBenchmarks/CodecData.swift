import StrataCodec
import StrataTestSupport

/// The data every codec benchmark runs on: exactly 1,000,000 samples, so
/// that with `scalingFactor: .mega` the reported time per (scaled)
/// iteration is the time per sample.
struct CodecData: Sendable {
    static let series = 2_000
    static let samplesPerSeries = 500
    /// Head chunks: Prometheus cuts at 120 samples; 125 divides 500.
    static let headChunkSamples = 125

    /// `timestamps[s]` and `values[s]`: series s.
    let timestamps: [[Int64]]
    let values: [[Double]]
    /// Index of the series' scrape target (series sharing a timestamp column).
    let hostOf: [Int]

    /// The node_exporter-like workload: 20 hosts × 100 series, 500 scrapes
    /// (2 h 5 min at 15 s).
    static let node: CodecData = {
        let w = NodeWorkload()
        var ts: [[Int64]] = [], vs: [[Double]] = [], host: [Int] = []
        for h in 0..<w.hosts {
            let (t, cols) = w.hostSamples(host: h, scrapes: 0..<samplesPerSeries)
            for c in cols {
                ts.append(t)
                vs.append(c)
                host.append(h)
            }
        }
        return CodecData(timestamps: ts, values: vs, hostOf: host)
    }()

    /// Random float64 bit patterns at random non-decreasing timestamps:
    /// the worst case, nothing to exploit.
    static let random: CodecData = {
        var rng = WorkloadRandom(seed: 99)
        var ts: [[Int64]] = [], vs: [[Double]] = [], host: [Int] = []
        for s in 0..<series {
            var t = rng.int(0...1_000_000_000_000)
            var tcol: [Int64] = [], vcol: [Double] = []
            for _ in 0..<samplesPerSeries {
                t += rng.int(0...1_000_000)
                tcol.append(t)
                vcol.append(Double(bitPattern: rng.next()))
            }
            ts.append(tcol)
            vs.append(vcol)
            host.append(s)
        }
        return CodecData(timestamps: ts, values: vs, hostOf: host)
    }()

    /// Head chunks: each series cut into 125-sample XOR chunks.
    func xorChunks() -> [[UInt8]] {
        var out: [[UInt8]] = []
        for s in 0..<timestamps.count {
            var i = 0
            while i < timestamps[s].count {
                var app = XORChunkAppender()
                for j in i..<min(i + Self.headChunkSamples, timestamps[s].count) { app.append(timestamps[s][j], values[s][j]) }
                out.append(app.bytes)
                i += Self.headChunkSamples
            }
        }
        return out
    }

    /// One timestamp column and one value column per series.
    func columns() -> (timestamps: [[UInt8]], values: [[UInt8]]) {
        var t: [[UInt8]] = [], v: [[UInt8]] = []
        for s in 0..<timestamps.count {
            var a: [UInt8] = [], b: [UInt8] = []
            TimestampColumn.encode(timestamps[s], into: &a)
            ValueColumn.encode(values[s], into: &b)
            t.append(a)
            v.append(b)
        }
        return (t, v)
    }
}
