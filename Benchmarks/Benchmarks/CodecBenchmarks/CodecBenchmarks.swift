import Benchmark
import StrataCodec

// Every benchmark processes the 1,000,000 samples of `CodecData` per
// iteration; with `scalingFactor: .mega` the figures read as time per
// sample and samples per second. Results: docs/benchmarks.md.

/// `make bench-check` fails on a regression of more than 10 % at p25/p50/p75.
nonisolated(unsafe) let tenPercent: [BenchmarkMetric: BenchmarkThresholds] = [
    .wallClock: .init(relative: [.p25: 10, .p50: 10, .p75: 10]),
    .throughput: .init(relative: [.p25: 10, .p50: 10, .p75: 10]),
    .mallocCountTotal: .init(relative: [.p50: 10]),
]

let benchmarks: @Sendable () -> Void = {
    let config = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 2,
        scalingFactor: .mega,
        maxDuration: .seconds(5),
        maxIterations: 40,
        thresholds: tenPercent
    )

    for (name, data) in [("node", CodecData.node), ("random", CodecData.random)] {
        // Head: append every sample to 125-sample XOR chunks.
        Benchmark("XOR encode (\(name))", configuration: config) { benchmark in
            benchmark.startMeasurement()
            var bytes = 0
            for s in 0..<data.timestamps.count {
                let ts = data.timestamps[s], vs = data.values[s]
                var i = 0
                while i < ts.count {
                    var app = XORChunkAppender()
                    for j in i..<(i + CodecData.headChunkSamples) { app.append(ts[j], vs[j]) }
                    bytes += app.byteCount
                    i += CodecData.headChunkSamples
                }
            }
            benchmark.stopMeasurement()
            blackHole(bytes)
        }

        let chunks = data.xorChunks()
        Benchmark("XOR decode (\(name))", configuration: config) { benchmark in
            var it = ChunkIterator()
            var n = 0
            benchmark.startMeasurement()
            for c in chunks {
                c.withUnsafeBytes { try! it.reset(xor: $0) }
                n += it.count
            }
            benchmark.stopMeasurement()
            precondition(n == 1_000_000)
        }

        Benchmark("XOR decode+iterate (\(name))", configuration: config) { benchmark in
            var it = ChunkIterator()
            var sum = 0.0
            benchmark.startMeasurement()
            for c in chunks {
                c.withUnsafeBytes { try! it.reset(xor: $0) }
                while it.next() { sum += it.value }
            }
            benchmark.stopMeasurement()
            blackHole(sum)
        }

        // Blocks: one timestamp column and one value column per series.
        Benchmark("Columnar encode (\(name))", configuration: config) { benchmark in
            var out: [UInt8] = []
            out.reserveCapacity(64 << 20)
            benchmark.startMeasurement()
            for s in 0..<data.timestamps.count {
                TimestampColumn.encode(data.timestamps[s], into: &out)
                ValueColumn.encode(data.values[s], into: &out)
            }
            benchmark.stopMeasurement()
            blackHole(out.count)
        }

        // Blocks sharing one timestamp column per scrape target.
        Benchmark("Columnar encode, shared timestamps (\(name))", configuration: config) { benchmark in
            var out: [UInt8] = []
            out.reserveCapacity(64 << 20)
            benchmark.startMeasurement()
            var lastHost = -1
            for s in 0..<data.timestamps.count {
                if data.hostOf[s] != lastHost {
                    lastHost = data.hostOf[s]
                    TimestampColumn.encode(data.timestamps[s], into: &out)
                }
                ValueColumn.encode(data.values[s], into: &out)
            }
            benchmark.stopMeasurement()
            blackHole(out.count)
        }

        let (tcols, vcols) = data.columns()
        Benchmark("Columnar decode (\(name))", configuration: config) { benchmark in
            var it = ChunkIterator()
            var n = 0
            benchmark.startMeasurement()
            for s in 0..<tcols.count {
                tcols[s].withUnsafeBytes { t in vcols[s].withUnsafeBytes { v in try! it.reset(timestamps: t, values: v) } }
                n += it.count
            }
            benchmark.stopMeasurement()
            precondition(n == 1_000_000)
        }

        Benchmark("Columnar decode values only (\(name))", configuration: config) { benchmark in
            var vs: [Double] = []
            var n = 0
            benchmark.startMeasurement()
            for c in vcols {
                c.withUnsafeBytes { _ = try! ValueColumn.decode($0, into: &vs) }
                n += vs.count
            }
            benchmark.stopMeasurement()
            precondition(n == 1_000_000)
        }

        Benchmark("Columnar decode+iterate (\(name))", configuration: config) { benchmark in
            var it = ChunkIterator()
            var sum = 0.0
            benchmark.startMeasurement()
            for s in 0..<tcols.count {
                tcols[s].withUnsafeBytes { t in vcols[s].withUnsafeBytes { v in try! it.reset(timestamps: t, values: v) } }
                while it.next() { sum += it.value }
            }
            benchmark.stopMeasurement()
            blackHole(sum)
        }
    }
}
