import Testing
import PropertyBased
import StrataCodec
import StrataTestSupport
@testable import StrataStorage

let staleNaN = Double(bitPattern: RollupBuilder.staleMarkerBits)

/// Generated series plus one with NaNs, staleness markers and negative values.
func rollupData(from: Int64, to: Int64, seed: UInt64 = 3) -> [(Labels, [Int64], [Double])] {
    var data = generatedSeries(6, from: from, to: to, seed: seed)
    var rng = WorkloadRandom(seed: seed, 99)
    var ts: [Int64] = [], vs: [Double] = []
    var t = from + 7_000
    while t < to {
        ts.append(t)
        switch rng.next() % 20 {
        case 0: vs.append(.nan)
        case 1: vs.append(staleNaN)
        default: vs.append((rng.normal() * 100).roundedTo(2))
        }
        t += 15_000
    }
    data.append((Labels(sorting: [Label("__name__", "odd"), Label("host", "h0")]), ts, vs))
    return data
}

/// What a window's aggregates must be, computed plainly from raw samples.
struct ReferenceWindow: Equatable {
    var count: Int64 = 0
    var sum = 0.0, min = Double.nan, max = Double.nan, first = Double.nan, last = Double.nan, increase = 0.0
    var values: [Double] = []

    static func == (a: ReferenceWindow, b: ReferenceWindow) -> Bool {
        a.count == b.count && a.sum.bitPattern == b.sum.bitPattern && a.min.bitPattern == b.min.bitPattern
            && a.max.bitPattern == b.max.bitPattern && a.first.bitPattern == b.first.bitPattern
            && a.last.bitPattern == b.last.bitPattern && a.increase.bitPattern == b.increase.bitPattern
    }

    /// Windows of `res` from raw samples: staleness markers dropped; PromQL's
    /// min/max (NaN loses); increase = last − first + Σ values before each drop.
    static func windows(_ ts: [Int64], _ vs: [Double], res: Int64) -> [Int64: ReferenceWindow] {
        var out: [Int64: ReferenceWindow] = [:]
        var starts: [Int64] = []
        var byStart: [Int64: [Double]] = [:]
        for (t, v) in zip(ts, vs) where v.bitPattern != staleNaN.bitPattern {
            let s = MemSeries.floorDiv(t, res) * res
            if byStart[s] == nil { starts.append(s) }
            byStart[s, default: []].append(v)
        }
        for s in starts {
            let xs = byStart[s]!
            var w = ReferenceWindow()
            w.count = Int64(xs.count)
            w.first = xs[0]
            w.last = xs[xs.count - 1]
            var corr = 0.0
            for (i, x) in xs.enumerated() {
                w.sum += x
                if !x.isNaN && (w.min.isNaN || x < w.min) { w.min = x }
                if !x.isNaN && (w.max.isNaN || x > w.max) { w.max = x }
                if i > 0 && x < xs[i - 1] { corr += xs[i - 1] }
            }
            w.increase = w.last - w.first + corr
            w.values = xs.filter { !$0.isNaN }
            out[s] = w
        }
        return out
    }
}

func expectQuantileClose(_ sketch: QuantileSketch, _ values: [Double], _ context: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    guard !values.isEmpty else { #expect(sketch.isEmpty, sourceLocation: sourceLocation); return }
    let sorted = values.sorted()
    for q in [0.0, 0.5, 0.95, 0.99, 1.0] {
        let rank = q * Double(sorted.count - 1)
        let lo = Int(rank.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
        let exact = sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - Double(lo))
        let est = sketch.quantile(q)!
        let bound = (sorted[lo] >= 0) == (sorted[hi] >= 0) ? abs(exact) : abs(sorted[lo]) + abs(sorted[hi])
        #expect(abs(est - exact) <= bound * (QuantileSketch.relativeAccuracy + 1e-9),
                "\(context) q\(q): \(est) vs \(exact)", sourceLocation: sourceLocation)
    }
}

