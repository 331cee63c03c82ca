/// Hand-assembled protobuf bytes, independent of the encoders under test,
/// for well-formed and deliberately malformed messages.
enum PB {
    static func varint(_ v: UInt64) -> [UInt8] {
        var out: [UInt8] = []
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
        return out
    }

    static func tag(_ field: Int, _ wire: UInt8) -> [UInt8] { varint(UInt64(field) << 3 | UInt64(wire)) }

    static func len(_ field: Int, _ payload: [UInt8]) -> [UInt8] {
        tag(field, 2) + varint(UInt64(payload.count)) + payload
    }

    static func str(_ field: Int, _ s: String) -> [UInt8] { len(field, Array(s.utf8)) }

    static func fixed64(_ field: Int, _ v: UInt64) -> [UInt8] {
        tag(field, 1) + (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
    }

    static func int64(_ field: Int, _ v: Int64) -> [UInt8] { tag(field, 0) + varint(UInt64(bitPattern: v)) }

    /// A `labels` field of a TimeSeries.
    static func label(_ name: String, _ value: String) -> [UInt8] { len(1, str(1, name) + str(2, value)) }

    /// A `samples` field of a TimeSeries.
    static func sample(_ t: Int64, _ v: Double) -> [UInt8] { len(2, fixed64(1, v.bitPattern) + int64(2, t)) }

    /// A `timeseries` field of a WriteRequest.
    static func series(_ parts: [UInt8]...) -> [UInt8] { len(1, parts.flatMap { $0 }) }
}
