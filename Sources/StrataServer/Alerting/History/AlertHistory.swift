import Foundation
import StrataStorage
import Synchronization

/// Every alert transition, kept in memory for queries and appended to
/// `<data_dir>/alerting/history.jsonl`, one JSON object a line
/// (docs/format/alerting-files.md). The lines of one evaluation are
/// appended with one `write` and an `fsync` (transitions are rare; a
/// recorded transition survives a crash or power loss); a torn last line
/// after a crash is skipped at load. Entries older than the retention are
/// dropped at load (the file is then rewritten).
final class AlertHistory: Sendable {
    struct Entry: Sendable, Equatable {
        var at: Int64
        var group: String
        var rule: String
        /// pending, firing, resolved, inactive.
        var kind: String
        var from: String
        var labels: Labels
        var annotations: Labels
        var value: Double
        var activeAt: Int64
        var severity: String { labels["severity"] ?? "" }
    }

    let path: String
    let retention: Int64
    private let state: Mutex<(entries: [Entry], fd: Int32)>

    init(dataDir: String, retention: Int64, now: Int64) throws {
        let dir = AlertingPaths.directory(dataDir)
        try FileIO.mkdirs(dir)
        path = dir + "/history.jsonl"
        self.retention = retention
        var entries: [Entry] = []
        var dropped = false
        if FileIO.exists(path) {
            let bytes = try FileIO.readFile(path)
            for line in bytes.split(separator: UInt8(ascii: "\n")) {
                guard let v = try? JSONValue.parse(Array(line)), let e = Self.entry(v) else { dropped = true; continue }
                if e.at < now - retention { dropped = true; continue }
                entries.append(e)
            }
        }
        if dropped {
            var out: [UInt8] = []
            for e in entries { out += Self.json(e).jsonBytes; out.append(UInt8(ascii: "\n")) }
            try FileIO.writeFileAtomically(path, out)
        }
        let created = !FileIO.exists(path)
        let fd = try FileIO.open(path, O_WRONLY | O_CREAT | O_APPEND)
        if created { try FileIO.syncDirectory(dir) }
        state = Mutex((entries, fd))
    }

    deinit {
        state.withLock { FileIO.close($0.fd) }
    }

    func record(_ events: [AlertEvent]) {
        guard !events.isEmpty else { return }
        var bytes: [UInt8] = []
        var new: [Entry] = []
        for ev in events {
            let a = ev.alert
            let e = Entry(at: ev.at, group: ev.group, rule: ev.rule, kind: ev.transition.kind.rawValue,
                          from: ev.transition.from.rawValue, labels: a.labels, annotations: a.annotations,
                          value: a.value, activeAt: a.activeAt)
            new.append(e)
            bytes += Self.json(e).jsonBytes
            bytes.append(UInt8(ascii: "\n"))
        }
        state.withLock { s in
            s.entries.append(contentsOf: new)
            do {
                try FileIO.writeAll(s.fd, bytes, path: path)
                try FileIO.fsync(s.fd, path: path)
            } catch {
                // The transition is still served from memory and kept in the
                // ALERTS series; the file misses it (disk full, I/O error).
            }
            // Bound memory: drop what fell out of the retention window.
            if let first = s.entries.first, first.at < new[0].at - retention {
                s.entries.removeAll { $0.at < new[0].at - retention }
            }
        }
    }

    struct Query: Sendable {
        var start: Int64 = .min
        var end: Int64 = .max
        var severity: String?
        var state: String?
        var limit = 10_000
    }

    struct Result: Sendable {
        var entries: [Entry]
        /// Per severity (critical, warning, info, and any other) plus "resolved",
        /// over every matching entry (not only the returned ones).
        var counts: [String: Int]
        var total: Int
    }

    func query(_ q: Query) -> Result {
        let all = state.withLock { $0.entries }
        var out: [Entry] = []
        var counts: [String: Int] = ["critical": 0, "warning": 0, "info": 0, "resolved": 0]
        var total = 0
        for e in all.reversed() where e.at >= q.start && e.at <= q.end {
            if let sev = q.severity, e.severity != sev { continue }
            if let st = q.state, e.kind != st { continue }
            total += 1
            if e.kind == "resolved" { counts["resolved", default: 0] += 1 } else if !e.severity.isEmpty {
                counts[e.severity, default: 0] += 1
            }
            if out.count < q.limit { out.append(e) }
        }
        return Result(entries: out, counts: counts, total: total)
    }

    static func json(_ e: Entry) -> JSONValue {
        .object([
            ("at", .int(e.at)), ("time", .string(GoTime.rfc3339Nano(e.at))), ("group", .string(e.group)),
            ("rule", .string(e.rule)), ("state", .string(e.kind)), ("from", .string(e.from)),
            ("severity", .string(e.severity)), ("labels", AlertPayloads.labelsJSON(e.labels)),
            ("annotations", AlertPayloads.labelsJSON(e.annotations)), ("value", .string(PromNumber.formatValue(e.value))),
            ("activeAt", .string(GoTime.rfc3339Nano(e.activeAt))), ("activeAtMs", .int(e.activeAt)),
        ])
    }

    static func entry(_ v: JSONValue) -> Entry? {
        guard let at = v["at"]?.int64Value, let group = v["group"]?.stringValue, let rule = v["rule"]?.stringValue,
              let kind = v["state"]?.stringValue, let from = v["from"]?.stringValue,
              let labels = v["labels"].flatMap(labelsOf), let ann = v["annotations"].flatMap(labelsOf),
              let value = v["value"]?.stringValue.flatMap({ Double($0) }), let activeAt = v["activeAtMs"]?.int64Value
        else { return nil }
        return Entry(at: at, group: group, rule: rule, kind: kind, from: from, labels: labels, annotations: ann,
                     value: value, activeAt: activeAt)
    }

    static func labelsOf(_ v: JSONValue) -> Labels? {
        guard case .object(let o) = v else { return nil }
        var d: [String: String] = [:]
        for (k, x) in o { guard let s = x.stringValue else { return nil }; d[k] = s }
        return Labels(d)
    }
}
