import ArgumentParser
import Foundation
import Logging
import StrataEvents
import StrataStorage
import StrataTestSupport

/// `strata audit bench`: the issue #10 benchmark figures for the event
/// store (docs/events.md, "Performance"): in-process ingest rate, bytes per
/// stored event, and first-page latency of filtered free-text searches over
/// events spanning 30 days.
struct AuditBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark the audit event store (ingest, storage, search).",
        shouldDisplay: false
    )

    @Option(help: "Events to store, spread over --days.") var events = 1_000_000
    @Option(help: "Days the events span.") var days = 30
    @Option(help: "Events per append batch.") var batch = 1000
    @Option(help: "Search queries to time.") var queries = 300
    @Option(help: "Results per page.") var limit = 100
    @Option(name: .customLong("dir"), help: "Scratch directory (deleted afterwards unless --keep).") var dir: String?
    @Flag(help: "Keep the store.") var keep = false
    @Flag(name: .customLong("ingest-only"), help: "Only measure appends (no cuts, no search).") var ingestOnly = false
    @Flag(name: .customLong("search-only"), help: "Search an existing store kept with --keep --dir.") var searchOnly = false
    @Option(help: "Seed.") var seed: UInt64 = 1

    func run() throws {
        let base = dir ?? NSTemporaryDirectory() + "strata-audit-bench-\(getpid())"
        if !searchOnly { try? FileManager.default.removeItem(atPath: base) }
        defer { if !keep { try? FileManager.default.removeItem(atPath: base) } }
        var o = EventStoreOptions()
        o.wal.fsync = .interval(milliseconds: 1000)
        o.retention = Int64(days + 2) * 86_400_000
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let store = try EventStore.open(directory: base, options: o, logger: logger)
        let t0: Int64 = 1_764_374_400_000 - Int64(days) * 86_400_000
        let span = Int64(days) * 86_400_000
        var gen = AuditWorkload(seed: seed)
        let clock = ContinuousClock()
        var appendTime = Duration.zero
        var appendCPU = 0.0
        var maintenanceTime = Duration.zero
        var rawBytes = 0
        var done = 0
        var nextMaintenance = t0 + 3_600_000
        // Poisson arrivals: exponential gaps with the mean that fits `events` into `span`.
        let meanGap = Double(span) / Double(events)
        var clockMs = Double(t0)
        if !searchOnly { print("generating and ingesting \(events) events over \(days) days …") }
        while done < events && !searchOnly {
            let n = min(batch, events - done)
            var drafts: [EventDraft] = []
            drafts.reserveCapacity(n)
            for _ in 0..<n {
                clockMs += -log(1 - Double(gen.rng.next() >> 11) * 0x1p-53) * meanGap
                let t = min(t0 + span - 1, Int64(clockMs))
                let d = gen.event(at: t)
                rawBytes += d.description.utf8.count + d.user.utf8.count + d.source.utf8.count + d.action.utf8.count
                    + d.type.name.utf8.count + d.severity.name.utf8.count + 8
                    + d.attributes.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count }
                drafts.append(d)
            }
            let s = clock.now
            let c = threadCPU()
            _ = try store.appendWithoutWaiting(drafts)
            appendCPU += threadCPU() - c
            appendTime += clock.now - s
            done += n
            let now = drafts[n - 1].timestamp
            if now >= nextMaintenance && !ingestOnly {
                let m = clock.now
                try store.cutIfNeeded(now: now)
                try store.compactIfNeeded(now: now)
                maintenanceTime += clock.now - m
                nextMaintenance = now + 3_600_000
            }
        }
        let end = t0 + span
        if ingestOnly {
            let secs = Double(appendTime.components.seconds) + Double(appendTime.components.attoseconds) / 1e18
            print(String(format: "ingest: %d events in %.2f s of append calls = %.0f events/s (thread CPU %.2f s = %.0f events/s)",
                         events, secs, Double(events) / secs, appendCPU / 1000, Double(events) / (appendCPU / 1000)))
            try store.close()
            return
        }
        if !searchOnly {
            let m = clock.now
            try store.flush()
            try store.compactIfNeeded(now: end + 86_400_000)
            maintenanceTime += clock.now - m
            let secs = Double(appendTime.components.seconds) + Double(appendTime.components.attoseconds) / 1e18
            let msecs = Double(maintenanceTime.components.seconds) + Double(maintenanceTime.components.attoseconds) / 1e18
            let bytes = store.blockBytes
            print(String(format: "ingest: %d events in %.2f s of append calls = %.0f events/s (batches of %d, WAL fsync interval); thread CPU %.2f s = %.0f events/s",
                         events, secs, Double(events) / secs, batch, appendCPU / 1000, Double(events) / (appendCPU / 1000)))
            print(String(format: "maintenance (cuts, compaction): %.1f s", msecs))
            print(String(format: "storage: %d blocks, %.1f MB, %.1f bytes/event (raw field bytes %.1f/event)",
                         store.blockMetas.count, Double(bytes) / 1e6, Double(bytes) / Double(events), Double(rawBytes) / Double(events)))
            var parts: [String: Int] = [:]
            for b in store.blockReaders { for (k, v) in try b.storageBreakdown() { parts[k, default: 0] += v } }
            print("  per event: " + parts.sorted { $0.value > $1.value }
                .map { String(format: "%@ %.2f", $0.key, Double($0.value) / Double(events)) }.joined(separator: ", "))
        } else {
            print("searching \(store.count) stored events in \(store.blockMetas.count) blocks")
        }

        // Search: filtered free-text first pages.
        var rng = WorkloadRandom(seed: seed &+ 7)
        var lat: [Double] = []
        var byKind: [[Double]] = [[], [], [], []]
        var byKindCPU: [[Double]] = [[], [], [], []]
        var cpuLat: [Double] = []
        var totals = 0
        let ranges: [Int64] = [3_600_000, 86_400_000, 7 * 86_400_000, 30 * 86_400_000]
        let terms = ["login", "failed", "denied", "export", "token", "expired", "password", "sso", "series", "report", "rule", "target"]
        let types: [EventType] = EventType.audit
        for i in 0..<queries {
            let r = ranges[Int(rng.next() % UInt64(ranges.count))]
            var q = EventQuery(start: end - r, end: end)
            q.limit = limit
            switch i % 4 {
            case 0: q.text = TextQuery.parse(terms[Int(rng.next() % UInt64(terms.count))])
            case 1:
                q.types = [types[Int(rng.next() % 4)]]
                q.text = TextQuery.parse(terms[Int(rng.next() % UInt64(terms.count))] + " " + terms[Int(rng.next() % UInt64(terms.count))])
            case 2:
                q.text = TextQuery.parse("\"failed login\" " + gen.users[Int(rng.next() % UInt64(gen.users.count))])
            default:
                q.severities = [.warning, .error]
                q.text = TextQuery.parse("perm* " + gen.resources[Int(rng.next() % UInt64(gen.resources.count))])
            }
            let s = clock.now
            let c0 = threadCPU()
            let page = try store.search(q)
            let cpu = threadCPU() - c0
            let d = clock.now - s
            let ms = Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15
            lat.append(ms)
            cpuLat.append(cpu)
            byKind[i % 4].append(ms)
            byKindCPU[i % 4].append(cpu)
            totals += page.total
        }
        guard !lat.isEmpty else {
            try store.close()
            return
        }
        lat.sort()
        func pct(_ p: Double) -> Double { lat[min(lat.count - 1, Int(Double(lat.count) * p))] }
        print(String(format: "search (%d filtered free-text queries, first page of %d): p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms; mean total %.0f matches",
                     queries, limit, pct(0.5), pct(0.95), pct(0.99), lat.last ?? 0, Double(totals) / Double(max(1, queries))))
        cpuLat.sort()
        print(String(format: "  thread CPU time per query: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms",
                     cpuLat[cpuLat.count / 2], cpuLat[min(cpuLat.count - 1, Int(Double(cpuLat.count) * 0.95))],
                     cpuLat[min(cpuLat.count - 1, Int(Double(cpuLat.count) * 0.99))]))
        let kinds = ["one term", "type + two terms", "phrase + user", "severity + prefix + term"]
        for (k, l) in byKind.enumerated() where !l.isEmpty {
            let s = l.sorted(), c = byKindCPU[k].sorted()
            print(String(format: "  %@: wall p50 %.2f ms, p95 %.2f ms; CPU p50 %.2f ms, p95 %.2f ms", kinds[k],
                         s[s.count / 2], s[min(s.count - 1, Int(Double(s.count) * 0.95))],
                         c[c.count / 2], c[min(c.count - 1, Int(Double(c.count) * 0.95))]))
        }
        try store.close()
    }
}

