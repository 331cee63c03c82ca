/// One value of the audit log's hash chain: a 32-byte SHA-256 digest
/// (docs/format/events.md, "Hash chain").
///
/// Why a value type of our own rather than `Crypto.SHA256Digest`: chain
/// values are stored per head event and per block anchor and compared on
/// every verification, so four words inline (no buffer, no ARC, `Hashable`
/// for dictionary keys) keep those paths allocation-free. The words are the
/// digest's bytes read big-endian, so `hex` and `bytes` print the digest as
/// SHA-256 tools do.
public struct ChainHash: Hashable, Sendable, CustomStringConvertible {
    public var a: UInt64, b: UInt64, c: UInt64, d: UInt64

    public static let zero = ChainHash(a: 0, b: 0, c: 0, d: 0)

    public init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) {
        self.a = a
        self.b = b
        self.c = c
        self.d = d
    }

    /// From 32 bytes (big-endian words, as SHA-256 prints them).
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var a: UInt64 = 0, b: UInt64 = 0, c: UInt64 = 0, d: UInt64 = 0
        for (i, byte) in bytes.enumerated() {
            switch i >> 3 {
            case 0: a = a << 8 | UInt64(byte)
            case 1: b = b << 8 | UInt64(byte)
            case 2: c = c << 8 | UInt64(byte)
            default: d = d << 8 | UInt64(byte)
            }
        }
        self.init(a: a, b: b, c: c, d: d)
    }

    /// Parses 64 hex digits (either case).
    public init?(hex: String) {
        let u = Array(hex.utf8)
        guard u.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        var i = 0
        while i < 64 {
            guard let h = Self.nibble(u[i]), let l = Self.nibble(u[i + 1]) else { return nil }
            bytes.append(h << 4 | l)
            i += 2
        }
        self.init(bytes: bytes)
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: return c - 48
        case 97...102: return c - 87
        case 65...70: return c - 55
        default: return nil
        }
    }

    /// Reads 32 bytes at `offset` (bounds checked by the caller).
    @inlinable
    public init(reading raw: UnsafeRawBufferPointer, at offset: Int) {
        a = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
        b = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        c = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
        d = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
    }

    /// Appends the 32 digest bytes.
    @inlinable
    public func append(to out: inout [UInt8]) {
        Self.appendBE(a, &out)
        Self.appendBE(b, &out)
        Self.appendBE(c, &out)
        Self.appendBE(d, &out)
    }

    @inlinable
    static func appendBE(_ w: UInt64, _ out: inout [UInt8]) {
        var s = 56
        while s >= 0 {
            out.append(UInt8(truncatingIfNeeded: w >> UInt64(s)))
            s -= 8
        }
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        append(to: &out)
        return out
    }

    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var description: String { hex }
}
