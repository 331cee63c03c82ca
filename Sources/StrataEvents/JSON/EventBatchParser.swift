/// Parses the bodies of `POST /api/v1/audit/events` and `POST /api/v1/activity`
/// (docs/events.md, "Ingesting"). A batch is accepted or refused whole: the
/// first problem is reported with its line:column and event index.
public enum EventBatchParser {
    public struct Options: Sendable {
        /// Receipt time, for events without a timestamp.
        public var now: Int64
        public var limits = EventLimits.default
        public var maxEvents = 10_000

        public init(now: Int64) { self.now = now }
    }

    /// `{"events":[{"timestamp":…,"type":…,"severity":…,"user":…,"source":…,"action":…,"description":…,"attributes":{…}}]}`
    public static func parseAudit(_ body: UnsafeRawBufferPointer, _ o: Options) throws(EventJSONError) -> [EventDraft] {
        var s = EventJSONScanner(body)
        var out: [EventDraft] = []
        try parseEnvelope(&s, o) { (s: inout EventJSONScanner) throws(EventJSONError) in
            out.append(try auditEvent(&s, o))
        }
        return out
    }

    /// `{"events":[{"kind":"page_view","timestamp":…,"user":…,"session":…,"path":…,"title":…}, {"kind":"action",…,"action_type":…,"label":…}]}`
    public static func parseActivity(_ body: UnsafeRawBufferPointer, _ o: Options) throws(EventJSONError) -> [EventDraft] {
        var s = EventJSONScanner(body)
        var out: [EventDraft] = []
        try parseEnvelope(&s, o) { (s: inout EventJSONScanner) throws(EventJSONError) in
            out.append(try beacon(&s, o))
        }
        return out
    }

    private static func parseEnvelope(
        _ s: inout EventJSONScanner, _ o: Options, _ each: (inout EventJSONScanner) throws(EventJSONError) -> Void
    ) throws(EventJSONError) {
        var sawEvents = false
        if try s.open(UInt8(ascii: "{"), UInt8(ascii: "}")) {
            repeat {
                let keyAt = s.pos
                let key = try s.string()
                try s.expect(UInt8(ascii: ":"))
                guard key == "events" else { throw s.error("unknown field \"\(key)\" (expected \"events\")", at: keyAt) }
                sawEvents = true
                var n = 0
                if try s.open(UInt8(ascii: "["), UInt8(ascii: "]")) {
                    repeat {
                        guard n < o.maxEvents else { throw s.error("more than \(o.maxEvents) events in one batch") }
                        s.event = n
                        try each(&s)
                        s.event = nil
                        n += 1
                    } while try s.next(UInt8(ascii: "]"))
                }
                if n == 0 { throw s.error("\"events\" is empty") }
            } while try s.next(UInt8(ascii: "}"))
        }
        guard sawEvents else { throw s.error("missing \"events\"") }
        try s.end()
    }

    private static func timestamp(_ s: inout EventJSONScanner) throws(EventJSONError) -> Int64? {
        if s.null() { return nil }
        let at = s.pos
        if s.peek() == UInt8(ascii: "\"") {
            let text = try s.string()
            guard let t = RFC3339.parse(text) else { throw s.error("timestamp \"\(text)\" is not RFC 3339", at: at) }
            return t
        }
        let text = try s.numberText()
        guard let d = Double(text), d.isFinite, abs(d) < 9.2e18 else { throw s.error("invalid timestamp", at: at) }
        return Int64(d.rounded())
    }

