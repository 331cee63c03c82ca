import Foundation
import Testing
import StrataServer
import StrataTestSupport

/// Issue #5 over real HTTP: backfill (`/api/v1/admin/tsdb/import`),
/// `compact`, rollup-served range queries (`resolution=`), native
/// percentiles, `delete_series`/`clean_tombstones`, retention.
@Suite(.serialized) struct CompactionAPITests {
    /// 2023-11-15 00:00 UTC: a multiple of a day.
    static let base: Int64 = 1_700_006_400_000
    static let hour: Int64 = 3_600_000
    static let hosts = ["h0", "h1"]

    /// Two days at 15 s, 7 s past every multiple of 15 s, so that no
    /// sample lies on a window boundary (raw `[e − range, e]` and rollup
    /// `[e − range, e)` select the same samples).
    struct Data {
        var times: [Int64] = []
        /// Per host: a response-time gauge in [100, 200) and a counter with a reset.
        var gauge: [[Double]] = []
        var counter: [[Double]] = []

        init(days: Int = 2) {
            times = (0..<(days * 5760)).map { CompactionAPITests.base + 7_000 + Int64($0) * 15_000 }
            var rng = WorkloadRandom(seed: 42)
            for _ in CompactionAPITests.hosts {
                gauge.append(times.map { _ in 100 + Double(rng.next() % 10_000) / 100 })
                var c = 0.0
                counter.append(times.indices.map { i in
                    if i == 3_000 { c = 0 }   // a restart
                    c += Double(rng.next() % 50)
                    return c
                })
            }
        }

        var csv: String {
            var s = "__name__,instance,timestamp,value\n"
            for (h, host) in CompactionAPITests.hosts.enumerated() {
                for (i, t) in times.enumerated() {
                    s += "resp_time,\(host),\(t),\(gauge[h][i])\n"
                    s += "reqs_total,\"\(host)\",\(t),\(counter[h][i])\n"
                }
            }
            return s
        }

        /// Indices of samples in [lo, hi).
        func indices(_ lo: Int64, _ hi: Int64) -> Range<Int> {
            let a = times.firstIndex { $0 >= lo } ?? times.count
            let b = times.firstIndex { $0 >= hi } ?? times.count
            return a..<b
        }
    }

    /// A matrix answer as instance → [(time ms, value)].
    static func matrix(_ r: HTTPResult, key: String = "instance") -> [String: [(Int64, Double)]] {
        var out: [String: [(Int64, Double)]] = [:]
        for s in (r.data as? [String: Any])?["result"] as? [[String: Any]] ?? [] {
            let metric = s["metric"] as? [String: String] ?? [:]
            let k = key.split(separator: ",").map { metric[String($0)] ?? "" }.joined(separator: ",")
            out[k] = (s["values"] as? [[Any]] ?? []).map { p in
                (Int64(((p[0] as? Double) ?? 0) * 1000), Double(p[1] as? String ?? "") ?? .nan)
            }
        }
        return out
    }

    static func rangeQuery(_ s: TestServer, _ q: String, start: Int64, end: Int64, step: String, resolution: String) async throws -> HTTPResult {
        try await rangeQuery(base: s.base, q, start: start, end: end, step: step, resolution: resolution)
    }

    static func rangeQuery(base: String, _ q: String, start: Int64, end: Int64, step: String, resolution: String) async throws -> HTTPResult {
        try await HTTP.get(HTTP.url(base, "/api/v1/query_range", [
            ("query", q), ("start", String(start / 1000)), ("end", String(end / 1000)), ("step", step), ("resolution", resolution),
        ]))
    }

    /// `/api/v1/query` at `t` (ms), with `resolution` if given.
    static func instantQuery(_ s: TestServer, _ q: String, at t: Int64, resolution: String?) async throws -> HTTPResult {
        var params = [("query", q), ("time", String(Double(t) / 1000))]
        if let resolution { params.append(("resolution", resolution)) }
        let r = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", params))
        #expect(r.status == 200, "\(q): \(r.text)")
        return r
    }

    /// A vector answer as instance → value.
    static func vector(_ r: HTTPResult) -> [String: Double] {
        var out: [String: Double] = [:]
        for s in (r.data as? [String: Any])?["result"] as? [[String: Any]] ?? [] {
            let metric = s["metric"] as? [String: String] ?? [:]
            let v = s["value"] as? [Any] ?? []
            out[metric["instance"] ?? ""] = Double(v.count == 2 ? v[1] as? String ?? "" : "") ?? .nan
        }
        return out
    }

