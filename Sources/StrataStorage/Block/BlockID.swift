#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A block id: 48 bits of creation time (ms) and 80 random bits, in Crockford
/// base32 (the ULID layout, https://github.com/ulid/spec). Ids sort by creation time.
public struct BlockID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let string: String

    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    public init?(_ s: String) {
        guard s.utf8.count == 26, s.utf8.allSatisfy({ BlockID.alphabet.contains($0) }) else { return nil }
        string = s
    }

    /// The last id generated for the current time, so that ids generated in
    /// one millisecond still increase (ULID's monotonic mode): the compactor
    /// lets the newer of two blocks win on conflicting samples.
    private static let last = Mutex<(t: UInt64, r2: UInt16, r1: UInt64)>((0, 0, 0))

    /// A new id for `timeMs` (defaults to now).
    public static func generate(timeMs: Int64? = nil) -> BlockID {
        var t = UInt64(timeMs ?? Int64(nowMillis()))
        var rng = SystemRandomNumberGenerator()
        var r1 = rng.next() as UInt64   // 64 random bits
        var r2 = rng.next() as UInt16   // 16 more
        if timeMs == nil {
            (t, r2, r1) = last.withLock { last in
                if t <= last.t {
                    // Same millisecond (or a clock step back): the previous random part plus one.
                    var (n1, carry) = last.r1.addingReportingOverflow(1)
                    var n2 = last.r2
                    if carry { n2 &+= 1 }
                    if carry && n2 == 0 { n1 = 0 }
                    last = (last.t, n2, n1)
                } else {
                    last = (t, r2, r1)
                }
                return last
            }
        }
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