    private static func auditEvent(_ s: inout EventJSONScanner, _ o: Options) throws(EventJSONError) -> EventDraft {
        let start = s.pos
        var t: Int64?
        var type: EventType?
        var severity = Severity.info
        var d = EventDraft(timestamp: 0, type: .business)
        var attrs: [EventAttribute] = []
        guard try s.open(UInt8(ascii: "{"), UInt8(ascii: "}")) else { throw s.error("an event needs at least a \"type\"", at: start) }
        repeat {
            let keyAt = s.pos
            let key = try s.string()
            try s.expect(UInt8(ascii: ":"))
            let valueAt = s.pos
            switch key {
            case "timestamp": t = try timestamp(&s)
            case "type":
                let v = try s.string()
                guard let ty = EventType(name: v), EventType.audit.contains(ty) else {
                    throw s.error("unknown type \"\(v)\": use authentication, data_modification, security or business", at: valueAt)
                }
                type = ty
            case "severity":
                let v = try s.string()
                guard let sv = Severity(name: v) else { throw s.error("unknown severity \"\(v)\": use info, warning, error or critical", at: valueAt) }
                severity = sv
            case "user": d.user = try s.optionalString()
            case "source": d.source = try s.optionalString()
            case "action": d.action = try s.optionalString()
            case "description": d.description = try s.optionalString()
            case "attributes":
                if !s.null() { attrs = try attributes(&s) }
            default:
                throw s.error("unknown field \"\(key)\"", at: keyAt)
            }
        } while try s.next(UInt8(ascii: "}"))
        guard let type else { throw s.error("missing \"type\"", at: start) }
        d.type = type
        d.severity = severity
        d.timestamp = t ?? o.now
        d.attributes = attrs.sorted { $0.key < $1.key }
        do { try d.validate(o.limits) } catch { throw s.error("\(error)", at: start) }
        return d
    }

    private static func attributes(_ s: inout EventJSONScanner) throws(EventJSONError) -> [EventAttribute] {
        var out: [EventAttribute] = []
        if try s.open(UInt8(ascii: "{"), UInt8(ascii: "}")) {
            repeat {
                let k = try s.string()
                try s.expect(UInt8(ascii: ":"))
                out.append(EventAttribute(k, try s.scalarText()))
            } while try s.next(UInt8(ascii: "}"))
        }
        return out
    }

    private static func beacon(_ s: inout EventJSONScanner, _ o: Options) throws(EventJSONError) -> EventDraft {
        let start = s.pos
        var kind: String?
        var t: Int64?
        var user = "", session = "", path = "", title = "", actionType = "", label = ""
        guard try s.open(UInt8(ascii: "{"), UInt8(ascii: "}")) else { throw s.error("a beacon needs \"kind\", \"user\" and \"session\"", at: start) }
        repeat {
            let keyAt = s.pos
            let key = try s.string()
            try s.expect(UInt8(ascii: ":"))
            switch key {
            case "kind": kind = try s.string()
            case "timestamp": t = try timestamp(&s)
            case "user": user = try s.string()
            case "session": session = try s.string()
            case "path": path = try s.string()
            case "title": title = try s.optionalString()
            case "action_type": actionType = try s.string()
            case "label": label = try s.optionalString()
            default: throw s.error("unknown field \"\(key)\"", at: keyAt)
            }
        } while try s.next(UInt8(ascii: "}"))
        guard let kind else { throw s.error("missing \"kind\"", at: start) }
        guard !user.isEmpty else { throw s.error("missing \"user\"", at: start) }
        guard !session.isEmpty else { throw s.error("missing \"session\"", at: start) }
        var d = EventDraft(timestamp: t ?? o.now, type: .pageView, user: user, source: session)
        switch kind {
        case "page_view":
            guard !path.isEmpty else { throw s.error("page_view needs \"path\"", at: start) }
            d.action = path
            d.description = title
        case "action":
            guard !actionType.isEmpty else { throw s.error("action needs \"action_type\"", at: start) }
            d.type = .action
            d.action = actionType
            d.description = label
        case "session_start": d.type = .sessionStart
        case "heartbeat", "session_heartbeat": d.type = .sessionHeartbeat
        case "session_end": d.type = .sessionEnd
        default:
            throw s.error("unknown kind \"\(kind)\": use page_view, action, session_start, heartbeat or session_end", at: start)
        }
        do { try d.validate(o.limits) } catch { throw s.error("\(error)", at: start) }
        return d
    }
}
