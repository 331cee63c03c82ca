extension AlertSettings {
    /// Why a settings document was refused, naming the field (`receivers[1].webhook_url`).
    struct ValidationError: Error, Sendable, CustomStringConvertible {
        var path: String
        var message: String
        var description: String { path.isEmpty ? message : "\(path): \(message)" }
    }

    var json: JSONValue {
        .object([
            ("receivers", .array(receivers.map { r in
                var o: [(String, JSONValue)] = [("name", .string(r.name))]
                if let u = r.webhookURL { o.append(("webhook_url", .string(u))) }
                if let u = r.alertmanagerURL { o.append(("alertmanager_url", .string(u))) }
                return .object(o)
            })),
            ("routes", .array(routes.map { r in
                .object([("severity", .string(r.severity ?? "*")), ("receiver", .string(r.receiver))])
            })),
            ("mute_windows", .array(muteWindows.map { m in
                .object([("name", .string(m.name)), ("start", .string(GoTime.rfc3339Nano(m.start))),
                         ("end", .string(GoTime.rfc3339Nano(m.end))), ("severities", .array(m.severities.map { .string($0) }))])
            })),
            ("toast_severities", .array(toastSeverities.map { .string($0) })),
        ])
    }

    /// Reads and validates a settings document; unknown fields are refused
    /// so a typo cannot silently disable a receiver.
    static func decode(_ v: JSONValue) throws(ValidationError) -> AlertSettings {
        guard case .object(let top) = v else { throw ValidationError(path: "", message: "settings must be a JSON object") }
        var s = AlertSettings()
        for (k, val) in top {
            switch k {
            case "receivers":
                let items = try list(val, k)
                s.receivers = []
                for (i, item) in items.enumerated() {
                    let p = "receivers[\(i)]"
                    guard case .object(let o) = item else { throw ValidationError(path: p, message: "must be an object") }
                    var r = Receiver(name: "")
                    for (rk, rv) in o {
                        switch rk {
                        case "name": r.name = try string(rv, p + ".name")
                        case "webhook_url": r.webhookURL = try url(rv, p + ".webhook_url")
                        case "alertmanager_url": r.alertmanagerURL = try url(rv, p + ".alertmanager_url")
                        default: throw ValidationError(path: p, message: "unknown field \"\(rk)\"")
                        }
                    }
                    guard !r.name.isEmpty else { throw ValidationError(path: p + ".name", message: "must not be empty") }
                    guard (r.webhookURL == nil) != (r.alertmanagerURL == nil) else {
                        throw ValidationError(path: p, message: "needs exactly one of webhook_url and alertmanager_url")
                    }
                    guard !s.receivers.contains(where: { $0.name == r.name }) else {
                        throw ValidationError(path: p + ".name", message: "receiver \"\(r.name)\" is defined twice")
                    }
                    s.receivers.append(r)
                }
            case "routes":
                s.routes = []
                for (i, item) in try list(val, k).enumerated() {
                    let p = "routes[\(i)]"
                    guard case .object(let o) = item else { throw ValidationError(path: p, message: "must be an object") }
                    var r = Route(severity: nil, receiver: "")
                    for (rk, rv) in o {
                        switch rk {
                        case "severity":
                            let sev = try string(rv, p + ".severity")
                            guard sev == "*" || severities.contains(sev) else {
                                throw ValidationError(path: p + ".severity", message: "must be one of critical, warning, info or *")
                            }
                            r.severity = sev
                        case "receiver": r.receiver = try string(rv, p + ".receiver")
                        default: throw ValidationError(path: p, message: "unknown field \"\(rk)\"")
                        }
                    }
                    s.routes.append(r)
                }
            case "mute_windows":
                s.muteWindows = []
                for (i, item) in try list(val, k).enumerated() {
                    let p = "mute_windows[\(i)]"
                    guard case .object(let o) = item else { throw ValidationError(path: p, message: "must be an object") }
                    var m = MuteWindow(name: "", start: 0, end: 0, severities: [])
                    var hasStart = false, hasEnd = false
                    for (mk, mv) in o {
                        switch mk {
                        case "name": m.name = try string(mv, p + ".name")
                        case "start": m.start = try time(mv, p + ".start"); hasStart = true
                        case "end": m.end = try time(mv, p + ".end"); hasEnd = true
                        case "severities":
                            m.severities = try list(mv, p + ".severities").enumerated().map { (j, x) throws(ValidationError) in
                                let sev = try string(x, p + ".severities[\(j)]")
                                guard severities.contains(sev) else {
                                    throw ValidationError(path: p + ".severities[\(j)]", message: "must be one of critical, warning, info")
                                }
                                return sev
                            }
                        default: throw ValidationError(path: p, message: "unknown field \"\(mk)\"")
                        }
                    }
                    guard hasStart, hasEnd else { throw ValidationError(path: p, message: "needs start and end") }
                    guard m.end > m.start else { throw ValidationError(path: p + ".end", message: "must be after start") }
                    s.muteWindows.append(m)
                }
            case "toast_severities":
                s.toastSeverities = try list(val, k).enumerated().map { (j, x) throws(ValidationError) in
                    let sev = try string(x, "toast_severities[\(j)]")
                    guard severities.contains(sev) else {
                        throw ValidationError(path: "toast_severities[\(j)]", message: "must be one of critical, warning, info")
                    }
                    return sev
                }
            default:
                throw ValidationError(path: "", message: "unknown field \"\(k)\"")
            }
        }
        for (i, r) in s.routes.enumerated() where !s.receivers.contains(where: { $0.name == r.receiver }) {
            throw ValidationError(path: "routes[\(i)].receiver", message: "no receiver named \"\(r.receiver)\"")
        }
        return s
    }

    private static func list(_ v: JSONValue, _ p: String) throws(ValidationError) -> [JSONValue] {
        if case .null = v { return [] }
        guard case .array(let a) = v else { throw ValidationError(path: p, message: "must be a list") }
        return a
    }

    private static func string(_ v: JSONValue, _ p: String) throws(ValidationError) -> String {
        guard case .string(let s) = v else { throw ValidationError(path: p, message: "must be a string") }
        return s
    }

    private static func url(_ v: JSONValue, _ p: String) throws(ValidationError) -> String {
        let s = try string(v, p)
        let lower = s.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), s.count > 8, !s.contains(" ") else {
            throw ValidationError(path: p, message: "must be an http:// or https:// URL")
        }
        return s
    }

    private static func time(_ v: JSONValue, _ p: String) throws(ValidationError) -> Int64 {
        switch v {
        case .string(let s):
            guard let t = TimeParameters.parseTime(s) else { throw ValidationError(path: p, message: "not an RFC 3339 time or Unix seconds") }
            return t
        case .int(let i): return i * 1000
        case .double(let d) where d.isFinite: return Int64(d * 1000)
        default: throw ValidationError(path: p, message: "must be a time")
        }
    }
}