    /// Imports the data by CSV and compacts; returns the compaction answer.
    static func load(_ s: TestServer, _ data: Data) async throws -> HTTPResult {
        let imp = try await HTTP.request(s.base + "/api/v1/admin/tsdb/import?format=csv", method: .POST, body: Array(data.csv.utf8))
        #expect(imp.status == 200, "\(imp.text)")
        let d = imp.data as? [String: Any]
        #expect(d?["samples"] as? Int == data.times.count * 4)
        #expect(d?["series"] as? Int == 4)
        let c = try await HTTP.request(s.base + "/api/v1/admin/tsdb/compact", method: .POST)
        #expect(c.status == 200, "\(c.text)")
        return c
    }

    /// Whether `x` is within 1 % of a value between the order statistics
    /// around rank q·(n−1) of `values` (the sketch's guarantee, whatever
    /// rank convention it uses).
    static func withinSketchError(_ x: Double, q: Double, of values: [Double]) -> Bool {
        let sorted = values.sorted()
        let rank = q * Double(sorted.count - 1)
        let lo = sorted[Int(rank.rounded(.down))], hi = sorted[Int(rank.rounded(.up))]
        return x >= lo * 0.99 && x <= hi * 1.01
    }

    @Test func backfillCompactAndQueryRollups() async throws {
        let data = Data()
        try await withServer({ $0.compactionInterval = 3_600_000 }) { s in
            let c = try await Self.load(s, data)
            let report = c.data as? [String: Any]
            #expect(((report?["rollupBlocks"] as? [String]) ?? []).count >= 2, "\(c.text)")

            let start = Self.base + Self.hour, end = Self.base + 48 * Self.hour
            // Exact aggregates: rollups (1 h windows) against the generated samples.
            for (fn, expected) in [
                ("count_over_time", { (v: ArraySlice<Double>) in Double(v.count) }),
                ("max_over_time", { (v: ArraySlice<Double>) in v.max()! }),
                ("min_over_time", { (v: ArraySlice<Double>) in v.min()! }),
                ("last_over_time", { (v: ArraySlice<Double>) in v.last! }),
                ("sum_over_time", { (v: ArraySlice<Double>) in v.reduce(0, +) }),
            ] {
                let r = try await Self.rangeQuery(s, "\(fn)(resp_time[1h])", start: start, end: end, step: "1h", resolution: "1h")
                #expect(r.status == 200, "\(r.text)")
                let m = Self.matrix(r)
                for (h, host) in Self.hosts.enumerated() {
                    let points = m[host] ?? []
                    #expect(points.count == 48, "\(fn) \(host)")
                    for (t, v) in points {
                        let want = expected(data.gauge[h][data.indices(t - Self.hour, t)])
                        let tolerance = fn == "sum_over_time" ? abs(want) * 1e-12 : 0
                        #expect(abs(v - want) <= tolerance, "\(fn) \(host) at \(t): \(v) vs \(want)")
                    }
                }
                // auto at a 1 h step with aligned start reads the same windows.
                let auto = try await Self.rangeQuery(s, "\(fn)(resp_time[1h])", start: start, end: end, step: "1h", resolution: "auto")
                #expect(Self.matrix(auto).mapValues { $0.map(\.1) } == m.mapValues { $0.map(\.1) })
            }

            // quantile_over_time from merged sketches: within 1 %.
            let qr = try await Self.rangeQuery(s, "quantile_over_time(0.95, resp_time[2h])", start: start + Self.hour, end: end, step: "1h", resolution: "1h")
            for (h, host) in Self.hosts.enumerated() {
                let points = Self.matrix(qr)[host] ?? []
                #expect(points.count == 47)
                for (t, v) in points {
                    #expect(Self.withinSketchError(v, q: 0.95, of: Array(data.gauge[h][data.indices(t - 2 * Self.hour, t)])), "\(host) at \(t): \(v)")
                }
            }

            // increase: exact, from the last sample before the range (counter reset included).
            let ir = try await Self.rangeQuery(s, "increase(reqs_total[1h])", start: start + Self.hour, end: end, step: "1h", resolution: "1h")
            for (h, host) in Self.hosts.enumerated() {
                let points = Self.matrix(ir)[host] ?? []
                #expect(points.count == 47)
                for (t, v) in points {
                    let idx = data.indices(t - Self.hour, t)
                    var want = 0.0
                    for i in idx {
                        let prev = data.counter[h][i - 1], cur = data.counter[h][i]
                        want += cur >= prev ? cur - prev : cur
                    }
                    #expect(abs(v - want) <= abs(want) * 1e-9, "\(host) at \(t): \(v) vs \(want)")
                }
            }

            // Native percentiles per host from the 1 h sketches.
            let p = try await HTTP.get(HTTP.url(s.base, "/api/v1/percentiles", [
                ("match[]", "resp_time"), ("q", "0.5,0.95"), ("start", String(start / 1000)), ("end", String(end / 1000)),
                ("step", "1h"), ("by", "instance"),
            ]))
            #expect(p.status == 200, "\(p.text)")
            let pm = Self.matrix(p, key: "instance,quantile")
            #expect(pm.count == 4)
            for (h, host) in Self.hosts.enumerated() {
                for q in [0.5, 0.95] {
                    let points = pm["\(host),\(q)"] ?? []
                    #expect(points.count == 48)
                    for (t, v) in points {
                        #expect(Self.withinSketchError(v, q: q, of: Array(data.gauge[h][data.indices(t - Self.hour, t)])), "p\(q) \(host) at \(t)")
                    }
                }
            }

            // Parameter errors.
            let bad = try await Self.rangeQuery(s, "resp_time", start: start, end: end, step: "1h", resolution: "7m")
            #expect(bad.status == 400)
            #expect(bad.errorType == "bad_data")
            let badQ = try await HTTP.get(HTTP.url(s.base, "/api/v1/percentiles", [
                ("match[]", "resp_time"), ("q", "1.5"), ("start", "0"), ("end", "1"), ("step", "1"),
            ]))
            #expect(badQ.status == 400)
        }
    }

