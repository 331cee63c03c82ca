import Foundation

/// One query API answer, decoded for comparison: series keyed by their label
/// set, timestamps in ms, values as the strings the server wrote.
enum PromAnswer {
    struct Point: Equatable {
        var t: Int64
        var v: String
    }

    case matrix([String: [Point]])
    /// Instant vector: elements in the server's order.
    case vector([(labels: String, point: Point)])
    case scalar(Point)
    case string(Int64, String)
    case error(status: Int, type: String, message: String)
    /// Not a Prometheus envelope at all.
    case malformed(status: Int, body: String)

    init(_ r: HTTPResult) {
        guard let json = r.json, let status = json["status"] as? String else {
            self = .malformed(status: r.status, body: String(r.text.prefix(300)))
            return
        }
        if status != "success" {
            self = .error(status: r.status, type: json["errorType"] as? String ?? "?", message: json["error"] as? String ?? "?")
            return
        }
        guard let data = json["data"] as? [String: Any], let type = data["resultType"] as? String else {
            self = .malformed(status: r.status, body: String(r.text.prefix(300)))
            return
        }
        switch type {
        case "matrix":
            var m: [String: [Point]] = [:]
            for s in data["result"] as? [[String: Any]] ?? [] {
                let key = Self.labelKey(s["metric"])
                let values = (s["values"] as? [[Any]] ?? []).map(Self.point)
                // Two series with one label set would be a bug: keep both visible.
                m[m[key] == nil ? key : key + " (duplicate)"] = values
            }
            self = .matrix(m)
        case "vector":
            self = .vector((data["result"] as? [[String: Any]] ?? []).map { e in
                (Self.labelKey(e["metric"]), Self.point(e["value"] as? [Any] ?? []))
            })
        case "scalar":
            self = .scalar(Self.point(data["result"] as? [Any] ?? []))
        case "string":
            let p = data["result"] as? [Any] ?? []
            self = .string(Self.millis(p.first), p.count > 1 ? p[1] as? String ?? "?" : "?")
        default:
            self = .malformed(status: r.status, body: String(r.text.prefix(300)))
        }
    }

    static func labelKey(_ metric: Any?) -> String {
        let m = metric as? [String: String] ?? [:]
        let pairs = m.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { "\($0.key)=\($0.value.debugDescription)" }
        return "{" + pairs.joined(separator: ", ") + "}"
    }

    static func millis(_ x: Any?) -> Int64 {
        guard let n = x as? NSNumber else { return .min }
        return Int64((n.doubleValue * 1000).rounded())
    }

    static func point(_ pair: [Any]) -> Point {
        Point(t: millis(pair.first), v: pair.count > 1 ? pair[1] as? String ?? "?" : "?")
    }

    var summary: String {
        switch self {
        case .matrix(let m): return "matrix of \(m.count) series, \(m.values.reduce(0) { $0 + $1.count }) points"
        case .vector(let v): return "vector of \(v.count)"
        case .scalar(let p): return "scalar \(p.v) @ \(p.t)"
        case .string(_, let s): return "string \(s.debugDescription)"
        case .error(let st, let type, let msg): return "error \(st) \(type): \(msg)"
        case .malformed(let st, let body): return "malformed \(st): \(body)"
        }
    }
}

/// Compares Prometheus' answer with ours.
enum AnswerComparison {
    /// Values agree within this relative difference (issue #4).
    static let relativeTolerance = 1e-9

    static func parse(_ s: String) -> Double? {
        switch s {
        case "NaN": return .nan
        case "+Inf": return .infinity
        case "-Inf": return -.infinity
        default: return Double(s)
        }
    }

    /// Whether two value strings denote equal values (NaN equals NaN).
    static func valuesAgree(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = parse(a), let y = parse(b) else { return false }
        if x.isNaN || y.isNaN { return x.isNaN && y.isNaN }
        if x.isInfinite || y.isInfinite { return x == y }
        return abs(x - y) <= relativeTolerance * max(abs(x), abs(y))
    }

