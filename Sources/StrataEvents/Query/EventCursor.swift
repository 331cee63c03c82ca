import StrataCodec

/// Opaque pagination cursor: where the last page ended, plus the window it
/// was computed for, so that `range=last_1h` keeps meaning the same hour on
/// every page even as time passes (docs/events.md, "Pagination").
///
/// Results are ordered by (timestamp, id) descending; a page continues with
/// the events strictly below the position. Events appended later either sort
/// above it (new ones) or below (backdated ones); neither shifts or repeats
/// what the earlier pages showed.
public enum EventCursor {
    public struct Position: Sendable, Equatable, Hashable, Comparable {
        public var timestamp: Int64
        public var id: UInt64

        public init(timestamp: Int64, id: UInt64) {
            self.timestamp = timestamp
            self.id = id
        }

        public static func < (a: Position, b: Position) -> Bool {
            a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.id < b.id
        }
    }

    public struct Token: Sendable, Equatable {
        public var position: Position
        public var start: Int64
        public var end: Int64

        public init(position: Position, start: Int64, end: Int64) {
            self.position = position
            self.start = start
            self.end = end
        }
    }

    static let version: UInt8 = 1

    /// URL-safe base64 (RFC 4648 §5, no padding) of `version u8 | t varint | id uvarint | start varint | end varint`.
    public static func encode(_ t: Token) -> String {
        var b: [UInt8] = [version]
        b.appendVarint(t.position.timestamp)
        b.appendUVarint(t.position.id)
        b.appendVarint(t.start)
        b.appendVarint(t.end)
        return Base64URL.encode(b)
    }

    public static func decode(_ s: String) -> Token? {
        guard let bytes = Base64URL.decode(s) else { return nil }
        return bytes.withUnsafeBytes { raw -> Token? in
            var r = ByteReader(raw)
            guard r.readUInt8() == version, let t = r.readVarint(), let id = r.readUVarint(),
                  let start = r.readVarint(), let end = r.readVarint(), r.isAtEnd else { return nil }
            return Token(position: Position(timestamp: t, id: id), start: start, end: end)
        }
    }
}

enum Base64URL {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    static func encode(_ b: [UInt8]) -> String {
        var out: [UInt8] = []
        var i = 0
        while i < b.count {
            let n = min(3, b.count - i)
            var v = UInt32(b[i]) << 16
            if n > 1 { v |= UInt32(b[i + 1]) << 8 }
            if n > 2 { v |= UInt32(b[i + 2]) }
            for k in 0..<(n + 1) { out.append(alphabet[Int((v >> UInt32(18 - 6 * k)) & 63)]) }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        var acc: UInt32 = 0
        var bits = 0
        for c in s.utf8 {
            let v: UInt8
            switch c {
            case 65...90: v = c - 65
            case 97...122: v = c - 71
            case 48...57: v = c + 4
            case UInt8(ascii: "-"): v = 62
            case UInt8(ascii: "_"): v = 63
            default: return nil
            }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
            }
        }
        // Leftover bits must be zero padding (at most 4 bits).
        if bits >= 6 || acc & ((1 << UInt32(bits)) - 1) != 0 { return nil }
        return out
    }
}
