import StrataStorage

/// A minimal JSON writer that appends to a byte buffer. Foundation's
/// JSONEncoder costs ~10 µs per small struct here (RECIPES), far too slow for
/// query responses with thousands of points.
public struct JSONWriter {
    public var bytes: [UInt8] = []

    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    @inline(__always) public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) public mutating func byte(_ b: UInt8) { bytes.append(b) }

    /// A JSON string literal with escapes.
    public mutating func string(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\")); bytes.append(b)
            case 0x0A: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "n"))
            case 0x0D: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "r"))
            case 0x09: bytes.append(UInt8(ascii: "\\")); bytes.append(UInt8(ascii: "t"))
            case 0..<0x20, 0x7f:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hex[Int(b >> 4)])
                bytes.append(hex[Int(b & 15)])
            default:
                // Go's encoding/json also escapes <, > and & as \u003c etc. in HTML-safe
                // mode; Prometheus' API uses jsoniter without HTML escaping, so we don't.
                bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func int(_ v: Int) { bytes.append(contentsOf: String(v).utf8) }
    public mutating func int64(_ v: Int64) { bytes.append(contentsOf: String(v).utf8) }
    public mutating func bool(_ v: Bool) { raw(v ? "true" : "false") }

    /// A float as a JSON number (non-finite values as null).
    public mutating func number(_ v: Double) {
        if !v.isFinite { raw("null"); return }
        PromNumber.appendValue(v, to: &bytes)
    }

    /// `{"a":"1","b":"2"}` for a label set.
    public mutating func labels(_ ls: Labels) {
        byte(UInt8(ascii: "{"))
        var first = true
        for l in ls {
            if !first { byte(UInt8(ascii: ",")) }
            first = false
            string(l.name)
            byte(UInt8(ascii: ":"))
            string(l.value)
        }
        byte(UInt8(ascii: "}"))
    }

    /// `[1795913685.05,"1.5"]` — a Prometheus sample pair.
    public mutating func samplePair(_ t: Int64, _ v: Double) {
        byte(UInt8(ascii: "["))
        PromNumber.appendTimestamp(t, to: &bytes)
        raw(",\"")
        PromNumber.appendValue(v, to: &bytes)
        raw("\"]")
    }
}
