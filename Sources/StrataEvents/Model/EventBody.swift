import StrataCodec

/// The canonical byte encoding of an event's fields: what the WAL stores,
/// what the head keeps, and (with the id in front) what the hash chain
/// hashes. Byte layout: docs/format/events.md, "Event body".
///
/// ```
/// timestamp i64 LE │ type u8 │ severity u8 │ user str │ source str │ action str │
/// description str │ nattrs uvarint │ { key str │ value str } × nattrs
/// ```
/// `str` is a uvarint length and that many UTF-8 bytes.
public enum EventBody {
    /// Appends the body of `d` to `out`.
    public static func encode(_ d: EventDraft, into out: inout [UInt8]) {
        out.appendUInt64LE(UInt64(bitPattern: d.timestamp))
        out.append(d.type.rawValue)
        out.append(d.severity.rawValue)
        out.appendString(d.user)
        out.appendString(d.source)
        out.appendString(d.action)
        out.appendString(d.description)
        out.appendUVarint(UInt64(d.attributes.count))
        for a in d.attributes {
            out.appendString(a.key)
            out.appendString(a.value)
        }
    }

    /// Decodes one body from `r`, which ends up just past it.
    public static func decode(_ r: inout ByteReader) throws(EventDecodeError) -> EventDraft {
        let start = r.offset
        guard let t = r.readUInt64LE(), let type = r.readUInt8(), let sev = r.readUInt8() else {
            throw .truncated(offset: start, what: "event header")
        }
        guard type < EventType.limit, let severity = Severity(rawValue: sev) else {
            throw .invalid(offset: start + 8, what: "type \(type) / severity \(sev)")
        }
        guard let user = r.readString(), let source = r.readString(), let action = r.readString(),
              let description = r.readString(), let n = r.readUVarint() else {
            throw .truncated(offset: r.offset, what: "event fields")
        }
        // Every attribute takes at least two bytes.
        guard n <= UInt64(r.remaining / 2) else { throw .invalid(offset: r.offset, what: "attribute count \(n)") }
        var attrs: [EventAttribute] = []
        attrs.reserveCapacity(Int(n))
        for _ in 0..<n {
            guard let k = r.readString(), let v = r.readString() else {
                throw .truncated(offset: r.offset, what: "attribute")
            }
            attrs.append(EventAttribute(k, v))
        }
        var d = EventDraft(timestamp: Int64(bitPattern: t), type: EventType(unchecked: type), severity: severity,
                           user: user, source: source, action: action, description: description)
        d.attributes = attrs
        return d
    }

    public static func decode(_ bytes: [UInt8]) throws(EventDecodeError) -> EventDraft {
        let r: Result<EventDraft, EventDecodeError> = bytes.withUnsafeBytes { raw in
            var reader = ByteReader(raw)
            do throws(EventDecodeError) { return .success(try decode(&reader)) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// The timestamp and key of a body without decoding the strings.
    @inlinable
    public static func header(_ raw: UnsafeRawBufferPointer, at offset: Int) -> (timestamp: Int64, key: EventKey) {
        let t = Int64(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
        return (t, EventKey(rawValue: raw[offset + 8] << 2 | raw[offset + 9]))
    }
}

/// Why stored event bytes could not be decoded, and where.
public enum EventDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    case truncated(offset: Int, what: String)
    case invalid(offset: Int, what: String)

    public var description: String {
        switch self {
        case .truncated(let o, let w): return "truncated \(w) at byte \(o)"
        case .invalid(let o, let w): return "invalid \(w) at byte \(o)"
        }
    }
}
