import ArgumentParser
import Foundation
import StrataBench

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmark Strata side by side with Prometheus and VictoriaMetrics.",
        discussion: """
            Generates a seeded workload, then for each target in turn starts the server on \
            127.0.0.1 with a fresh data directory, ingests over remote write, flushes, runs \
            the query set, and stops it. Writes results.json, results.md and ratios.svg.
            """
    )

    @Option(help: "Workload: node, devops, churn, events (the audit event store, Strata only) or realtime (ingest with 1,000 live subscriptions, Strata only).")
    var workload: String = "node"

    @Option(help: "Series alive at a time (default 2000; 500 with --quick).")
    var series: Int?

    @Option(help: "Span of data, e.g. 6h (default 6h; 2h with --quick).")
    var duration: String?

    @Option(help: "Seed of the workload generator.")
    var seed: UInt64 = 1

    @Option(help: "Concurrent remote write connections.")
    var connections: Int = 2

    @Option(name: .customLong("batch-samples"), help: "Samples per remote write request.")
    var batchSamples: Int = 5_000

    @Option(name: .customLong("query-runs"), help: "Timed runs per query (default 20; 5 with --quick).")
    var queryRuns: Int?

    @Option(help: "Measure every target this many times; figures are medians (default 3; 1 with --quick).")
    var repetitions: Int?

    @Option(help: "Comma-separated targets: strata, prometheus, victoriametrics.")
    var targets: String = "strata,prometheus,victoriametrics"

    @Option(name: .customLong("strata-url"), help: "Measure an already running Strata at this URL instead of starting one.")
    var strataURL: String?

    @Option(name: .customLong("strata-data-dir"), help: "Data directory of the Strata at --strata-url (to measure its size).")
    var strataDataDir: String?

    @Option(name: .customLong("strata-binary"), help: "The strata executable to start (default: this one).")
    var strataBinary: String?

    @Option(name: .customLong("prometheus-binary"), help: "Prometheus executable (default: prometheus in PATH).")
    var prometheusBinary: String?

    @Option(name: .customLong("victoriametrics-binary"), help: "VictoriaMetrics executable (default: victoria-metrics in PATH).")
    var victoriaMetricsBinary: String?

    @Option(help: "Directory for results.json, results.md, ratios.svg and server logs.")
    var output: String = "bench-results"

    @Option(name: .customLong("work-dir"), help: "Where the servers' data directories go (default: a fresh temp dir).")
    var workDir: String?

    @Flag(name: .customLong("keep-data"), help: "Keep the servers' data directories.")
    var keepData = false

    @Flag(name: .customLong("no-install"), help: "Do not apt-get install missing peers.")
    var noInstall = false

    @Flag(help: "A ≤ 2 minute version: 500 series over 2 h, 5 runs per query, one repetition.")
    var quick = false

    @Flag(name: .customLong("no-progress"), help: "No progress line on stderr.")
    var noProgress = false

    @Flag(name: .customLong("in-process"), help: "Also ingest the same requests in-process (decode + commit, no HTTP).")
    var inProcess = false

    func run() async throws {
        if workload == "events" {
            // Neither peer stores events: the event store is measured on its
            // own, in-process (`strata audit bench`), at 1 M events over 30
            // days, or 100 k with --quick.
            let bench = try AuditBench.parse(
                ["--events", quick ? "100000" : "1000000", "--queries", quick ? "100" : "300", "--seed", String(seed)])
            try bench.run()
            return
        }
        if workload == "realtime" {
            try await runRealtime()
            return
        }
        var c = BenchConfiguration()
        if quick { c.applyQuick() }
        c.inProcess = inProcess
        guard let w = BenchWorkload(rawValue: workload) else {
            throw ValidationError("unknown workload \"\(workload)\": use node, devops or churn")
        }
        c.workload = w
        if let series {
            guard series > 0 && series <= 1_000_000 else { throw ValidationError("--series must be in 1...1000000") }
            c.series = series
        }
        if let duration {
            guard let ms = Self.parseDuration(duration), ms >= 60_000, ms <= 30 * 86_400_000 else {
                throw ValidationError("invalid --duration \"\(duration)\": use e.g. 6h or 90m (1m to 30d)")
            }
            c.durationMs = ms
        }
        c.seed = seed
        guard (1...64).contains(connections) else { throw ValidationError("--connections must be in 1...64") }
        c.connections = connections
        guard (1...1_000_000).contains(batchSamples) else { throw ValidationError("--batch-samples must be in 1...1000000") }
        c.batchSamples = batchSamples
        if let queryRuns {
            guard (1...10_000).contains(queryRuns) else { throw ValidationError("--query-runs must be in 1...10000") }
            c.queryRuns = queryRuns
        }
        if let repetitions {
            guard (1...20).contains(repetitions) else { throw ValidationError("--repetitions must be in 1...20") }
            c.repetitions = repetitions
        }
        var kinds: [TargetKind] = []
        for name in targets.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !name.isEmpty {
            let alias = ["vm": "victoriametrics", "victoria-metrics": "victoriametrics", "prom": "prometheus"][name] ?? name
            guard let k = TargetKind(rawValue: alias) else {
                throw ValidationError("unknown target \"\(name)\": use strata, prometheus, victoriametrics")
            }
            if !kinds.contains(k) { kinds.append(k) }
        }
        guard !kinds.isEmpty else { throw ValidationError("--targets is empty") }
        c.targets = kinds
        if let strataURL { c.externalURLs[.strata] = strataURL }
        if let strataDataDir { c.externalDataDirs[.strata] = strataDataDir }
        if let strataBinary { c.executables[.strata] = strataBinary }
        if let prometheusBinary { c.executables[.prometheus] = prometheusBinary }
        if let victoriaMetricsBinary { c.executables[.victoriametrics] = victoriaMetricsBinary }
        c.outputDir = output
        c.workDir = workDir
        c.keepData = keepData
        c.installPeers = !noInstall
        c.progress = !noProgress

        ChildRegistry.shared.installSignalHandlers()
        let results = try await BenchRunner(config: c).run()
        let failed = results.targets.filter { $0.error != nil }
        print("wrote \(output)/results.md, \(output)/results.json, \(output)/ratios.svg")
        if !failed.isEmpty {
            throw ValidationError("failed targets: " + failed.map { "\($0.target.rawValue): \($0.error ?? "")" }.joined(separator: "; "))
        }
    }

    /// `6h`, `90m`, `1h30m`, `2d`, `45s`.
    static func parseDuration(_ s: String) -> Int64? {
        var total: Int64 = 0
        var num: Int64 = 0
        var sawDigit = false
        for ch in s {
            if let d = ch.wholeNumberValue, ch.isASCII {
                num = num * 10 + Int64(d)
                sawDigit = true
                if num > 1_000_000_000 { return nil }
                continue
            }
            guard sawDigit else { return nil }
            switch ch {
            case "d": total += num * 86_400_000
            case "h": total += num * 3_600_000
            case "m": total += num * 60_000
            case "s": total += num * 1_000
            default: return nil
            }
            num = 0
            sawDigit = false
        }
        return sawDigit || total == 0 ? nil : total
    }

    /// Issue #8: ingest with and without 1,000 live subscriptions (Strata only).
    func runRealtime() async throws {
        var o = RealtimeBench.Options()
        if quick { o.seconds = 4; o.repetitions = 1 }
        if let repetitions { o.repetitions = repetitions }
        o.workers = connections
        o.pin = ProcessInfo.processInfo.environment["STRATA_BENCH_NO_PIN"] == nil
        let exe = strataBinary.flatMap(ServerProcess.resolve) ?? HostTools.selfExecutable()
        guard let exe else { throw ValidationError("cannot find the strata executable") }
        let dir = workDir ?? NSTemporaryDirectory() + "strata-bench-realtime-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { if !keepData { try? FileManager.default.removeItem(atPath: dir) } }
        let lines = try await RealtimeBench(options: o, executable: exe, workDir: dir).run { print($0) }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let md = "# strata bench --workload realtime\n\n" + lines.joined(separator: "\n") + "\n"
        try md.write(toFile: output + "/realtime.md", atomically: true, encoding: .utf8)
        print(lines.joined(separator: "\n"))
    }
}
