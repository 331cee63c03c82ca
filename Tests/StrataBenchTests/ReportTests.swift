import Foundation
import Testing

@testable import StrataBench

@Suite struct ReportTests {
    @Test func numberFormatting() {
        #expect(Report.fixed(1.005, 2) == "1.01" || Report.fixed(1.005, 2) == "1.00")
        #expect(Report.fixed(-0.25, 1) == "-0.3")
        #expect(Report.fixed(12, 0) == "12")
        #expect(Report.fixed(0.5, 3) == "0.500")
        #expect(Report.grouped(2_880_000) == "2,880,000")
        #expect(Report.grouped(999) == "999")
        #expect(Report.grouped(-1_000) == "-1,000")
        #expect(Report.si(612_345) == "612.3k")
        #expect(Report.si(1_500_000) == "1.50M")
        #expect(Report.duration(185) == "3m05s")
        #expect(Report.duration(3_720) == "1h02m")
        #expect(Report.promDuration(ms: 6 * 3_600_000) == "6h")
        #expect(Report.promDuration(ms: 5_400_000 + 1_000) == "1h30m1s")
        #expect(Report.sig(0.12345) == "0.123")
        #expect(Report.sig(123.4) == "123")
    }

    @Test func percentilesAreNearestRank() {
        #expect(Percentile.of([], 50) == nil)
        #expect(Percentile.of([3, 1, 2], 50) == 2)
        #expect(Percentile.of(Array(1...20).map(Double.init), 95) == 19)
        #expect(Percentile.of(Array(1...20).map(Double.init), 50) == 10)
        #expect(Percentile.of([7], 95) == 7)
    }

    @Test func queryWindowIsAlignedToItsStep() {
        let start: Int64 = 1_700_000_000_000
        let w = QueryWindow.covering(dataStart: start, dataEnd: start + 6 * 3_600_000 - 1, steps: 250)
        #expect(w.step == 86_000)
        #expect(w.start % w.step == 0 && w.end % w.step == 0)
        #expect(w.start >= start && w.start - start < w.step)
        #expect(w.end <= start + 6 * 3_600_000 && w.points >= 245 && w.points <= 252)
    }

    @Test func urlEncoding() {
        #expect(URLQuery.encode(#"sum by (a) (x{b=~"c|d"})"#) == "sum%20by%20%28a%29%20%28x%7Bb%3D~%22c%7Cd%22%7D%29")
        #expect(URLQuery.seconds(1_700_000_000_000) == "1700000000")
        #expect(URLQuery.seconds(1_700_000_000_050) == "1700000000.050")
    }

    @Test func procStatParsing() {
        // The command name may contain spaces and parentheses.
        let line = "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 1200 0 0 0 250 75 0 0 20 0 12 0 100 1000 200"
        #expect(ProcessStats.cpuTicks(statLine: line) == 325)
        #expect(ProcessStats.cpuTicks(statLine: "garbage") == nil)
        let status = "Name:\tstrata\nVmPeak:\t  200000 kB\nVmHWM:\t   51234 kB\nVmRSS:\t   40000 kB\n"
        #expect(ProcessStats.statusKiB(status, "VmHWM") == 51_234)
        #expect(ProcessStats.statusKiB(status, "VmRSS") == 40_000)
        #expect(ProcessStats.statusKiB(status, "VmSwap") == nil)
        // Our own process is readable.
        let me = ProcessStats.read(pid: getpid())
        #expect(me != nil && me!.peakRSSBytes > 0 && me!.peakRSSBytes >= me!.rssBytes)
        #expect((ProcessStats.threadCPUNanos(pid: getpid()) ?? 0) > 0)
        #expect(ProcessStats.threadCPUNanos(pid: -1) == nil)
    }

    @Test func directorySizeCountsHardLinksOnce() throws {
        let dir = FileManager.default.temporaryDirectory.path + "/strata-bench-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/a/b", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/snapshots", withIntermediateDirectories: true)
        try Data(count: 1_000).write(to: URL(fileURLWithPath: dir + "/a/one"))
        try Data(count: 234).write(to: URL(fileURLWithPath: dir + "/a/b/two"))
        try FileManager.default.linkItem(atPath: dir + "/a/one", toPath: dir + "/snapshots/one")
        let all = DirectorySize.measure(dir)
        #expect(all.apparentBytes == 1_234 && all.files == 2)
        #expect(DirectorySize.measure(dir, excluding: ["b"]).apparentBytes == 1_000)
        #expect(DirectorySize.measure(dir + "/snapshots").apparentBytes == 1_000)
        #expect(DirectorySize.measure(dir + "/missing") == DirectorySize())
        #expect(DirectorySize.subdirectories(dir) == ["a", "snapshots"])
    }

