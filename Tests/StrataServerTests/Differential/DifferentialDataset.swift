import Foundation
import StrataStorage
import StrataTestSupport

/// The seeded data both servers receive in the differential test: about 170
/// series over 80 minutes, shaped to exercise the evaluator's edge cases.
///
/// | metric | what it exercises |
/// |---|---|
/// | `http_requests_total{job,instance,method,code,path}` | counters with resets, 3 jobs, regex-worthy paths |
/// | `node_cpu_seconds_total{instance,cpu,mode}` | fractional counters, 10 s scrapes |
/// | `node_memory_MemAvailable_bytes`, `node_load1`, `temperature_celsius`, `queue_length` | gauges: large, small, negative, integer (ties) |
/// | `http_request_duration_seconds_{bucket,sum,count}` | classic histograms, one with a reset |
/// | `rpc_latency_seconds_bucket` | `le="1"` and `le="1.0"` (equal bounds), 30 s scrapes |
/// | `broken_histogram_bucket`, `noinf_histogram_bucket` | non-monotonic buckets, no `+Inf` bucket |
/// | `gappy_gauge{id}` | gaps shorter and longer than the 5 m lookback |
/// | `stale_series{id}` | staleness markers (NaN bits 0x7ff0000000000002) then resumption, or not |
/// | `special_values{kind}` | NaN, ±Inf, zeros, negatives, huge and tiny magnitudes |
/// | `late_series`, `sparse_series`, `two_samples` | series that start late, have one or two samples |
/// | `label_test{v}` | label values with dots, newlines, Unicode, regex metacharacters |
/// | `collide_a_total`, `collide_b_total` | identical label sets once the name is dropped |
/// | `disjoint_a`, `disjoint_b` | the same, but never present at the same time |
/// | `up`, `node_info`, `machine_role` | vector matching, `group_left`/`group_right` joins |
/// | `job:http_requests:rate5m` | recording-rule names with colons |
///
/// Timestamps are `t0` plus offsets; `t0` is a multiple of 15 minutes chosen
/// by the test (Prometheus only accepts recent samples), so the data's shape
/// and every value are the same on every run.
struct DifferentialDataset {
    struct Series {
        var labels: [(String, String)]   // sorted by name
        var samples: [(Int64, Double)]   // increasing timestamps
    }

    static let duration: Int64 = 80 * 60_000
    static let staleNaN = Double(bitPattern: 0x7ff0_0000_0000_0002)

    let t0: Int64
    private(set) var series: [Series] = []

    /// The newest timestamp of any sample.
    var lastTimestamp: Int64 { series.map { $0.samples.last?.0 ?? .min }.max() ?? .min }

    /// The series whose last sample is the newest one (to poll for).
    var lastSeries: Series { series.max { ($0.samples.last?.0 ?? .min) < ($1.samples.last?.0 ?? .min) }! }

    var sampleCount: Int { series.reduce(0) { $0 + $1.samples.count } }

    init(t0: Int64, seed: UInt64 = 4) {
        self.t0 = t0
        var b = Builder(t0: t0, seed: seed)
        b.build()
        // Label order, so that a Prometheus head creates its series (and
        // orders them in its postings) as our querier sorts them; see
        // docs/promql-evaluation.md "Order of instant-vector results".
        series = b.series.sorted { Labels(sortedUnchecked: $0.labels.map { Label($0.0, $0.1) }) < Labels(sortedUnchecked: $1.labels.map { Label($0.0, $0.1) }) }
    }

    /// Remote-write batches in time order: every series' samples in
    /// [t0 + i·slice, t0 + (i+1)·slice). Prometheus' head refuses samples
    /// older than an hour before its newest, so the batches must go oldest first.
    func batches(sliceMs: Int64 = 5 * 60_000) -> [[(labels: [(String, String)], samples: [(Int64, Double)])]] {
        var out: [[(labels: [(String, String)], samples: [(Int64, Double)])]] = []
        var lo = series.map { $0.samples.first?.0 ?? .max }.min() ?? t0
        let last = lastTimestamp
        while lo <= last {
            let hi = lo + sliceMs
            var batch: [(labels: [(String, String)], samples: [(Int64, Double)])] = []
            for s in series {
                let part = s.samples.filter { $0.0 >= lo && $0.0 < hi }
                if !part.isEmpty { batch.append((s.labels, part)) }
            }
            if !batch.isEmpty { out.append(batch) }
            lo = hi
        }
        return out
    }
}

/// Builds the series of `DifferentialDataset` from one seed.
private struct Builder {
    let t0: Int64
    var rng: WorkloadRandom
    var series: [DifferentialDataset.Series] = []

