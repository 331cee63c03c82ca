import Foundation

/// Runs a whole benchmark: generate the load once, then for each target in
/// turn (same client, same data, same machine, one after the other) start
/// it, ingest, flush, verify, run the query set, stop it; then compare the
/// answers with Prometheus' and write the reports.
public struct BenchRunner {
    public let config: BenchConfiguration

    public init(config: BenchConfiguration) {
        self.config = config
    }

    public func run() async throws -> BenchResults {
        let progress = ProgressLine(enabled: config.progress)
        let loadAtStart = HostTools.loadAverage()
        // Logs and saved answers are this run's only.
        for sub in ["/logs", "/answers"] { try? FileManager.default.removeItem(atPath: config.outputDir + sub) }
        try FileManager.default.createDirectory(atPath: config.outputDir + "/logs", withIntermediateDirectories: true)
        let workDir = try config.workDir ?? makeTempDir()
        try FileManager.default.createDirectory(atPath: workDir, withIntermediateDirectories: true)
        defer { if !config.keepData && config.workDir == nil { try? FileManager.default.removeItem(atPath: workDir) } }

        // Generate.
        progress.begin("generate \(config.workload.rawValue)", unit: "rounds")
        let genStart = ContinuousClock.now
        let load = config.workload.generate(
            series: config.series, durationMs: config.durationMs, seed: config.seed, start: config.startMs,
            generator: LoadGenerator(connections: config.connections, batchSamples: config.batchSamples)
        ) { done, total in progress.update(done: done, total: total) }
        let genSeconds = ProgressLine.seconds(ContinuousClock.now - genStart)
        progress.finish(
            "generated \(Report.grouped(load.samples)) samples of \(Report.grouped(load.series)) series in \(load.requests) requests"
                + " (\(Report.sig(Double(load.compressedBytes) / 1_048_576)) MiB snappy) in \(Report.sig(genSeconds)) s")

        let window = QueryWindow.covering(
            dataStart: config.startMs, dataEnd: config.startMs + config.durationMs - 1, steps: config.querySteps)
        let queries = config.workload.queries(range: Report.promDuration(ms: config.durationMs))
        let client = BenchHTTPClient(connections: config.connections)

        // Each repetition measures every target once; the order rotates so
        // that no target always runs first (or right after another's load).
        var reps: [TargetKind: [TargetResult]] = [:]
        var answers: [TargetKind: [CanonicalResult?]] = [:]
        let n = config.targets.count
        for rep in 0..<config.repetitions {
            if config.repetitions > 1 { progress.note("repetition \(rep + 1) of \(config.repetitions)") }
            for i in 0..<n {
                let kind = config.targets[(i + rep) % n]
                let (result, a) = await measure(kind, load: load, queries: queries, window: window, workDir: workDir, client: client, progress: progress)
                reps[kind, default: []].append(result)
                if answers[kind] == nil || answers[kind]!.isEmpty { answers[kind] = a }
            }
        }
        await client.shutdown()
        var inProcess: InProcessIngest.Result?
        if config.inProcess {
            progress.begin("strata in-process: ingest", unit: "samples")
            do {
                let r = try await InProcessIngest(
                    directory: workDir + "/strata-inprocess", timeoutSeconds: config.ingestTimeoutSeconds,
                    maxLeadRounds: config.maxLeadRounds(roundIntervalMs: max(1, config.durationMs / Int64(max(1, load.rounds))))
                ).run(load, progress: progress)
                inProcess = r
                progress.finish("strata in-process: \(Report.grouped(r.samples)) samples in \(Report.sig(r.seconds)) s"
                    + " (\(Report.sig(r.samplesPerSecond / 1e6)) M/s, \(Report.sig(r.samplesPerCPUSecond / 1e6)) M per CPU-second),"
                    + " blocks \(Report.sig(r.blockBytesPerSample)) bytes/sample")
            } catch {
                progress.note("strata in-process: \(error)")
            }
            if !config.keepData { try? FileManager.default.removeItem(atPath: workDir + "/strata-inprocess") }
        }
        var targets = config.targets.compactMap { reps[$0].map(TargetResult.median(of:)) }

        // Compare every answer with Prometheus'.
        if let reference = answers[.prometheus] {
            for i in targets.indices where targets[i].target != .prometheus {
                guard let mine = answers[targets[i].target] else { continue }
                for q in targets[i].queries.indices where q < mine.count && q < reference.count {
                    guard let a = mine[q], let b = reference[q] else { continue }
                    let c = a.compare(to: b)
                    targets[i].queries[q].vsPrometheus = c.description
                    targets[i].queries[q].matchesPrometheus = c.isMatch
                }
            }
        }

        let results = BenchResults(
            date: HostTools.isoDate(), machine: HostTools.machine(loadAtStart: loadAtStart),
            settings: .init(
                workload: config.workload, series: config.series, durationMs: config.durationMs, seed: config.seed,
                connections: config.connections, batchSamples: config.batchSamples, queryRuns: config.queryRuns,
                repetitions: config.repetitions, quick: config.quick),
            load: .init(
                samples: load.samples, staleMarkers: load.staleMarkers, series: load.series, rounds: load.rounds,
                requests: load.requests, rawBytes: load.rawBytes, compressedBytes: load.compressedBytes,
                minTime: load.minTime, maxTime: load.maxTime, generateSeconds: genSeconds),
            window: window, queries: queries, targets: targets, inProcess: inProcess)
        try ReportWriter.write(results, to: config.outputDir)
        return results
    }