    @Test func rawRetentionLeavesRollupsForOldRanges() async throws {
        let data = Data()
        try await withServer({ $0.retention = 86_400_000; $0.compactionInterval = 3_600_000 }) { s in
            let c = try await Self.load(s, data)
            let deleted = ((c.data as? [String: Any])?["deletedByTime"] as? [String]) ?? []
            #expect(!deleted.isEmpty, "\(c.text)")
            // A second cycle deletes nothing more: nothing inside retention goes.
            let again = try await HTTP.request(s.base + "/api/v1/admin/tsdb/compact", method: .POST)
            #expect(((again.data as? [String: Any])?["deletedByTime"] as? [String]) == [])

            let start = Self.base + Self.hour, end = Self.base + 48 * Self.hour
            let raw = Self.matrix(try await Self.rangeQuery(s, "count_over_time(resp_time[1h])", start: start, end: end, step: "1h", resolution: "raw"))
            let auto = Self.matrix(try await Self.rangeQuery(s, "count_over_time(resp_time[1h])", start: start, end: end, step: "1h", resolution: "auto"))
            for host in Self.hosts {
                // Raw data: the last day only (whole 2 h blocks), every sample of it.
                let rawPoints = raw[host] ?? []
                #expect(rawPoints.count == 24, "\(rawPoints.map(\.0))")
                #expect(rawPoints.allSatisfy { $0.1 == 240 })
                #expect(rawPoints.first?.0 == Self.base + 25 * Self.hour)
                // auto answers the expired day from the rollups.
                let autoPoints = auto[host] ?? []
                #expect(autoPoints.count == 48)
                #expect(autoPoints.allSatisfy { $0.1 == 240 })
            }
            // A 5 m range at a 1 h step reads the 5 m windows.
            let short = Self.matrix(try await Self.rangeQuery(s, "count_over_time(resp_time[5m])", start: start, end: end, step: "1h", resolution: "auto"))
            for host in Self.hosts {
                #expect((short[host] ?? []).count == 48)
                #expect((short[host] ?? []).allSatisfy { $0.1 == 20 })
            }

            // Instant queries (a dashboard's stat panel) over the expired day:
            // `auto` answers from the rollups, `raw` has nothing. At 10:30 a
            // 1 h range reads the twelve 5 m windows from 09:30 (the finest
            // window that divides it: edges where the range's are), and a
            // plain selector the last sample of the 5 m window before it.
            let t = Self.base + 10 * Self.hour + 30 * 60_000
            let window = data.indices(t - Self.hour, t), last = data.indices(t - 300_000, t).upperBound - 1
            for (q, want) in [
                ("count_over_time(resp_time[1h])", { (h: Int) in Double(window.count) }),
                ("sum_over_time(resp_time[1h])", { (h: Int) in window.reduce(0.0) { $0 + data.gauge[h][$1] } }),
                ("max_over_time(resp_time[1h])", { (h: Int) in window.map { data.gauge[h][$0] }.max()! }),
                ("resp_time", { (h: Int) in data.gauge[h][last] }),
            ] {
                let auto = Self.vector(try await Self.instantQuery(s, q, at: t, resolution: nil))
                let raw = Self.vector(try await Self.instantQuery(s, q, at: t, resolution: "raw"))
                #expect(raw.isEmpty, "\(q): raw data of the expired day: \(raw)")
                for (h, host) in Self.hosts.enumerated() {
                    let got = try #require(auto[host], "\(q): no answer for \(host)")
                    #expect(abs(got - want(h)) <= 1e-9 * abs(want(h)), "\(q) \(host): \(got) vs \(want(h))")
                }
            }
            // Inside raw retention `auto` is raw's exact answer (rollups are
            // not read merely because the time is aligned to their windows).
            let recent = Self.base + 30 * Self.hour
            for q in ["rate(reqs_total[1h])", "resp_time", "avg_over_time(resp_time[5m])"] {
                let auto = Self.vector(try await Self.instantQuery(s, q, at: recent, resolution: nil))
                let raw = Self.vector(try await Self.instantQuery(s, q, at: recent, resolution: "raw"))
                #expect(!raw.isEmpty && auto == raw, "\(q): \(auto) vs \(raw)")
            }
        }
    }

