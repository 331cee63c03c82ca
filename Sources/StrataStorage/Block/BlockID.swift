#if canImport(Glibc)
import Glibc
#endif

/// A block id: 48 bits of creation time (ms) and 80 random bits, in Crockford
/// base32 (the ULID layout, https://github.com/ulid/spec). Ids sort by creation time.
public struct BlockID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let string: String

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public init?(_ s: String) {
        guard s.utf8.count == 26, s.utf8.allSatisfy({ BlockID.alphabet.contains($0) }) else { return nil }
        string = s
    }

    /// A new id for `timeMs` (defaults to now).
    public static func generate(timeMs: Int64? = nil) -> BlockID {
        let t = UInt64(timeMs ?? Int64(nowMillis()))
        var rng = SystemRandomNumberGenerator()
        let r1 = rng.next() as UInt64   // 64 random bits
        let r2 = rng.next() as UInt16   // 16 more
        // 128 bits: t(48) | r2(16) | r1(64)
        let hi = (t << 16) | UInt64(r2)
        let lo = r1
        var chars = [UInt8](repeating: 0, count: 26)
        // 26 × 5 = 130 bits; the top 2 bits are zero.
        for i in 0..<26 {
            let shift = 125 - i * 5
            let v: UInt64
            if shift >= 64 {
                v = (hi >> UInt64(shift - 64)) & 31
            } else if shift > 59 {
                v = ((hi << UInt64(64 - shift)) | (lo >> UInt64(shift))) & 31
            } else {
                v = (lo >> UInt64(shift)) & 31
            }
            chars[i] = alphabet[Int(v)]
        }
        return BlockID(unchecked: String(decoding: chars, as: UTF8.self))
    }

    init(unchecked s: String) { string = s }

    public var description: String { string }

    public static func < (a: BlockID, b: BlockID) -> Bool { a.string < b.string }
}

/// Wall-clock milliseconds since the Unix epoch.
public func nowMillis() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