    /// One target, start to stop. Failures end up in `error`, never thrown,
    /// so that one broken peer does not lose the others' figures.
    func measure(
        _ kind: TargetKind, load: GeneratedLoad, queries: [BenchQuery], window: QueryWindow,
        workDir: String, client: BenchHTTPClient, progress: ProgressLine
    ) async -> (TargetResult, [CanonicalResult?]) {
        let label = kind.rawValue
        let target: BenchTarget
        var result: TargetResult
        if let url = config.externalURLs[kind] {
            target = BenchTarget.external(kind: kind, url: url, dataDir: config.externalDataDirs[kind])
            result = TargetResult(target: kind, url: target.baseURL, external: true)
        } else {
            do {
                let exe = try await executable(for: kind, progress: progress)
                result = TargetResult(target: kind, url: "", external: false)
                result.version = await HostTools.version(of: exe, kind: kind)
                target = try BenchTarget.launch(kind: kind, executable: exe, workDir: workDir, logDir: config.outputDir + "/logs")
                result.url = target.baseURL
            } catch {
                var r = TargetResult(target: kind, url: "", external: false)
                r.error = "\(error)"
                progress.note("\(label): \(error)")
                return (r, [])
            }
        }
        var answers: [CanonicalResult?] = []
        do {
            progress.note("\(label): " + (target.process == nil ? "measuring the server at \(target.baseURL)" : "starting at \(target.baseURL) (pid \(target.pid ?? 0))"))
            try await target.waitReady(client, timeoutSeconds: config.readyTimeoutSeconds)
            let s0 = target.stats

            // Ingest.
            progress.begin("\(label): ingest", unit: "samples")
            let ingest = await IngestRunner(
                client: client, url: target.writeURL, maxRetries: config.maxRetries,
                timeoutSeconds: config.ingestTimeoutSeconds,
                maxLeadRounds: config.maxLeadRounds(roundIntervalMs: max(1, config.durationMs / Int64(max(1, load.rounds))))
            ).run(load, progress: progress)
            result.ingest = ingest
            let s1 = target.stats
            progress.finish(
                "\(label): ingested \(Report.grouped(ingest.samples)) samples in \(Report.sig(ingest.seconds)) s"
                    + " = \(Report.si(ingest.samplesPerSecond)) samples/s"
                    + (ingest.failedRequests > 0 ? ", \(ingest.failedRequests) failed requests: \(ingest.firstError ?? "")" : ""))

            // Flush.
            progress.begin("\(label): flush", unit: "")
            let f0 = ContinuousClock.now
            let blockDirs = try await target.flush(client)
            let flushSeconds = ProgressLine.seconds(ContinuousClock.now - f0)
            result.flushSeconds = flushSeconds
            let s2 = target.stats
            if kind == .victoriametrics {
                // On disk first, then merged into one part per partition as
                // VictoriaMetrics' background merges would eventually do: its
                // best case, comparable with compacted blocks.
                await settle(target, stableSeconds: 6)
                _ = try? await client.get(target.baseURL + "/internal/force_merge", timeoutSeconds: 300)
                await settle(target, stableSeconds: 2)
            }
            var storage = TargetResult.Storage()
            let stored = Double(max(1, load.samples - load.staleMarkers))
            if target.dataDir != nil {
                let blocks = blockDirs.reduce(DirectorySize()) { $0 + DirectorySize.measure($1) }
                storage.blockBytes = blocks.apparentBytes
                storage.blockBytesPerSample = Double(blocks.apparentBytes) / stored
                if let d = target.dataDirectorySize() {
                    storage.dataDirBytes = d.allocatedBytes
                    storage.dataDirBytesPerSample = Double(d.allocatedBytes) / stored
                }
            }
            result.storage = storage
            progress.finish(
                "\(label): flushed in \(Report.sig(flushSeconds)) s"
                    + (storage.blockBytesPerSample.map { ", blocks \(Report.sig($0)) bytes/sample" } ?? ""))

            // Verify: how many samples the server holds.
            if let n = await storedSamples(target, load: load, client: client) {
                result.storedSamples = n
                if n != load.samples - load.staleMarkers {
                    progress.note("\(label): holds \(Report.grouped(n)) samples, expected \(Report.grouped(load.samples - load.staleMarkers))")
                }
            }
            let s3 = target.stats

            // Queries.
            progress.begin("\(label): queries", unit: "runs")
            let answersDir = config.outputDir + "/answers/" + label
            try? FileManager.default.createDirectory(atPath: answersDir, withIntermediateDirectories: true)
            let (measurements, a) = await QueryRunner(client: client, runs: config.queryRuns, budgetSeconds: config.queryBudgetSeconds)
                .run(queries, on: target, window: window, answersDir: answersDir, progress: progress)
            result.queries = measurements
            answers = a
            let failed = measurements.filter { $0.error != nil }.count
            progress.finish("\(label): \(queries.count) queries × \(config.queryRuns) runs" + (failed > 0 ? ", \(failed) failed" : ""))
            let s4 = target.stats
            if let s0, let s1, let s2, let s3, let s4 {
                result.cpu = .init(
                    ingest: s1.cpuSeconds - s0.cpuSeconds, flush: s2.cpuSeconds - s1.cpuSeconds,
                    queries: s4.cpuSeconds - s3.cpuSeconds, total: s4.cpuSeconds)
                result.memory = .init(peakRSSAfterIngestBytes: s1.peakRSSBytes, peakRSSBytes: s4.peakRSSBytes)
            }
        } catch {
            result.error = "\(error)"
            progress.note("\(label): \(error)")
        }
        if let p = target.process {
            await target.stop()
            progress.note("\(label): stopped (pid \(p.pid))")
        }
        if !config.keepData, target.process != nil, let d = target.dataDir {
            try? FileManager.default.removeItem(atPath: d)
        }
        return (result, answers)
    }