    /// By default 5-minute rollups are made only for raw blocks within one
    /// maximum block span of leaving raw retention (issue #5's size budget):
    /// two days of data under 30-day retention get 1 h rollups only, and
    /// `auto` answers 5-minute steps from raw. `rollup_after: {5m: 0s}`
    /// makes them at once.
    @Test func fiveMinuteRollupsWaitForTheEndOfRawRetention() async throws {
        let data = Data()
        let start = Self.base + Self.hour, end = Self.base + 48 * Self.hour
        func windows(_ r: HTTPResult) -> Int { Self.matrix(r).values.reduce(0) { $0 + $1.count } }
        try await withServer({ $0.compactionInterval = 3_600_000 }) { s in
            let c = try await Self.load(s, data)
            let made = ((c.data as? [String: Any])?["rollupBlocks"] as? [String])?.count ?? 0
            #expect(made > 0, "\(c.text)")
            let five = try await Self.rangeQuery(s, "count_over_time(resp_time[5m])", start: start, end: end, step: "5m", resolution: "5m")
            #expect(five.status == 200, "\(five.text)")
            #expect(windows(five) == 0, "no 5 m rollups yet: \(five.text.prefix(300))")
            let hour = try await Self.rangeQuery(s, "count_over_time(resp_time[1h])", start: start, end: end, step: "1h", resolution: "1h")
            #expect(windows(hour) == 2 * 48)
            // auto: raw data answers the 5-minute step, every window complete.
            let auto = Self.matrix(try await Self.rangeQuery(s, "count_over_time(resp_time[5m])", start: start, end: end, step: "5m", resolution: "auto"))
            for host in Self.hosts {
                #expect((auto[host] ?? []).count == 47 * 12 + 1)
                #expect((auto[host] ?? []).allSatisfy { $0.1 == 20 })
            }
            let flags = try await HTTP.get(s.base + "/api/v1/status/flags")
            #expect((flags.data as? [String: String])?["rollup-after.1h"] == "0s", "\(flags.text)")
        }
        try await withServer({ $0.compactionInterval = 3_600_000; $0.rollupAfter5m = 0 }) { s in
            _ = try await Self.load(s, data)
            let five = try await Self.rangeQuery(s, "count_over_time(resp_time[5m])", start: start, end: end, step: "5m", resolution: "5m")
            #expect(windows(five) == 2 * (47 * 12 + 1), "\(five.text.prefix(300))")
        }
        let c = try ServeConfig.parse(yaml: "rollup_after: {5m: 7d, 1h: 2h}\n")
        let week: Int64 = 7 * 86_400_000
        #expect(c.rollupAfter5m == week)
        #expect(c.rollupAfter1h == 2 * Self.hour)
        #expect(throws: ConfigError.self) { try ServeConfig.parse(yaml: "rollup_after: {5m: soon}\n") }
        #expect(throws: ConfigError.self) { try ServeConfig.parse(yaml: "rollup_after: {2m: 1d}\n") }
    }

