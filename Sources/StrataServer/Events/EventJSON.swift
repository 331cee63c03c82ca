import StrataEvents

/// Event serialisation for the audit and activity APIs (docs/events.md, "Answers").
enum EventJSON {
    /// `{"id":1,"timestamp":…,"time":"…","type":…,"severity":…,"user":…,"source":…,"action":…,"description":…,"attributes":{…}}`
    static func write(_ e: Event, into w: inout JSONWriter, detail: EventStore.EventDetail? = nil) {
        w.raw("{\"id\":")
        w.int64(Int64(bitPattern: e.id))
        w.raw(",\"timestamp\":")
        w.int64(e.timestamp)
        w.raw(",\"time\":")
        w.string(RFC3339.format(e.timestamp))
        w.raw(",\"type\":")
        w.string(e.type.name)
        w.raw(",\"severity\":")
        w.string(e.severity.name)
        w.raw(",\"user\":")
        w.string(e.user)
        w.raw(",\"source\":")
        w.string(e.source)
        w.raw(",\"action\":")
        w.string(e.action)
        w.raw(",\"description\":")
        w.string(e.description)
        w.raw(",\"attributes\":")
        attributes(e.attributes, into: &w)
        if let detail {
            if let p = detail.prevHash {
                w.raw(",\"prev_hash\":")
                w.string(p.hex)
            }
            if let h = detail.hash {
                w.raw(",\"hash\":")
                w.string(h.hex)
            }
        }
        w.byte(UInt8(ascii: "}"))
    }

    static func attributes(_ attrs: [EventAttribute], into w: inout JSONWriter) {
        w.byte(UInt8(ascii: "{"))
        for (i, a) in attrs.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(a.key)
            w.byte(UInt8(ascii: ":"))
            w.string(a.value)
        }
        w.byte(UInt8(ascii: "}"))
    }

    /// One RFC 4180 CSV record (fields quoted when they hold `,`, `"`, CR or LF).
    static func csvRow(_ e: Event, into out: inout [UInt8]) {
        var attrs = JSONWriter(capacity: 64)
        attributes(e.attributes, into: &attrs)
        let fields = [String(e.id), String(e.timestamp), RFC3339.format(e.timestamp), e.type.name, e.severity.name,
                      e.user, e.source, e.action, e.description, String(decoding: attrs.bytes, as: UTF8.self)]
        for (i, f) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            csvField(f, into: &out)
        }
        out.append(contentsOf: "\r\n".utf8)
    }

    static let csvHeader = "id,timestamp,time,type,severity,user,source,action,description,attributes\r\n"

    static func csvField(_ s: String, into out: inout [UInt8]) {
        let needsQuotes = s.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }
        guard needsQuotes else {
            out.append(contentsOf: s.utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            if b == UInt8(ascii: "\"") { out.append(b) }
            out.append(b)
        }
        out.append(UInt8(ascii: "\""))
    }
}