    /// Differences, one line each (empty when the answers agree).
    /// `ordered`: the vector's order is part of the answer (`sort`, `sort_desc`).
    static func differences(prometheus p: PromAnswer, strata s: PromAnswer, ordered: Bool, compareMessages: Bool = true) -> [String] {
        var out: [String] = []
        switch (p, s) {
        case (.error(let ps, let pt, let pm), .error(let ss, let st, let sm)):
            if pt != st || ps != ss { out.append("errorType: prometheus \(ps) \(pt), strata \(ss) \(st)") }
            if pm != sm && compareMessages { out.append("message:\n    prometheus: \(pm)\n    strata:     \(sm)") }
        case (.matrix(let pm), .matrix(let sm)):
            for key in Set(pm.keys).union(sm.keys).sorted() {
                guard let a = pm[key] else { out.append("extra series in strata: \(key) (\(sm[key]!.count) points)"); continue }
                guard let b = sm[key] else { out.append("missing series in strata: \(key) (\(a.count) points)"); continue }
                out += pointDifferences(key, a, b)
            }
        case (.vector(let pv), .vector(let sv)):
            var pm: [String: PromAnswer.Point] = [:], sm: [String: PromAnswer.Point] = [:]
            for e in pv { if pm.updateValue(e.point, forKey: e.labels) != nil { out.append("prometheus repeats \(e.labels)") } }
            for e in sv { if sm.updateValue(e.point, forKey: e.labels) != nil { out.append("strata repeats \(e.labels)") } }
            for key in Set(pm.keys).union(sm.keys).sorted() {
                guard let a = pm[key] else { out.append("extra element in strata: \(key) \(sm[key]!.v)"); continue }
                guard let b = sm[key] else { out.append("missing element in strata: \(key) \(a.v)"); continue }
                out += pointDifferences(key, [a], [b])
            }
            if ordered && out.isEmpty {
                // Equal values may come in either order (Go's sort is not stable).
                let a = pv.map(\.point.v), b = sv.map(\.point.v)
                if !zip(a, b).allSatisfy(valuesAgree) { out.append("order differs:\n    prometheus: \(a)\n    strata:     \(b)") }
            }
        case (.scalar(let a), .scalar(let b)):
            out += pointDifferences("scalar", [a], [b])
        case (.string(let ta, let a), .string(let tb, let b)):
            if ta != tb || a != b { out.append("string: prometheus \(a.debugDescription) @ \(ta), strata \(b.debugDescription) @ \(tb)") }
        default:
            out.append("prometheus: \(p.summary)\n    strata: \(s.summary)")
        }
        return out
    }

    static func pointDifferences(_ key: String, _ a: [PromAnswer.Point], _ b: [PromAnswer.Point]) -> [String] {
        var out: [String] = []
        if a.map(\.t) != b.map(\.t) {
            let ta = Set(a.map(\.t)), tb = Set(b.map(\.t))
            let missing = a.map(\.t).filter { !tb.contains($0) }, extra = b.map(\.t).filter { !ta.contains($0) }
            out.append("\(key): timestamps differ (\(a.count) vs \(b.count) points); missing in strata: \(missing.prefix(5)), extra in strata: \(extra.prefix(5))")
        }
        var bad: [String] = []
        var formatting: [String] = []
        let bt = Dictionary(b.map { ($0.t, $0.v) }, uniquingKeysWith: { x, _ in x })
        for p in a {
            guard let v = bt[p.t] else { continue }
            if !valuesAgree(p.v, v) {
                bad.append("@\(p.t): \(p.v) vs \(v)")
            } else if p.v != v, let x = parse(p.v), let y = parse(v), x == y {
                formatting.append("@\(p.t): \(p.v) vs \(v)")
            }
        }
        if !bad.isEmpty { out.append("\(key): \(bad.count) values differ (prometheus vs strata): \(bad.prefix(4).joined(separator: ", "))") }
        if !formatting.isEmpty { out.append("\(key): equal values formatted differently: \(formatting.prefix(3).joined(separator: ", "))") }
        return out
    }
}