extension WorkloadRandom {
    /// Uniform in 0..<n (the workloads' SplitMix64 generator).
    mutating func below(_ n: Int) -> Int { Int(int(0...Int64(n - 1))) }
}

/// Typical audit events: 2,000 users, 5,000 client addresses, templated
/// descriptions, one or two attributes, one event in five with a request id.
struct AuditWorkload {
    var rng: WorkloadRandom
    let users: [String]
    let ips: [String]
    let resources = ["dashboard", "rule", "series", "target", "token", "report", "setting", "user"]

    init(seed: UInt64) {
        rng = WorkloadRandom(seed: seed)
        var r = WorkloadRandom(seed: seed ^ 0x5555)
        let first = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory", "oscar", "peggy", "trent", "victor", "walter"]
        users = (0..<2000).map { i in first[i % first.count] + String(i / first.count) }
        ips = (0..<5000).map { _ in "10.\(r.below(4)).\(r.below(256)).\(r.below(254) + 1)" }
    }

    mutating func event(at t: Int64) -> EventDraft {
        // Users and addresses are skewed: a few are very active.
        let u = users[min(users.count - 1, Int(Double(users.count) * pow(Double(rng.next() >> 11) * 0x1p-53, 2)))]
        let ip = ips[rng.below(ips.count)]
        let res = resources[rng.below(resources.count)]
        var attrs: [EventAttribute] = []
        if rng.chance(0.2) { attrs.append(EventAttribute("request_id", String(rng.next() & 0xFFFF_FFFF_FFFF, radix: 16))) }
        let roll = rng.below(100)
        if roll < 45 {
            let ok = rng.chance(0.85)
            attrs.append(EventAttribute("method", ["password", "sso", "token"][rng.below(3)]))
            return EventDraft(timestamp: t, type: .authentication, severity: ok ? .info : .warning, user: u, source: ip,
                              action: ok ? "login" : "login_failed",
                              description: ok ? "user \(u) logged in" : "failed login for \(u)", attributes: attrs)
        } else if roll < 60 {
            attrs.append(EventAttribute("resource", res))
            return EventDraft(timestamp: t, type: .security, severity: .warning, user: u, source: ip, action: "permission_denied",
                              description: "permission denied for \(u) on \(res)", attributes: attrs)
        } else if roll < 75 {
            return EventDraft(timestamp: t, type: .dataModification, severity: .info, user: u, source: ip, action: "update_\(res)",
                              description: "\(u) updated \(res) \(res)-\(rng.below(300))", attributes: attrs)
        } else if roll < 90 {
            attrs.append(EventAttribute("format", rng.chance(0.5) ? "csv" : "json"))
            return EventDraft(timestamp: t, type: .business, severity: .info, user: u, source: ip, action: "export",
                              description: "exported report \(res) with \(rng.below(10_000)) rows", attributes: attrs)
        } else {
            return EventDraft(timestamp: t, type: .authentication, severity: rng.chance(0.9) ? .error : .critical, user: u, source: ip,
                              action: "token_rejected", description: "API token rejected: expired", attributes: attrs)
        }
    }
}

/// CPU time of the calling thread in milliseconds (robust against other
/// processes competing for the cores, unlike wall-clock time).
func threadCPU() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) * 1e3 + Double(ts.tv_nsec) / 1e6
}