    /// The samples `target` holds: `sum(count_over_time(name[…]))` per
    /// metric name, added up (one query over all names would fail, as
    /// count_over_time drops the names and the label sets then collide).
    /// nil if any step fails. Bounded by the number of names and 10 min.
    func storedSamples(_ target: BenchTarget, load: GeneratedLoad, client: BenchHTTPClient) async -> Int? {
        guard let r = try? await client.get(target.baseURL + "/api/v1/label/__name__/values", timeoutSeconds: 60), r.isSuccess,
            let obj = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
            let names = obj["data"] as? [String], names.count <= 10_000
        else { return nil }
        let range = Report.promDuration(ms: load.maxTime - load.minTime + 3_600_000)
        var total = 0
        let deadline = ContinuousClock.now + .seconds(600)
        for name in names {
            guard ContinuousClock.now < deadline else { return nil }
            guard let r = try? await client.get(target.instantURL("sum(count_over_time(\(name)[\(range)]))", at: load.maxTime), timeoutSeconds: 300),
                r.isSuccess, let a = try? CanonicalResult.parse(r.body)
            else { return nil }
            guard let v = a.series.first?.points.first?.value else { continue }
            guard let n = Double(v), n.isFinite else { return nil }
            total += Int(n)
        }
        return total
    }

    /// VictoriaMetrics 1.79's force_flush makes data searchable, but its
    /// in-memory parts reach the disk only on the next periodic flush (every
    /// 5 s; measured here: the data dir grows about 5 s after force_flush).
    /// Waits until the data directory has not changed for `stableSeconds`
    /// (at most 20 s), so the size measured is the size on disk.
    func settle(_ target: BenchTarget, stableSeconds: Int) async {
        guard target.dataDir != nil else { return }
        let deadline = ContinuousClock.now + .seconds(20)
        var last = target.dataDirectorySize()
        var stableSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(500))
            let now = target.dataDirectorySize()
            if now != last {
                last = now
                stableSince = .now
            } else if ContinuousClock.now - stableSince >= .seconds(stableSeconds) {
                return
            }
        }
    }

    /// The executable for `kind`: the configured one, our own binary for
    /// Strata, or the Debian package's (installed if missing).
    func executable(for kind: TargetKind, progress: ProgressLine) async throws -> String {
        if let e = config.executables[kind] {
            guard let p = ServerProcess.resolve(e) else { throw BenchError.missingExecutable(e) }
            return p
        }
        if kind == .strata {
            guard let me = HostTools.selfExecutable() else { throw BenchError.missingExecutable("strata (/proc/self/exe)") }
            return me
        }
        if let p = ServerProcess.resolve(kind.defaultExecutable) { return p }
        if config.installPeers, let pkg = kind.debianPackage, await HostTools.aptInstall(pkg, log: progress),
            let p = ServerProcess.resolve(kind.defaultExecutable)
        {
            return p
        }
        throw BenchError.missingExecutable(kind.defaultExecutable)
    }

    func makeTempDir() throws -> String {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/strata-bench-XXXXXX".utf8CString)
        let ok = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) != nil }
        guard ok else { throw BenchError.io("mkdtemp in \(base) failed") }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
