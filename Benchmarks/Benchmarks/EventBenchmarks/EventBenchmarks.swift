import Benchmark
import Foundation
import Logging
import StrataEvents
import StrataStorage
import StrataTestSupport

// The event store (issue #10): appending audit events and the first page of
// filtered free-text searches. Figures: docs/benchmarks.md; the full-scale
// figures (1 M and 10 M events over 30 days) come from `strata audit bench`.

/// `make bench-check` fails on a regression of more than 10 % at p25/p50/p75.
nonisolated(unsafe) let tenPercent: [BenchmarkMetric: BenchmarkThresholds] = [
    .wallClock: .init(relative: [.p25: 10, .p50: 10, .p75: 10]),
    .mallocCountTotal: .init(relative: [.p50: 10]),
]

let quiet = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
let end: Int64 = 1_764_374_400_000
let days: Int64 = 30

/// Audit-like events: skewed users, templated descriptions, a request id on
/// one event in five.
struct Events {
    var rng: WorkloadRandom
    let users = (0..<2000).map { "user\($0)" }
    let resources = ["dashboard", "rule", "series", "target", "token", "report", "setting", "user"]

    mutating func draft(at t: Int64) -> EventDraft {
        let u = users[min(users.count - 1, Int(Double(users.count) * pow(rng.unit(), 2)))]
        let res = resources[Int(rng.unit() * Double(resources.count))]
        var attrs: [EventAttribute] = []
        if rng.unit() < 0.2 { attrs.append(EventAttribute("request_id", String(UInt64(rng.unit() * 0x1p48), radix: 16))) }
        let roll = rng.unit()
        if roll < 0.45 {
            let ok = rng.unit() < 0.85
            return EventDraft(timestamp: t, type: .authentication, severity: ok ? .info : .warning, user: u, source: "10.0.0.1",
                              action: ok ? "login" : "login_failed",
                              description: ok ? "user \(u) logged in" : "failed login for \(u)", attributes: attrs)
        } else if roll < 0.6 {
            return EventDraft(timestamp: t, type: .security, severity: .warning, user: u, source: "10.0.0.2", action: "permission_denied",
                              description: "permission denied for \(u) on \(res)", attributes: attrs)
        } else if roll < 0.85 {
            return EventDraft(timestamp: t, type: .business, severity: .info, user: u, source: "10.0.0.3", action: "export",
                              description: "exported report \(res) with \(Int(rng.unit() * 10_000)) rows", attributes: attrs)
        } else {
            return EventDraft(timestamp: t, type: .authentication, severity: .error, user: u, source: "10.0.0.4",
                              action: "token_rejected", description: "API token rejected: expired", attributes: attrs)
        }
    }
}

/// 300,000 events over 30 days, cut into blocks and compacted, as a server
/// holds them after a month.
final class SearchFixture: @unchecked Sendable {
    let tmp: TempDirectory
    let store: EventStore
    init() {
        tmp = try! TempDirectory("strata-bench-events")
        var o = EventStoreOptions()
        o.wal.fsync = .interval(milliseconds: 1000)
        o.retention = (days + 2) * 86_400_000
        store = try! EventStore.open(directory: tmp.sub("events"), options: o, logger: quiet)
        var gen = Events(rng: WorkloadRandom(seed: 3))
        let n = 300_000
        let start = end - days * 86_400_000
        let gap = Int64(days * 86_400_000) / Int64(n)
        var batch: [EventDraft] = []
        for i in 0..<n {
            batch.append(gen.draft(at: start + Int64(i) * gap))
            if batch.count == 1000 {
                _ = try! store.appendWithoutWaiting(batch)
                batch.removeAll(keepingCapacity: true)
                if i % 20_000 == 19_999 { _ = try! store.cutIfNeeded(now: start + Int64(i) * gap) }
            }
        }
        _ = try! store.flush()
        _ = try! store.compactIfNeeded(now: end + 86_400_000)
    }
}

let benchmarks: @Sendable () -> Void = {
    // Append: batches of 1,000 drafts (hash chain, WAL, head index), per event.
    let appendTmp = try! TempDirectory("strata-bench-events-append")
    var ao = EventStoreOptions()
    ao.wal.fsync = .interval(milliseconds: 1000)
    let appendStore = try! EventStore.open(directory: appendTmp.sub("events"), options: ao, logger: quiet)
    var gen = Events(rng: WorkloadRandom(seed: 5))
    var t = end - 86_400_000
    Benchmark("Event append, 1,000-event batches (per event)",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal], scalingFactor: .kilo,
                                   maxDuration: .seconds(5), maxIterations: 200, thresholds: tenPercent)) { benchmark in
        var drafts: [EventDraft] = []
        drafts.reserveCapacity(1000)
        for _ in 0..<1000 { t += 50; drafts.append(gen.draft(at: t)) }
        benchmark.startMeasurement()
        blackHole(try! appendStore.appendWithoutWaiting(drafts))
        benchmark.stopMeasurement()
    }

    let f = SearchFixture()
    let searches: [(String, EventQuery)] = {
        var a = EventQuery(start: end - 7 * 86_400_000, end: end)
        a.text = TextQuery.parse("failed")
        var b = EventQuery(start: end - days * 86_400_000, end: end)
        b.text = TextQuery.parse("\"failed login\" user7")
        var c = EventQuery(start: end - days * 86_400_000, end: end)
        c.types = [.security]
        c.severities = [.warning, .error]
        c.text = TextQuery.parse("perm* report")
        var d = EventQuery(start: end - 86_400_000, end: end)
        d.user = "user3"
        return [("term, 7 d", a), ("phrase + word, 30 d", b), ("type + severity + prefix, 30 d", c), ("user, 1 d", d)]
    }()
    for (name, q) in searches {
        Benchmark("Event search, first page of 100: \(name)",
                  configuration: .init(metrics: [.wallClock, .mallocCountTotal], maxDuration: .seconds(5),
                                       maxIterations: 500, thresholds: tenPercent)) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(try! f.store.search(q)) }
        }
    }
}