    init(t0: Int64, seed: UInt64) {
        self.t0 = t0
        self.rng = WorkloadRandom(seed: seed)
    }

    var end: Int64 { t0 + DifferentialDataset.duration }

    /// Scrape times of a target: every `interval` from `t0 + offset`, each
    /// jittered by up to ±`jitter` ms, within [from, to).
    mutating func times(interval: Int64, offset: Int64, jitter: Int64 = 0, from: Int64? = nil, to: Int64? = nil) -> [Int64] {
        var out: [Int64] = []
        var t = t0 + offset
        let lo = from ?? t0, hi = to ?? end
        while t < hi {
            if t >= lo {
                let j = jitter > 0 ? rng.int(-jitter...jitter) : 0
                out.append(t + j)
            }
            t += interval
        }
        return out
    }

    mutating func add(_ name: String, _ labels: [(String, String)], _ samples: [(Int64, Double)]) {
        var l = labels
        l.append(("__name__", name))
        l.sort { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        series.append(.init(labels: l, samples: samples))
    }

    /// A counter over `ts` growing by about `rate` per second, resetting to a
    /// small value with probability `resetChance` per sample.
    mutating func counter(_ ts: [Int64], rate: Double, resetChance: Double, start: Double = 0, integer: Bool = true) -> [(Int64, Double)] {
        var v = start
        var out: [(Int64, Double)] = []
        var prev = ts.first ?? 0
        for t in ts {
            let dt = Double(t - prev) / 1000
            prev = t
            if !out.isEmpty && rng.chance(resetChance) {
                v = integer ? Double(rng.int(0...3)) : (rng.unit() * 2).rounded(toPlaces: 2)
            } else {
                let inc = rate * dt * (0.5 + rng.unit())
                v += integer ? inc.rounded(.down) : inc.rounded(toPlaces: 2)
            }
            out.append((t, v))
        }
        return out
    }

    mutating func build() {
        let requestTargets: [(job: String, instance: String, offset: Int64, jitter: Int64)] = [
            ("api-server", "10.0.0.1:8080", 3_217, 0),
            ("api-server", "10.0.0.2:8080", 7_031, 25),
            ("web", "web-1.example.com:80", 11_900, 3),
            ("batch", "batch.internal:9000", 1_000, 0),
        ]
        let paths = ["/api/v1/query", "/api/v1/query_range", "/health", "/ünï/cødé"]
        for target in requestTargets {
            let ts = times(interval: 15_000, offset: target.offset, jitter: target.jitter)
            for method in ["GET", "POST"] {
                for code in ["200", "500"] {
                    let path = paths[Int(rng.int(0...3))]
                    let rate = code == "200" ? 5.0 + rng.unit() * 20 : rng.unit()
                    let samples = counter(ts, rate: rate, resetChance: target.job == "batch" ? 0.03 : 0.004)
                    add("http_requests_total", [("job", target.job), ("instance", target.instance), ("method", method),
                                                ("code", code), ("path", path)], samples)
                }
            }
        }
        for target in requestTargets where target.job != "batch" {
            let ts = times(interval: 15_000, offset: target.offset, jitter: target.jitter)
            add("up", [("job", target.job), ("instance", target.instance)], ts.map { ($0, 1) })
        }

        // node_exporter-like targets, scraped every 10 s.
        for (h, host) in ["node-a:9100", "node-b:9100"].enumerated() {
            let ts = times(interval: 10_000, offset: Int64(2_500 + h * 4_321), jitter: 2)
            add("up", [("job", "node"), ("instance", host)], ts.enumerated().map { i, t in (t, h == 1 && i >= 200 && i < 215 ? 0 : 1) })
            add("node_info", [("job", "node"), ("instance", host), ("version", h == 0 ? "1.5.0" : "1.6.1")], ts.map { ($0, 1) })
            add("machine_role", [("instance", host), ("role", h == 0 ? "db" : "web")], ts.map { ($0, 1) })
            for cpu in ["0", "1"] {
                for mode in ["idle", "user", "system", "iowait"] {
                    let rate = mode == "idle" ? 0.8 : (mode == "user" ? 0.12 : 0.03)
                    let samples = counter(ts, rate: rate, resetChance: h == 1 && cpu == "1" ? 0.002 : 0,
                                          start: 1_000 + rng.unit() * 500, integer: false)
                    add("node_cpu_seconds_total", [("job", "node"), ("instance", host), ("cpu", cpu), ("mode", mode)], samples)
                }
            }
            var mem = 4e9 + rng.unit() * 1e9
            add("node_memory_MemAvailable_bytes", [("job", "node"), ("instance", host)], ts.map { t in
                mem += (rng.unit() - 0.5) * 5e7
                return (t, (mem / 4096).rounded() * 4096)
            })
            var load = 0.5
            add("node_load1", [("job", "node"), ("instance", host)], ts.map { t in
                load = max(0, load * 0.92 + rng.unit() * 0.3)
                return (t, load.rounded(toPlaces: 2))
            })
        }

        // Gauges: negative values, integer values with ties.
        for (i, sensor) in ["ambient", "cpu", "gpu"].enumerated() {
            let ts = times(interval: 15_000, offset: Int64(500 + i * 1_000))
            var temp = [-5.0, 45.0, 60.0][i]
            add("temperature_celsius", [("location", "rack-1"), ("sensor", sensor)], ts.map { t in
                temp += (rng.unit() - 0.5) * 2
                return (t, temp.rounded(toPlaces: 1))
            })
        }
        for (i, q) in ["alpha", "beta", "gamma", "delta"].enumerated() {
            let ts = times(interval: 15_000, offset: Int64(4_000 + i * 10))
            add("queue_length", [("queue", q), ("job", i < 2 ? "worker" : "scheduler")], ts.map { ($0, Double(rng.int(0...6))) })
        }

        // Classic histograms.
        let bounds = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
        let boundValues = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Double.infinity]
        for (n, target) in requestTargets.prefix(3).enumerated() {
            let ts = times(interval: 15_000, offset: target.offset, jitter: target.jitter)
            var counts = [Double](repeating: 0, count: bounds.count)
            var sum = 0.0
            var rows: [([Double], Double)] = []
            for (i, _) in ts.enumerated() {
                if n == 1 && i == 150 {
                    // The second target restarts: all buckets reset together.
                    counts = counts.map { _ in 0 }
                    sum = 0
                }
                let requests = Int(rng.int(0...40))
                for _ in 0..<requests {
                    let d = -0.2 * log(1 - rng.unit()) * (n == 2 ? 3 : 1)
                    sum += d
                    for b in boundValues.indices where d <= boundValues[b] { counts[b] += 1 }
                }
                rows.append((counts, sum))
            }
            let base = [("job", target.job), ("instance", target.instance)]
            for (b, le) in bounds.enumerated() {
                add("http_request_duration_seconds_bucket", base + [("le", le)], zip(ts, rows).map { ($0, $1.0[b]) })
            }
            add("http_request_duration_seconds_sum", base, zip(ts, rows).map { ($0, $1.1.rounded(toPlaces: 6)) })
            add("http_request_duration_seconds_count", base, zip(ts, rows).map { ($0, $1.0[bounds.count - 1]) })
        }
        do {
            // `le="1"` and `le="1.0"` are different series with the same bound.
            let ts = times(interval: 30_000, offset: 9_000)
            var c = [0.0, 0, 0, 0]
            var rows: [[Double]] = []
            for _ in ts {
                let a = Double(rng.int(0...5)), b = Double(rng.int(0...5)), d = Double(rng.int(0...5)), e = Double(rng.int(0...5))
                c[0] += a; c[1] += a + b; c[2] += a + b + d; c[3] += a + b + d + e
                rows.append(c)
            }
            for (i, le) in ["0.1", "0.5", "1.0", "+Inf"].enumerated() {
                add("rpc_latency_seconds_bucket", [("service", "auth"), ("le", le)], zip(ts, rows).map { ($0, $1[i]) })
            }
            add("rpc_latency_seconds_bucket", [("service", "auth"), ("le", "1")], zip(ts, rows).map { ($0, ($1[2] / 3).rounded()) })
            // Not monotonic: the 0.5 bucket sometimes exceeds the 1 bucket.
            for (i, le) in ["0.1", "0.5", "1", "+Inf"].enumerated() {
                add("broken_histogram_bucket", [("le", le)], zip(ts, rows).map { t, r in (t, i == 1 ? r[2] + 2 : r[i == 0 ? 0 : (i == 2 ? 1 : 3)]) })
            }
            // No +Inf bucket.
            for (i, le) in ["0.1", "0.5", "1"].enumerated() {
                add("noinf_histogram_bucket", [("le", le)], zip(ts, rows).map { ($0, $1[i]) })
            }
        }

        // Gaps: 3 minutes (inside the lookback) and 12 minutes (beyond it).
        let gappy = times(interval: 15_000, offset: 6_000)
        add("gappy_gauge", [("id", "short")], gappy.filter { $0 < t0 + 20 * 60_000 || $0 >= t0 + 23 * 60_000 }.map { ($0, Double(($0 - t0) / 15_000 % 17)) })
        add("gappy_gauge", [("id", "long")], gappy.filter { $0 < t0 + 30 * 60_000 || $0 >= t0 + 42 * 60_000 }.map { ($0, Double(($0 - t0) / 15_000 % 13) * 1.5) })

        // Staleness markers.
        let stale = DifferentialDataset.staleNaN
        var a: [(Int64, Double)] = []
        for t in gappy where t < t0 + 30 * 60_000 { a.append((t, Double(a.count))) }
        a.append((t0 + 30 * 60_000 + 6_000, stale))
        for t in gappy where t >= t0 + 50 * 60_000 { a.append((t, Double(a.count))) }
        add("stale_series", [("id", "a")], a)
        var bSeries: [(Int64, Double)] = []
        for t in gappy {
            if t == t0 + 40 * 60_000 + 6_000 { bSeries.append((t, stale)) } else { bSeries.append((t, 100 + Double(bSeries.count % 9))) }
        }
        add("stale_series", [("id", "b")], bSeries)
        var cSeries: [(Int64, Double)] = gappy.filter { $0 < t0 + 60 * 60_000 }.map { ($0, 7) }
        cSeries.append((t0 + 60 * 60_000 + 6_000, stale))
        add("stale_series", [("id", "c")], cSeries)

        // NaN, ±Inf, zeros, negatives, extreme magnitudes.
        let sv = times(interval: 15_000, offset: 8_000)
        add("special_values", [("kind", "nan")], sv.map { ($0, .nan) })
        add("special_values", [("kind", "pos_inf")], sv.map { ($0, .infinity) })
        add("special_values", [("kind", "neg_inf")], sv.map { ($0, -.infinity) })
        add("special_values", [("kind", "zero")], sv.map { ($0, 0) })
        add("special_values", [("kind", "negative")], sv.map { t in (t, -Double(rng.int(1...1000)) / 8) })
        add("special_values", [("kind", "huge")], sv.map { t in (t, 1e300 * (1 + rng.unit())) })
        add("special_values", [("kind", "tiny")], sv.map { t in (t, 1e-300 * (1 + rng.unit())) })
        add("special_values", [("kind", "mixed")], sv.enumerated().map { i, t in
            switch i % 11 {
            case 3: return (t, .nan)
            case 7: return (t, .infinity)
            case 9: return (t, -.infinity)
            default: return (t, Double(i % 5) - 2)
            }
        })
        add("constant_gauge", [("job", "const")], sv.map { ($0, 42) })

        // Series that start late or have few samples.
        add("late_series", [("id", "x")], times(interval: 15_000, offset: 5_000, from: t0 + 40 * 60_000).map { t in (t, Double((t - t0) / 1000) / 7) })
        add("sparse_series", [("id", "one")], [(t0 + 20 * 60_000 + 1_234, 5)])
        add("two_samples", [("id", "pair")], [(t0 + 20 * 60_000, 10), (t0 + 21 * 60_000 + 30_000, 25)])

        // Label values for regex matchers.
        let values = ["foo", "foo.bar", "foobar", "FOO", "foo\nbar", "föö", "a|b", "x+y", "[brackets]", "with space", "trailing-", "123",
                      "\u{661}\u{662}\u{663}", "e\u{301}t\u{e9}", "a\r\nb", "tab\there", "nbsp\u{a0}x", "ǅemo", "Straße"]
        let lt = times(interval: 30_000, offset: 12_000)
        for (i, v) in values.enumerated() {
            add("label_test", [("v", v), ("group", i % 2 == 0 ? "even" : "odd")], lt.map { ($0, Double(i)) })
        }

        // Equal label sets once the name is dropped.
        add("collide_a_total", [("job", "x")], counter(lt, rate: 1, resetChance: 0))
        add("collide_b_total", [("job", "x")], counter(lt, rate: 2, resetChance: 0))

        // Two counters that are never present at the same time: equal label sets
        // without the name collide only if a check looks at the whole range.
        add("disjoint_a", [("job", "d")], counter(lt.filter { $0 < t0 + 30 * 60_000 }, rate: 1, resetChance: 0))
        add("disjoint_b", [("job", "d")], counter(lt.filter { $0 >= t0 + 45 * 60_000 }, rate: 3, resetChance: 0))

        // A recording-rule-like series.
        for job in ["api-server", "web"] {
            add("job:http_requests:rate5m", [("job", job)], lt.map { t in (t, (rng.unit() * 50).rounded(toPlaces: 3)) })
        }
    }
}

extension Double {
    func rounded(toPlaces p: Int) -> Double {
        var m = 1.0
        for _ in 0..<p { m *= 10 }
        return (self * m).rounded() / m
    }
}