    @Test func sizeRetentionDeletesOldestBlocksNeverTheHead() async throws {
        let data = Data(days: 1)
        try await withServer({ $0.retentionBytes = 1; $0.compactionInterval = 3_600_000 }) { s in
            // Head data just after the imported day (so time retention keeps the blocks).
            let now = Self.base + 86_400_000 + 60_000
            let w = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([(labels: [("__name__", "fresh")], samples: [(now, 7)])]))
            #expect(w.status == 204)
            let c = try await Self.load(s, data)
            let bySize = ((c.data as? [String: Any])?["deletedBySize"] as? [String]) ?? []
            #expect(!bySize.isEmpty, "\(c.text)")
            // Every block is over the 1-byte bound and goes; the head stays.
            let old = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "count_over_time(resp_time[1d])"),
                                                                              ("time", String((Self.base + 86_400_000) / 1000))]))
            #expect(old.text.contains("\"result\":[]"), "\(old.text)")
            let fresh = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "fresh"), ("time", String(now / 1000))]))
            #expect(fresh.text.contains("\"7\""), "\(fresh.text)")
        }
    }

    /// A size bound deletes raw blocks (oldest first) long before their
    /// 5-minute rollups are due under 30-day retention: they get them first,
    /// and the rollups stay, so every 5-minute window still answers.
    @Test func sizeRetentionRollsUpRawBlocksBeforeDeletingThem() async throws {
        let data = Data()
        func blocks(_ s: TestServer) async throws -> [[String: Any]] {
            let r = try await HTTP.get(s.base + "/api/v1/status/tsdb")
            return ((r.data as? [String: Any])?["blocks"] as? [[String: Any]]) ?? []
        }
        // Sizes with every rollup made at once (the data lies in two
        // 3-day-aligned raw blocks). Under the default `rollup_after` the
        // bounded server holds both raw blocks and the 1 h rollups, over the
        // bound; without the oldest raw block and with its 5 m rollups, under
        // it, with room to spare (block sizes may differ by a few bytes).
        var bound = 0, oldest: (bytes: Int, maxTime: Int) = (0, .max)
        try await withServer({ $0.compactionInterval = 3_600_000; $0.rollupAfter5m = 0 }) { s in
            _ = try await Self.load(s, data)
            let all = try await blocks(s)
            func bytes(_ b: [String: Any]) -> Int { b["bytes"] as? Int ?? 0 }
            func res(_ b: [String: Any]) -> Int { b["resolution"] as? Int ?? -1 }
            func maxTime(_ b: [String: Any]) -> Int { b["maxTime"] as? Int ?? .max }
            for b in all where res(b) == 0 && maxTime(b) < oldest.maxTime { oldest = (bytes(b), maxTime(b)) }
            let keptRaw = all.filter { res($0) == 0 && maxTime($0) > oldest.maxTime }.reduce(0) { $0 + bytes($1) }
            let hourly = all.filter { res($0) == 3_600_000 }.reduce(0) { $0 + bytes($1) }
            let fiveOld = all.filter { res($0) == 300_000 && maxTime($0) == oldest.maxTime }.reduce(0) { $0 + bytes($1) }
            #expect(keptRaw > 0 && hourly > 0 && fiveOld > 0 && oldest.bytes > fiveOld, "\(all)")
            bound = keptRaw + hourly + fiveOld + (oldest.bytes - fiveOld) / 2
        }
        try await withServer({ $0.compactionInterval = 3_600_000; $0.retentionBytes = Int64(bound) }) { s in
            let c = try await Self.load(s, data)
            let bySize = ((c.data as? [String: Any])?["deletedBySize"] as? [String]) ?? []
            #expect(bySize.count == 1, "\(c.text)")
            let left = try await blocks(s)
            let raw = left.filter { ($0["resolution"] as? Int) == 0 }
            // The oldest raw block is gone, the newer one stays...
            #expect(raw.count == 1 && raw.allSatisfy { ($0["minTime"] as? Int) == oldest.maxTime }, "\(left)")
            #expect(left.reduce(0) { $0 + (($1["bytes"] as? Int) ?? 0) } <= bound)
            // ...its range has 5-minute rollups made early, the newer one not yet...
            #expect(left.contains { ($0["resolution"] as? Int) == 300_000 && ($0["maxTime"] as? Int) == oldest.maxTime }, "\(left)")
            #expect(!left.contains { ($0["resolution"] as? Int) == 300_000 && ($0["maxTime"] as? Int ?? 0) > oldest.maxTime }, "\(left)")
            // ...but every 5-minute window of both days answers, complete.
            let start = Self.base + Self.hour, end = Self.base + 48 * Self.hour
            let auto = Self.matrix(try await Self.rangeQuery(s, "count_over_time(resp_time[5m])", start: start, end: end, step: "5m", resolution: "auto"))
            for host in Self.hosts {
                #expect((auto[host] ?? []).count == 47 * 12 + 1, "\(host)")
                #expect((auto[host] ?? []).allSatisfy { $0.1 == 20 })
            }
        }
    }

    @Test func deleteSeriesAndCleanTombstones() async throws {
        let data = Data(days: 1)
        try await withServer({ $0.compactionInterval = 3_600_000 }) { s in
            _ = try await Self.load(s, data)
            // Delete h1's response times in [base + 2 h, base + 4 h).
            let del = try await HTTP.request(HTTP.url(s.base, "/api/v1/admin/tsdb/delete_series", [
                ("match[]", "resp_time{instance=\"h1\"}"), ("start", String((Self.base + 2 * Self.hour) / 1000)),
                ("end", String((Self.base + 4 * Self.hour - 1) / 1000)),
            ]), method: .POST)
            #expect(del.status == 204, "\(del.text)")
            let noMatch = try await HTTP.request(s.base + "/api/v1/admin/tsdb/delete_series", method: .POST)
            #expect(noMatch.status == 400)

            func counts() async throws -> [String: [(Int64, Double)]] {
                Self.matrix(try await Self.rangeQuery(s, "count_over_time(resp_time[1h])", start: Self.base + Self.hour,
                                                      end: Self.base + 24 * Self.hour, step: "1h", resolution: "raw"))
            }
            func check(_ m: [String: [(Int64, Double)]]) {
                #expect((m["h0"] ?? []).count == 24)
                let h1 = m["h1"] ?? []
                #expect(h1.count == 22, "\(h1.map(\.0))")
                #expect(!h1.contains { $0.0 == Self.base + 3 * Self.hour || $0.0 == Self.base + 4 * Self.hour })
                #expect(h1.allSatisfy { $0.1 == 240 })
            }
            check(try await counts())
            let clean = try await HTTP.request(s.base + "/api/v1/admin/tsdb/clean_tombstones", method: .PUT)
            #expect(clean.status == 204)
            check(try await counts())
            // The rollups of the deleted range are gone too.
            let rolled = Self.matrix(try await Self.rangeQuery(s, "count_over_time(resp_time[1h])", start: Self.base + Self.hour,
                                                               end: Self.base + 24 * Self.hour, step: "1h", resolution: "1h"))
            #expect((rolled["h1"] ?? []).count == 22)
        }
    }

    @Test func importRefusesBadInput() async throws {
        try await withServer { s in
            let r = try await HTTP.request(s.base + "/api/v1/admin/tsdb/import?format=csv", method: .POST,
                                           body: Array("__name__,timestamp,value\nx,12,oops\n".utf8))
            #expect(r.status == 400)
            #expect(r.error?.contains("2:") == true, "\(r.text)")
            let f = try await HTTP.request(s.base + "/api/v1/admin/tsdb/import?format=xml", method: .POST, body: [])
            #expect(f.status == 400)
            // OpenMetrics with timestamps (seconds).
            let om = "# TYPE om_metric gauge\nom_metric{a=\"b\"} 1 1700000000\nom_metric{a=\"b\"} 2 1700000015\n# EOF\n"
            let ok = try await HTTP.request(s.base + "/api/v1/admin/tsdb/import?format=openmetrics", method: .POST, body: Array(om.utf8))
            #expect(ok.status == 200, "\(ok.text)")
            #expect((ok.data as? [String: Any])?["samples"] as? Int == 2)
            let q = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "om_metric[1m]"), ("time", "1700000030")]))
            #expect(q.text.contains("\"2\""), "\(q.text)")
        }
    }
}
