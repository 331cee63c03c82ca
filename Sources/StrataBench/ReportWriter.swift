import Foundation

/// Writes results.json, results.md and ratios.svg into the output directory.
public enum ReportWriter {
    public static func write(_ results: BenchResults, to dir: String) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(results).write(to: URL(fileURLWithPath: dir + "/results.json"))
        try markdown(results).write(toFile: dir + "/results.md", atomically: true, encoding: .utf8)
        try RatioChart.svg(results).write(toFile: dir + "/ratios.svg", atomically: true, encoding: .utf8)
    }

    static func cell(_ t: TargetResult?, _ f: BenchFigure) -> String {
        guard let t else { return "–" }
        return t.error != nil && f.value(t) == nil ? "failed" : f.value(t).map(f.format) ?? "–"
    }

    static func ratioCell(_ r: Double?, _ f: BenchFigure) -> String {
        guard let r else { return "–" }
        return Report.fixed(r, 2) + "×" + (f.isBetterOrEqual(ratio: r) ? "" : " ✗")
    }

    static func name(_ t: TargetResult?, _ kind: TargetKind) -> String {
        var n = kind.displayName
        if let v = t?.version, let ver = versionNumber(v) { n += " " + ver }
        return n
    }

    /// "prometheus, version 2.42.0+ds (branch…" → "2.42.0".
    static func versionNumber(_ line: String) -> String? {
        for word in line.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }) {
            let w = word.hasPrefix("v") ? word.dropFirst() : word
            let head = w.prefix { $0.isNumber || $0 == "." }
            if head.contains("."), head.first?.isNumber == true { return String(head) }
        }
        return nil
    }

    public static func markdown(_ r: BenchResults) -> String {
        let s = r.target(.strata), p = r.target(.prometheus)
        let present = TargetKind.allCases.filter { r.target($0) != nil }
        var md = "# Strata benchmark: \(r.settings.workload.rawValue) workload\(r.settings.quick ? " (quick)" : "")\n\n"
        let hours = Report.promDuration(ms: r.settings.durationMs)
        md += "\(Report.grouped(r.load.series)) series over \(hours): \(Report.grouped(r.load.samples)) samples"
        if r.load.staleMarkers > 0 { md += " (\(Report.grouped(r.load.staleMarkers)) of them staleness markers)" }
        md += ", sent as \(Report.grouped(r.load.requests)) remote write requests of ~\(Report.grouped(r.settings.batchSamples)) samples"
        md += " over \(r.settings.connections) connections"
        md += " (\(Report.sig(Double(r.load.compressedBytes) / 1_048_576)) MiB snappy, generated in \(Report.sig(r.load.generateSeconds)) s). "
        md += "Range queries cover \(Report.promDuration(ms: r.window.end - r.window.start)) at \(r.window.step / 1000) s steps (\(r.window.points) points); "
        md += "each query runs once untimed, then \(r.settings.queryRuns) timed runs"
        if r.settings.repetitions > 1 {
            md += ". Every target was measured \(r.settings.repetitions) times (fresh data directory each time, order rotated); "
            md += "figures are medians, query percentiles are over all \(r.settings.repetitions * r.settings.queryRuns) timed runs"
        }
        md += ".\n\n"
        md += "Machine: \(r.machine.cpu), \(r.machine.cores) cores, \(Report.sig(Double(r.machine.memoryBytes) / 1_073_741_824)) GiB, \(r.machine.kernel). Run at \(r.date)"
        if let a = r.machine.loadAverageAtStart, let b = r.machine.loadAverageAtEnd {
            md += "; load average \(Report.fixed(a, 2)) at the start, \(Report.fixed(b, 2)) at the end"
            if max(a, b) > Double(r.machine.cores) { md += " (**other work shared the CPUs: figures are noisy**)" }
        }
        md += ".\n\n"
        md += "Ratios are Strata ÷ peer; ✗ marks a figure where Strata is worse.\n\n"

        md += "## Summary\n\n| figure | " + present.map { name(r.target($0), $0) }.joined(separator: " | ")
        var ratioPeers: [TargetKind] = []
        if s != nil { ratioPeers = [.prometheus, .victoriametrics].filter { r.target($0) != nil } }
        for peer in ratioPeers { md += " | Strata / \(peer.displayName)" }
        md += " |\n|---|" + String(repeating: "---:|", count: present.count + ratioPeers.count) + "\n"
        let figures = BenchFigure.all(queries: r.queries)
        for f in figures where !f.label.hasPrefix("p50 ") {
            md += "| \(f.label) (\(f.unit)\(f.higherIsBetter ? ", higher is better" : "")) | "
            md += present.map { cell(r.target($0), f) }.joined(separator: " | ")
            for peer in ratioPeers { md += " | " + ratioCell(f.ratio(s, r.target(peer)), f) }
            md += " |\n"
        }
        md += "| samples held after flush | " + present.map { k in
            r.target(k)?.storedSamples.map { Report.grouped($0) } ?? "–"
        }.joined(separator: " | ") + String(repeating: " | ", count: ratioPeers.count) + " |\n"
        md += "\nExpected samples held: \(Report.grouped(r.load.samples - r.load.staleMarkers))."
        if r.settings.repetitions > 1 {
            md += " Ingest rate per repetition: " + present.compactMap { k -> String? in
                guard let t = r.target(k), !t.ingestRatesPerRepetition.isEmpty else { return nil }
                return "\(k.displayName) " + t.ingestRatesPerRepetition.map { Report.si($0) }.joined(separator: ", ")
            }.joined(separator: "; ") + "."
        }
        md += "\n\n"

        if let ip = r.inProcess {
            md += "## Strata in-process ingest (no HTTP)\n\n"
            md += "The same \(Report.grouped(r.load.requests)) requests decoded (snappy + protobuf) and committed into a database in the"
            md += " harness process over \(r.settings.connections) tasks, WAL on:\n\n"
            md += "| figure | in-process | over HTTP |\n|---|---:|---:|\n"
            md += "| samples/s | \(Report.sig(ip.samplesPerSecond)) | \(s?.ingest.map { Report.sig($0.samplesPerSecond) } ?? "–") |\n"
            md += "| CPU seconds | \(Report.sig(ip.cpuSeconds)) | \(s?.cpu.map { Report.sig($0.ingest) } ?? "–") |\n"
            md += "| samples per CPU-second | \(Report.sig(ip.samplesPerCPUSecond)) | "
            md += (s?.cpu.flatMap { c in s?.ingest.map { c.ingest > 0 ? Report.sig(Double($0.samples) / c.ingest) : "–" } } ?? "–") + " |\n"
            md += "| flush (s) | \(Report.sig(ip.flushSeconds)) | \(s?.flushSeconds.map { Report.sig($0) } ?? "–") |\n"
            md += "| bytes/sample, blocks | \(Report.sig(ip.blockBytesPerSample)) | \(s?.storage?.blockBytesPerSample.map { Report.sig($0) } ?? "–") |\n"
            if ip.rejected > 0 || ip.timedOut { md += "\n\(ip.rejected) samples rejected\(ip.timedOut ? "; stopped at the ingest time limit" : "").\n" }
            md += "\n"
        }

        md += "## Queries: p50 (p95) in ms\n\n| query | " + present.map { name(r.target($0), $0) }.joined(separator: " | ")
        for peer in ratioPeers { md += " | p50 Strata / \(peer.displayName)" }
        if s != nil && p != nil { md += " | Strata's answer vs Prometheus'" }
        md += " |\n|---|" + String(repeating: "---:|", count: present.count + ratioPeers.count) + (s != nil && p != nil ? "---|" : "") + "\n"
        for q in r.queries {
            md += "| `\(q.name)` | "
            md += present.map { k -> String in
                guard let m = r.target(k)?.query(q.name) else { return "–" }
                guard let p50 = m.p50Ms else { return m.error != nil ? "error" : "–" }
                return Report.sig(p50) + (m.p95Ms.map { " (\(Report.sig($0)))" } ?? "")
            }.joined(separator: " | ")
            let f = BenchFigure(label: q.name, unit: "ms", higherIsBetter: false, value: { $0.query(q.name)?.p50Ms }, format: { Report.sig($0) })
            for peer in ratioPeers { md += " | " + ratioCell(f.ratio(s, r.target(peer)), f) }
            if s != nil && p != nil {
                let m = s?.query(q.name)
                md += " | " + (m?.matchesPrometheus.map { $0 ? (m?.vsPrometheus == "identical" ? "identical" : "equal within 1e-9") : "**mismatch**" } ?? "–")
            }
            md += " |\n"
        }
        let cpuKnown = present.filter { k in r.target(k)?.queries.contains { $0.serverCPUMsPerRun != nil } == true }
        if !cpuKnown.isEmpty {
            md += "\n### Server CPU per query run (ms, all threads, from schedstat)\n\n"
            md += "Less disturbed than latency by other work on the machine.\n\n"
            md += "| query | " + cpuKnown.map { $0.displayName }.joined(separator: " | ")
            let cpuPeers = ratioPeers.filter { cpuKnown.contains($0) && cpuKnown.contains(.strata) }
            for peer in cpuPeers { md += " | Strata / \(peer.displayName)" }
            md += " |\n|---|" + String(repeating: "---:|", count: cpuKnown.count + cpuPeers.count) + "\n"
            for q in r.queries {
                md += "| `\(q.name)` | " + cpuKnown.map { k in
                    r.target(k)?.query(q.name)?.serverCPUMsPerRun.map { Report.sig($0) } ?? "–"
                }.joined(separator: " | ")
                let f = BenchFigure(label: q.name, unit: "ms", higherIsBetter: false, value: { $0.query(q.name)?.serverCPUMsPerRun }, format: { Report.sig($0) })
                for peer in cpuPeers { md += " | " + ratioCell(f.ratio(s, r.target(peer)), f) }
                md += " |\n"
            }
        }
        md += "\n| query | kind | shape | expression |\n|---|---|---|---|\n"
        for q in r.queries {
            md += "| `\(q.name)` | \(q.kind.rawValue) | \(q.shape.rawValue) | `\(q.expr.replacingOccurrences(of: "|", with: "\\|"))` |\n"
        }

        if s != nil {
            md += "\n## Targets (issues #3 and #4)\n\n| target | goal | measured | met |\n|---|---|---|---|\n"
            for t in targetChecks(r) { md += "| \(t.name) | \(t.goal) | \(t.measured) | \(t.met.map { $0 ? "yes" : "**no**" } ?? "–") |\n" }
        }

        var notes: [String] = []
        for t in r.targets {
            if let e = t.error { notes.append("\(t.target.displayName): \(e)") }
            if let i = t.ingest, i.failedRequests > 0 {
                notes.append("\(t.target.displayName): \(i.failedRequests) of \(i.requests) write requests failed; first: \(i.firstError ?? "?")")
            }
            if let i = t.ingest, i.timedOut { notes.append("\(t.target.displayName): ingest stopped at the time limit") }
            if let n = t.storedSamples, n != r.load.samples - r.load.staleMarkers {
                notes.append("\(t.target.displayName) holds \(Report.grouped(n)) samples, expected \(Report.grouped(r.load.samples - r.load.staleMarkers))")
            }
            for q in t.queries {
                if let e = q.error { notes.append("\(t.target.displayName) `\(q.name)`: \(e)") }
                if t.target == .strata, q.matchesPrometheus == false, let c = q.vsPrometheus {
                    notes.append("Strata `\(q.name)` vs Prometheus: \(c)")
                }
            }
        }
        if !notes.isEmpty {
            md += "\n## Errors and mismatches\n\n" + notes.map { "- " + $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n") + "\n"
        }
        var unstable: [String] = []
        for t in r.targets {
            for q in t.queries {
                if let d = q.digestsPerRepetition { unstable.append("\(t.target.displayName) `\(q.name)`: " + d.joined(separator: ", ")) }
            }
        }
        if !unstable.isEmpty {
            md += "\n## Answers that changed between repetitions\n\n"
            md += "Same data, same query, different digests: usually the last bits of a sum whose order of addition varies "
            md += "(VictoriaMetrics sums in parallel). Only the first repetition's answer is compared with Prometheus'.\n\n"
            md += unstable.map { "- " + $0 }.joined(separator: "\n") + "\n"
        }
        if let vm = r.target(.victoriametrics), p != nil {
            let compared = vm.queries.filter { $0.matchesPrometheus != nil }
            if !compared.isEmpty {
                md += "\n## VictoriaMetrics' answers vs Prometheus' (for information)\n\n"
                md += "MetricsQL differs from PromQL on purpose (rate/increase without extrapolation, `__name__` kept by some functions, step alignment), "
                md += "so VictoriaMetrics' answers are not held to Prometheus'. Equal for \(compared.filter { $0.matchesPrometheus == true }.count) of \(compared.count) queries.\n\n"
                for q in compared where q.matchesPrometheus == false {
                    md += "- `\(q.name)`: \(q.vsPrometheus ?? "")\n"
                }
            }
        }
        return md
    }

    public struct TargetCheck: Sendable {
        public var name: String
        public var goal: String
        public var measured: String
        public var met: Bool?
    }

    /// The issues' targets, checked against this run.
    public static func targetChecks(_ r: BenchResults) -> [TargetCheck] {
        let s = r.target(.strata), p = r.target(.prometheus), v = r.target(.victoriametrics)
        var out: [TargetCheck] = []
        let ingest = BenchFigure.all(queries: [])[0]
        func ratioCheck(_ name: String, _ goal: String, _ ratio: Double?, _ ok: (Double) -> Bool) {
            out.append(TargetCheck(name: name, goal: goal, measured: ratio.map { Report.fixed($0, 2) + "×" } ?? "–", met: ratio.map(ok)))
        }
        ratioCheck("ingest rate vs VictoriaMetrics", "≥ 1.2×", ingest.ratio(s, v)) { $0 >= 1.2 }
        ratioCheck("ingest rate vs Prometheus", "≥ 2.5×", ingest.ratio(s, p)) { $0 >= 2.5 }
        let rss = s?.memory.map { Double($0.peakRSSAfterIngestBytes) / BenchFigure.mib }
        out.append(TargetCheck(name: "peak RSS during ingest", goal: "≤ 100 MiB", measured: rss.map { Report.sig($0) + " MiB" } ?? "–", met: rss.map { $0 <= 100 }))
        for q in r.queries {
            let f = BenchFigure(label: q.name, unit: "ms", higherIsBetter: false, value: { $0.query(q.name)?.p50Ms }, format: { Report.sig($0) })
            switch q.kind {
            case .selector:
                ratioCheck("`\(q.name)` p50 vs VictoriaMetrics", "≤ 1×", f.ratio(s, v)) { $0 <= 1 }
            case .dashboard:
                ratioCheck("`\(q.name)` p50 vs Prometheus", "≤ 0.5×", f.ratio(s, p)) { $0 <= 0.5 }
                ratioCheck("`\(q.name)` p50 vs VictoriaMetrics", "≤ 1×", f.ratio(s, v)) { $0 <= 1 }
            }
        }
        if p != nil, let s {
            let compared = s.queries.filter { $0.matchesPrometheus != nil }
            let same = compared.filter { $0.matchesPrometheus == true }.count
            out.append(TargetCheck(
                name: "answers equal to Prometheus'", goal: "all queries", measured: "\(same) of \(r.queries.count)",
                met: compared.isEmpty ? nil : same == r.queries.count))
        }
        return out
    }
}
