import StrataStorage

extension TargetSpec {
    /// Fields a target definition may have. `readOnly` ones appear in API
    /// answers and are ignored when a client sends a target back.
    static let fields: Set<String> = ["id", "name", "url", "kind", "interval", "timeout", "labels"]
    static let readOnlyFields: Set<String> = [
        "source", "status", "health", "lastError", "lastScrape", "lastScrapeDuration", "lastCheck",
        "lastResponseTimeSeconds", "uptime24h", "scrapeUrl", "globalUrl", "scrapePool", "scrapeInterval",
        "scrapeTimeout", "discoveredLabels", "job", "instance", "consecutiveFailures", "httpStatus", "samplesScraped",
    ]

    /// Decodes and validates one target definition (a JSON object from the
    /// API, or a YAML mapping converted with `JSONValue(yaml:)`). `id`, when
    /// given, is the id from the URL (`PUT /api/v1/targets/{id}`).
    public static func decode(_ v: JSONValue, source: Source, id pathID: String? = nil, allowReadOnly: Bool = false) throws(TargetError) -> TargetSpec {
        guard case .object(let pairs) = v else { throw TargetError("a target must be an object") }
        for (k, _) in pairs where !fields.contains(k) && !(allowReadOnly && readOnlyFields.contains(k)) {
            throw TargetError("unknown target field \"\(k)\"")
        }
        func string(_ key: String) throws(TargetError) -> String? {
            guard let f = v[key], f != .null else { return nil }
            if let s = f.stringValue { return s }
            if let i = f.int64Value { return String(i) }
            throw TargetError("\"\(key)\" must be a string")
        }
        let kindText = try string("kind") ?? "prometheus"
        guard let kind = Kind(rawValue: kindText) else {
            throw TargetError("invalid kind \"\(kindText)\": use \"prometheus\" or \"http\"")
        }
        guard let rawURL = try string("url"), !rawURL.isEmpty else { throw TargetError("a target needs a \"url\"") }
        guard let url = TargetURL.parse(rawURL, defaultPath: kind == .prometheus ? "/metrics" : "/") else {
            throw TargetError("invalid url \"\(rawURL)\": use http(s)://host[:port][/path]")
        }
        let name = try string("name")
        var id = try string("id")
        if let pathID {
            if let id, id != pathID { throw TargetError("the id in the body (\"\(id)\") differs from the one in the path (\"\(pathID)\")") }
            id = pathID
        }
        let finalID = id ?? slug(name ?? url.hostPort)
        try validateID(finalID)
        let interval = try durationField(v["interval"], "interval") ?? 15_000
        guard interval >= 100 else { throw TargetError("invalid interval: must be at least 100ms") }
        let timeout = try durationField(v["timeout"], "timeout") ?? min(10_000, interval)
        guard timeout > 0 else { throw TargetError("invalid timeout: must be positive") }
        guard timeout <= interval else {
            throw TargetError("timeout (\(PromDurationText.format(timeout))) greater than interval (\(PromDurationText.format(interval)))")
        }
        var labels: [String: String] = [:]
        if let lv = v["labels"], lv != .null {
            guard case .object(let lp) = lv else { throw TargetError("\"labels\" must be an object of strings") }
            for (n, val) in lp {
                guard Labels.isValidLabelName(n) else { throw TargetError("invalid label name \"\(n)\"") }
                guard !n.hasPrefix("__") else { throw TargetError("label names starting with __ are reserved: \"\(n)\"") }
                guard let s = val.stringValue, !s.isEmpty else { throw TargetError("label \"\(n)\" needs a non-empty string value") }
                labels[n] = s
            }
        }
        return TargetSpec(id: finalID, name: name ?? finalID, url: url.string, kind: kind, intervalMs: interval,
                          timeoutMs: timeout, labels: labels, source: source)
    }

    static func validateID(_ id: String) throws(TargetError) {
        let b = Array(id.utf8)
        func ok(_ c: UInt8, first: Bool) -> Bool {
            switch c {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): return true
            case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "."): return !first
            default: return false
            }
        }
        guard (1...64).contains(b.count), ok(b[0], first: true), b.dropFirst().allSatisfy({ ok($0, first: false) }) else {
            throw TargetError("invalid id \"\(id)\": 1 to 64 characters of [A-Za-z0-9_.-], starting with a letter or digit")
        }
    }

    /// `"Web Server #1"` → `web-server-1`.
    static func slug(_ s: String) -> String {
        var out = ""
        var dash = false
        for c in s.lowercased().unicodeScalars {
            if (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c == "." || c == "_" {
                if dash && !out.isEmpty { out.append("-") }
                dash = false
                out.unicodeScalars.append(c)
            } else {
                dash = true
            }
        }
        while out.hasPrefix(".") || out.hasPrefix("_") { out.removeFirst() }
        return String(out.prefix(64))
    }

    private static func durationField(_ f: JSONValue?, _ key: String) throws(TargetError) -> Int64? {
        guard let f, f != .null else { return nil }
        if let s = f.stringValue {
            guard let ms = TimeParameters.parseDuration(s) else { throw TargetError("invalid \(key) \"\(s)\": use a duration such as 15s") }
            return ms
        }
        if let d = f.doubleValue, d.isFinite, d >= 0, d < 1e12 { return Int64((d * 1000).rounded()) }
        throw TargetError("invalid \(key): use a duration such as 15s")
    }
}

/// Durations as Prometheus prints them (`15s`, `1m30s`, `500ms`).
enum PromDurationText {
    static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var rest = ms
        var out = ""
        for (unit, size) in [("d", Int64(86_400_000)), ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)] {
            if rest >= size {
                out += "\(rest / size)\(unit)"
                rest %= size
            }
        }
        return out
    }
}

extension JSONValue {
    /// Converts what Yams loads (`[String: Any]`, `[Any]`, scalars) into a value.
    init?(yaml v: Any?) {
        switch v {
        case nil: self = .null
        case let s as String: self = .string(s)
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .int(Int64(i))
        case let d as Double: self = .double(d)
        case let a as [Any]:
            var out: [JSONValue] = []
            for e in a { guard let j = JSONValue(yaml: e) else { return nil }; out.append(j) }
            self = .array(out)
        case let m as [String: Any]:
            var out: [(String, JSONValue)] = []
            for k in m.keys.sorted() { guard let j = JSONValue(yaml: m[k]) else { return nil }; out.append((k, j)) }
            self = .object(out)
        default:
            return nil
        }
    }
}