@Suite struct RollupTests {
    @Test func builderMatchesTheReference() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            for (_, ts, vs) in rollupData(from: epoch, to: epoch + 3 * h, seed: seed) {
                var b = RollupBuilder(resolutions: [300_000, 3_600_000])
                ts.withUnsafeBufferPointer { t in vs.withUnsafeBufferPointer { v in b.build(timestamps: t, values: v) } }
                for (k, res) in [Int64(300_000), 3_600_000].enumerated() {
                    let w = b.windows[k]
                    let ref = ReferenceWindow.windows(ts, vs, res: res)
                    #expect(w.windows == ref.count)
                    for i in 0..<w.windows {
                        guard let r = ref[w.timestamps[i]] else { Issue.record("extra window"); continue }
                        let got = ReferenceWindow(count: w.count[i], sum: w.sum[i], min: w.min[i], max: w.max[i],
                                                  first: w.first[i], last: w.last[i], increase: w.increase[i])
                        #expect(got == r, "window \(w.timestamps[i])")
                        expectQuantileClose(w.sketch(i), r.values, "window \(w.timestamps[i])")
                        #expect(w.sketch(i).count == UInt64(r.values.count))
                    }
                }
            }
        }
    }

    @Test func chunkRoundTripsAndRejectsDamage() async throws {
        await propertyCheck(count: 40, input: Gen.uint64()) { seed in
            for (_, ts, vs) in rollupData(from: epoch, to: epoch + 6 * h, seed: seed) {
                var b = RollupBuilder(resolutions: [300_000])
                ts.withUnsafeBufferPointer { t in vs.withUnsafeBufferPointer { v in b.build(timestamps: t, values: v) } }
                let w = b.windows[0]
                var scratch = RollupChunk.Scratch()
                var bytes: [UInt8] = []
                RollupChunk.encode(w, 0..<w.windows, into: &bytes, scratch: &scratch)
                var back = RollupWindows()
                try bytes.withUnsafeBytes { raw in
                    try w.timestamps.withUnsafeBufferPointer { tp in
                        try RollupChunk.decode(raw, timestamps: tp, into: &back, scratch: &scratch)
                    }
                }
                #expect(back.timestamps == w.timestamps && back.count == w.count)
                for (x, y) in [(back.sum, w.sum), (back.min, w.min), (back.max, w.max), (back.first, w.first),
                               (back.last, w.last), (back.increase, w.increase)] {
                    #expect(x.map(\.bitPattern) == y.map(\.bitPattern))
                }
                #expect(back.sketchBytes == w.sketchBytes && back.sketchEnds == w.sketchEnds)
                // Truncated records fail cleanly and leave nothing behind.
                for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) {
                    var partial = RollupWindows()
                    let r = Array(bytes[..<cut]).withUnsafeBytes { raw in
                        w.timestamps.withUnsafeBufferPointer { tp in
                            Result { () throws(CodecError) in try RollupChunk.decode(raw, timestamps: tp, into: &partial, scratch: &scratch) }
                        }
                    }
                    if case .success = r { Issue.record("truncated record at \(cut) decoded") }
                    #expect(partial.windows == 0 && partial.sketchBytes.isEmpty)
                }
            }
        }
    }

    /// Counters: min/max/increase columns collapse, and most sketches are derived.
    @Test func counterChunksAreSmall() {
        let ts = (0..<(24 * 240)).map { epoch + Int64($0) * 15_000 }
        var v = 1e9
        let vs = ts.map { _ in v += 12_345; return v }
        var b = RollupBuilder(resolutions: [300_000])
        ts.withUnsafeBufferPointer { t in vs.withUnsafeBufferPointer { v in b.build(timestamps: t, values: v) } }
        var scratch = RollupChunk.Scratch()
        var bytes: [UInt8] = []
        RollupChunk.encode(b.windows[0], 0..<288, into: &bytes, scratch: &scratch)
        #expect(bytes[3] == 7)  // kind, n (2 bytes), flags: min, max and increase all derived
        #expect(bytes.count < 288 * 6)
    }

    @Test func rollupBlocksAreExactAgainstRaw() async throws {
        let data = rollupData(from: epoch, to: epoch + 26 * h)
        try await withDatabase(options: testOptions()) { db, _ in
            try db.importBlocks(series: data, blockDuration: 2 * h)
            try db.compact()
            // [0, 12 h) and [12 h, 24 h) merged (rollups computed in the merge), [24 h, 26 h) rolled up on its own.
            #expect(db.blocks.filter { $0.resolution == 300_000 }.count == 3)
            for res in [Int64(300_000), 3_600_000] {
                let q = db.rollupQuerier(resolution: res, mint: .min, maxt: .max)
                let got = q.select([anyMetric])
                #expect(got.count == data.count)
                for s in got {
                    let (_, ts, vs) = data.first { $0.0 == s.labels }!
                    let ref = ReferenceWindow.windows(ts, vs, res: res)
                    let w = s.windows()
                    #expect(w.windows == ref.count, "\(s.labels) at \(res)")
                    for i in 0..<w.windows {
                        let r = ref[w.timestamps[i]]!
                        let g = ReferenceWindow(count: w.count[i], sum: w.sum[i], min: w.min[i], max: w.max[i],
                                                first: w.first[i], last: w.last[i], increase: w.increase[i])
                        #expect(g == r, "\(s.labels) window \(w.timestamps[i])")
                        expectQuantileClose(w.sketch(i), r.values, "\(s.labels) window \(w.timestamps[i])")
                    }
                    // The counter's increase over the whole range, from windows.
                    if s.labels["i"] == "0" {
                        var inc = 0.0
                        for i in 1..<vs.count { inc += vs[i] >= vs[i - 1] ? vs[i] - vs[i - 1] : vs[i] }
                        #expect(w.increase(from: 0, to: w.windows) == inc)
                    }
                }
            }
        }
    }

    @Test func windowsSelectedByStartAndDeduplicated() async throws {
        try await withDatabase(options: testOptions()) { db, _ in
            let data = generatedSeries(1, from: epoch, to: epoch + 4 * h)
            try db.importBlocks(series: data, blockDuration: 2 * h)
            try db.compact()
            let w = db.rollupQuerier(resolution: 3_600_000, mint: epoch + h, maxt: epoch + 2 * h).select([anyMetric])[0].windows()
            #expect(w.timestamps == [epoch + h, epoch + 2 * h])
            // A late backfill into the same hours, rolled up again: the newest block's windows win.
            let l = data[0].0
            try db.importBlocks(series: [(l, [epoch + h + 1], [1e6])], blockDuration: 2 * h)
            try db.compact()
            let again = db.rollupQuerier(resolution: 3_600_000, mint: .min, maxt: .max).select([anyMetric])[0].windows()
            #expect(again.timestamps == [epoch, epoch + h, epoch + 2 * h, epoch + 3 * h])
            #expect(again.max[1] == 1e6)
            #expect(overlappingRollupBlocks(db).isEmpty)
        }
    }

    @Test func availableResolutionsReportCoverage() async throws {
        try await withDatabase(options: testOptions()) { db, _ in
            try db.importBlocks(series: generatedSeries(2, from: epoch, to: epoch + 6 * h), blockDuration: 2 * h)
            try await ingest(db, series: 2, steps: 0..<40, start: epoch + 7 * h)
            #expect(db.availableResolutions(mint: epoch, maxt: epoch + 8 * h) == [
                ResolutionCoverage(resolution: 0, spans: [epoch..<(epoch + 6 * h), (epoch + 7 * h)..<(epoch + 7 * h + 39 * 15_000 + 1)]),
            ])
            try db.compact()
            let cov = db.availableResolutions(mint: epoch + h, maxt: epoch + 8 * h)
            #expect(cov.map(\.resolution) == [0, 300_000, 3_600_000])
            #expect(cov[1].spans == [(epoch + h)..<(epoch + 6 * h)])
            #expect(cov[2].covers(epoch + 2 * h, epoch + 6 * h) && !cov[2].covers(epoch + 5 * h, epoch + 7 * h))
        }
    }

    @Test func percentilesMatchExactQuantilesPerStep() async throws {
        let data = generatedSeries(6, from: epoch, to: epoch + 20 * h).filter { $0.0["i"].map { Int($0)! % 2 == 1 } ?? false }
        try await withDatabase(options: testOptions()) { db, _ in
            try db.importBlocks(series: data, blockDuration: 2 * h)
            try db.compact()
            // Head data for the last hours: the raw fallback.
            var app = db.appender()
            for (l, _, _) in data {
                for k in 0..<200 { try app.append(l, epoch + 20 * h + Int64(k) * 15_000, 0.5 + Double(k % 7) * 0.01) }
            }
            _ = try await app.commit()
            let start = epoch + h, end = epoch + 21 * h, step = h
            for resolution in [nil, Int64(0), 3_600_000, 300_000] {
                let out = try db.percentiles([eq("__name__", "m")], quantiles: [0.5, 0.95], start: start, end: end, step: step,
                                             by: ["host"], resolution: resolution)
                // One series per host: i=1 on h1, i=3 on h0, i=5 on h2.
                #expect(out.count == 6, "\(String(describing: resolution))")
                for s in out {
                    let host = s.labels["host"]!
                    #expect(s.labels["quantile"] == (s.quantile == 0.5 ? "0.5" : "0.95"))
                    let members = data.filter { $0.0["host"] == host }
                    for (t, v) in zip(s.timestamps, s.values) {
                        var values: [Double] = []
                        for (_, ts, vs) in members {
                            for (x, y) in zip(ts, vs) where x >= t - step && x < t { values.append(y) }
                            // The head samples appended above.
                            for k in 0..<200 {
                                let x = epoch + 20 * h + Int64(k) * 15_000
                                if x >= t - step && x < t { values.append(0.5 + Double(k % 7) * 0.01) }
                            }
                        }
                        let sorted = values.sorted()
                        let rank = s.quantile * Double(sorted.count - 1)
                        let lo = Int(rank.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
                        let want = sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - Double(lo))
                        #expect(abs(v - want) <= want * 0.0100001, "\(host) q\(s.quantile) at \(t): \(v) vs \(want)")
                    }
                    let steps = s.timestamps.count
                    switch resolution {
                    case Int64(3_600_000)?, Int64(300_000)?: #expect(steps == 20)  // rollups end with the blocks at 20 h
                    default: #expect(steps == 21)
                    }
                }
            }
            #expect(throws: PercentileError.self) { try db.percentiles([anyMetric], quantiles: [0.5], start: 0, end: 1, step: 0) }
            #expect(throws: PercentileError.self) { try db.percentiles([anyMetric], quantiles: [0.5], start: 0, end: 1, step: 1, resolution: 7) }
        }
    }

    @Test func rollupsOutliveRawData() async throws {
        var options = testOptions(retention: 10 * h)
        options.rollups.resolutions = [.init(window: 300_000, retention: 40 * h)]
        try await withDatabase(options: options) { db, _ in
            let data = generatedSeries(2, from: epoch, to: epoch + 30 * h)
            try db.importBlocks(series: data, blockDuration: 2 * h)
            try db.compact()
            let raw = db.blocks.filter { $0.resolution == 0 }
            #expect(raw.allSatisfy { $0.maxTime > epoch + 20 * h })
            let rollups = db.rollupQuerier(resolution: 300_000, mint: .min, maxt: .max).select([anyMetric])
            #expect(rollups.count == 2)
            #expect(rollups[0].windows().timestamps.first == epoch)
            // Percentiles over the whole range: rollups where raw is gone.
            let p = try db.percentiles([anyMetric], quantiles: [0.5], start: epoch + h, end: epoch + 30 * h, step: h)
            #expect(p.count == 2 && p.allSatisfy { $0.timestamps.count == 30 })
        }
    }
}
