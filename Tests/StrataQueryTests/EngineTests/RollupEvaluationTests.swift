import Foundation
import Testing
import StrataTestSupport
@testable import StrataQuery

/// Range functions over rollups against the same functions over raw data
/// (issue #5), on seeded random data: series with jittered scrapes that
/// never fall on a window boundary, gaps, and counter resets.
@Suite struct RollupEvaluationTests {
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let base: Int64 = 1_700_006_400_000   // a multiple of a day

    struct Series {
        var labels: Labels
        var ts: [Int64] = []
        var vs: [Double] = []
    }

    /// Scrapes every 15 s plus 1–9.999 s of jitter: never a multiple of 15 s,
    /// so never on a 5 m or 1 h boundary. Some scrapes are missing.
    static func generate(seed: UInt64) -> [Series] {
        var rng = Rng(state: seed)
        let hours = 6 + rng.int(20)
        var out: [Series] = []
        for s in 0..<(1 + rng.int(4)) {
            let counter = s % 2 == 1
            var series = Series(labels: Labels(["__name__": counter ? "c_total" : "g", "s": String(s)]))
            var c = 0.0
            for i in 0..<(hours * 240) where rng.int(20) != 0 {
                series.ts.append(base + 1_000 + Int64(i) * 15_000 + Int64(rng.int(9_000)))
                if counter {
                    if rng.int(500) == 0 { c = 0 }   // reset
                    c += Double(rng.int(1_000)) / 10
                    series.vs.append(c)
                } else {
                    series.vs.append(Double(rng.int(200_000)) / 100 - 1_000)
                }
            }
            out.append(series)
        }
        return out
    }

    static func matrix(_ v: QueryValue) -> [Labels: [(Int64, Double)]] {
        guard case .matrix(let m) = v else { return [:] }
        var out: [Labels: [(Int64, Double)]] = [:]
        for s in m { out[s.labels] = Array(zip(s.timestamps, s.values)) }
        return out
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6] as [UInt64])
    func aggregatesMatchRaw(seed: UInt64) async throws {
        let tmp = try TempDirectory("rollup-eval")
        defer { tmp.remove() }
        let db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
        defer { try? db.close() }
        let data = Self.generate(seed: seed)
        try db.importBlocks(series: data.map { ($0.labels, $0.ts, $0.vs) })
        try db.compact()
        let engine = QueryEngine(storage: db)
        let end = data.map { $0.ts.last! }.max()! / 3_600_000 * 3_600_000
        for (window, step, range) in [(Int64(300_000), Int64(300_000), "5m"), (300_000, 900_000, "15m"), (3_600_000, 3_600_000, "1h"),
                                      (3_600_000, 3_600_000, "2h")] {
            let start = Self.base + 2 * 3_600_000
            guard end > start else { continue }
            for fn in ["count_over_time", "min_over_time", "max_over_time", "last_over_time", "sum_over_time", "avg_over_time"] {
                let e = try parsePromQL("\(fn)(g[\(range)])")
                let raw = Self.matrix(try engine.rangeQuery(e, start: start, end: end, step: step, resolution: .raw))
                let rolled = Self.matrix(try engine.rangeQuery(e, start: start, end: end, step: step, resolution: .window(window)))
                #expect(Set(raw.keys) == Set(rolled.keys), "\(fn)[\(range)] seed \(seed)")
                for (labels, points) in raw {
                    let other = rolled[labels] ?? []
                    #expect(points.map(\.0) == other.map(\.0), "\(fn)[\(range)] seed \(seed)")
                    for (a, b) in zip(points, other) {
                        let exact = fn != "sum_over_time" && fn != "avg_over_time"
                        #expect(exact ? a.1 == b.1 : abs(a.1 - b.1) <= abs(a.1) * 1e-12 + 1e-9,
                                "\(fn)[\(range)] seed \(seed) at \(a.0): raw \(a.1), rollups \(b.1)")
                    }
                }
            }
            // increase: the exact reset-corrected increase from the last sample before the range.
            let inc = Self.matrix(try engine.rangeQuery(try parsePromQL("increase(c_total[\(range)])"), start: start, end: end, step: step,
                                                        resolution: .window(window)))
            let rangeMs = Int64(range.dropLast())! * (range.hasSuffix("h") ? 3_600_000 : 60_000)
            for s in data where s.labels.metricName == "c_total" {
                let points = inc[s.labels.removing(metricNameLabel)] ?? []
                #expect(!points.isEmpty)
                for (t, v) in points {
                    let lo = s.ts.firstIndex { $0 >= t - rangeMs }!
                    let hi = s.ts.firstIndex { $0 >= t } ?? s.ts.count
                    // The previous window's last sample, if that window has one.
                    let first = lo > 0 && s.ts[lo - 1] >= t - rangeMs - window ? lo - 1 : lo
                    var want = 0.0
                    var i = first + 1
                    while i < hi {
                        want += s.vs[i] >= s.vs[i - 1] ? s.vs[i] - s.vs[i - 1] : s.vs[i]
                        i += 1
                    }
                    #expect(abs(v - want) <= abs(want) * 1e-9 + 1e-9, "increase[\(range)] seed \(seed) at \(t): \(v) vs \(want)")
                }
            }
        }
    }
}