    static func sample() -> BenchResults {
        func target(_ k: TargetKind, rate: Double, rss: Int, p50: Double, digest: String) -> TargetResult {
            var t = TargetResult(target: k, url: "http://127.0.0.1:1", external: false)
            t.version = k == .prometheus ? "prometheus, version 2.42.0+ds (branch: debian/sid)" : nil
            t.ingest = .init(seconds: 1, samples: 1_000, samplesPerSecond: rate, requests: 1, failedRequests: 0, retries: 0, firstError: nil, timedOut: false)
            t.cpu = .init(ingest: 1, flush: 0.1, queries: 0.5, total: 2)
            t.memory = .init(peakRSSAfterIngestBytes: rss, peakRSSBytes: rss * 2)
            t.storage = .init(blockBytes: 1_000, dataDirBytes: 2_000, blockBytesPerSample: 1, dataDirBytesPerSample: 2)
            t.flushSeconds = 0.2
            t.storedSamples = 1_000
            var q = QueryMeasurement(name: "cpu")
            q.runs = 5
            q.timesMs = [p50 / 2, p50, p50, p50 * 2, p50 * 2]
            q.p50Ms = p50
            q.p95Ms = p50 * 2
            q.digest = digest
            if k == .strata {
                q.vsPrometheus = "identical"
                q.matchesPrometheus = true
            }
            t.queries = [q]
            return t
        }
        return BenchResults(
            date: "2026-01-01T00:00:00Z",
            machine: .init(cpu: "test", cores: 2, memoryBytes: 1 << 30, kernel: "Linux"),
            settings: .init(workload: .node, series: 200, durationMs: 3_600_000, seed: 1, connections: 2, batchSamples: 500, queryRuns: 5, repetitions: 1, quick: true),
            load: .init(samples: 1_000, staleMarkers: 0, series: 200, rounds: 5, requests: 2, rawBytes: 10_000, compressedBytes: 5_000, minTime: 0, maxTime: 60_000, generateSeconds: 0.1),
            window: QueryWindow(start: 0, end: 60_000, step: 15_000),
            queries: [BenchQuery("cpu", #"sum by (instance) (rate(x{a=~"b|c"}[5m]))"#, kind: .dashboard)],
            targets: [
                target(.strata, rate: 3_000_000, rss: 50 << 20, p50: 4, digest: "1"),
                target(.prometheus, rate: 1_000_000, rss: 130 << 20, p50: 10, digest: "1"),
                target(.victoriametrics, rate: 2_000_000, rss: 160 << 20, p50: 5, digest: "2"),
            ])
    }

    @Test func repetitionsGiveMedians() {
        let s = Self.sample()
        var a = s.target(.strata)!, b = a, c = a
        a.ingest!.samplesPerSecond = 1
        b.ingest!.samplesPerSecond = 3
        c.ingest!.samplesPerSecond = 2
        b.memory!.peakRSSAfterIngestBytes = 10
        c.ingest!.failedRequests = 2
        c.queries[0].timesMs = [100]
        let m = TargetResult.median(of: [a, b, c])
        #expect(m.repetitions == 3)
        #expect(m.ingest?.samplesPerSecond == 2)
        #expect(m.ingest?.failedRequests == 2)
        #expect(m.ingestRatesPerRepetition == [1, 3, 2])
        #expect(m.memory?.peakRSSAfterIngestBytes == 50 << 20)
        #expect(m.queries[0].runs == 11)
        #expect(m.queries[0].p50Ms == 4)
        #expect(m.queries[0].maxMs == 100)
        #expect(m.queries[0].error == nil)
        c.queries[0].digest = "other"
        #expect(TargetResult.median(of: [a, c]).queries[0].digestsPerRepetition == ["1", "other"])
        #expect(m.queries[0].digestsPerRepetition == nil)
    }

    @Test func markdownHasRatiosAndTargets() {
        let md = ReportWriter.markdown(Self.sample())
        #expect(md.contains("| ingest rate (samples/s, higher is better) | 3.00M | 1.00M | 2.00M | 3.00× | 1.50× |"))
        #expect(md.contains("| `cpu` | 4.00 (8.00) | 10.0 (20.0) | 5.00 (10.0) | 0.40× | 0.80× | identical |"))
        #expect(md.contains("Prometheus 2.42.0"))
        #expect(md.contains(#"`sum by (instance) (rate(x{a=~"b\|c"}[5m]))`"#), "pipes are escaped in tables")
        let checks = ReportWriter.targetChecks(Self.sample())
        #expect(checks.map(\.met) == [true, true, true, true, true, true])
    }

    @Test func svgIsWellFormedWithABarPerRatio() throws {
        let svg = RatioChart.svg(Self.sample())
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.hasSuffix("</svg>\n"))
        // 10 figures × 2 peers bars, plus the background and 2 legend squares.
        #expect(svg.components(separatedBy: "<rect ").count - 1 == 10 * 2 + 3)
        #expect(svg.contains(">3.00×<"))
        #expect(!svg.contains("<title>") || svg.contains("</title>"))
        var depth = 0
        for tag in svg.components(separatedBy: "<").dropFirst() {
            if tag.hasPrefix("/") { depth -= 1 } else if !tag.contains("/>") { depth += 1 }
        }
        #expect(depth == 0, "every element is closed")
    }
}
