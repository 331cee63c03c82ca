/// SHA-256 (FIPS 180-4, "Secure Hash Standard", section 6.2), for the audit
/// log's hash chain (docs/format/events.md, "Hash chain").
///
/// Why our own: the chain hashes every event once, inside the ingest critical
/// section, over inputs of 100 to 300 bytes; a value-type hasher with no
/// allocation per message keeps that at about a microsecond per event, and
/// the package needs no new dependency. Correctness is pinned by the FIPS
/// 180-4 example vectors and NIST's long-message vectors (SHA256Tests), and
/// cross-checked against coreutils' `sha256sum`.
public struct SHA256: Sendable {
    /// A 32-byte digest.
    public struct Digest: Hashable, Sendable, CustomStringConvertible {
        public var a: UInt64, b: UInt64, c: UInt64, d: UInt64

        public static let zero = Digest(a: 0, b: 0, c: 0, d: 0)

        public init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) {
            self.a = a
            self.b = b
            self.c = c
            self.d = d
        }

        /// From 32 bytes (big-endian words, as SHA-256 prints them).
        public init?(bytes: some Collection<UInt8>) {
            guard bytes.count == 32 else { return nil }
            var words: [UInt64] = [0, 0, 0, 0]
            for (i, byte) in bytes.enumerated() { words[i >> 3] = words[i >> 3] << 8 | UInt64(byte) }
            self.init(a: words[0], b: words[1], c: words[2], d: words[3])
        }

        /// Parses 64 hex digits.
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

        /// Reads 32 bytes at `offset` (bounds checked by the caller).
        @inlinable
        public init(reading raw: UnsafeRawBufferPointer, at offset: Int) {
            a = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
            b = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
            c = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self))
            d = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
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

    @usableFromInline var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    /// Partial block.
    @usableFromInline var buffer: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    @usableFromInline var buffered = 0
    @usableFromInline var total: UInt64 = 0

    public init() {
        // FIPS 180-4 §5.3.3: the first 32 bits of the fractional parts of the
        // square roots of the first 8 primes.
        h = (0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19)
    }

    /// FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the
    /// cube roots of the first 64 primes.
    @usableFromInline static let k: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    /// Hashes more bytes.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var p = bytes.baseAddress else { return }
        var n = bytes.count
        total &+= UInt64(n)
        var state = h
        var block = buffer
        var filled = buffered
        withUnsafeMutableBytes(of: &block) { raw in
            let blockBuf = raw.baseAddress!
            if filled > 0 {
                let take = min(64 - filled, n)
                (blockBuf + filled).copyMemory(from: p, byteCount: take)
                filled += take
                p += take
                n -= take
                if filled == 64 {
                    Self.compress(&state, UnsafeRawPointer(blockBuf))
                    filled = 0
                }
            }
            while n >= 64 {
                Self.compress(&state, p)
                p += 64
                n -= 64
            }
            if n > 0 {
                blockBuf.copyMemory(from: p, byteCount: n)
                filled = n
            }
        }
        h = state
        buffer = block
        buffered = filled
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ d: Digest) {
        var be = (d.a.bigEndian, d.b.bigEndian, d.c.bigEndian, d.d.bigEndian)
        withUnsafeBytes(of: &be) { update($0) }
    }

    public mutating func update(uint64LE v: UInt64) {
        var le = v.littleEndian
        withUnsafeBytes(of: &le) { update($0) }
    }

    /// Pads (FIPS 180-4 §5.1.1) and returns the digest.
    public mutating func finalize() -> Digest {
        let bitLength = total &* 8
        var pad: [UInt8] = [0x80]
        let padZeros = (buffered + 1 <= 56) ? 56 - buffered - 1 : 120 - buffered - 1
        pad.append(contentsOf: repeatElement(0, count: padZeros))
        for s in stride(from: 56, through: 0, by: -8) { pad.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(s))) }
        let savedTotal = total
        update(pad)
        total = savedTotal
        precondition(buffered == 0)
        return Digest(
            a: UInt64(h.0) << 32 | UInt64(h.1), b: UInt64(h.2) << 32 | UInt64(h.3),
            c: UInt64(h.4) << 32 | UInt64(h.5), d: UInt64(h.6) << 32 | UInt64(h.7))
    }

    public static func hash(_ bytes: [UInt8]) -> Digest {
        var s = SHA256()
        s.update(bytes)
        return s.finalize()
    }

    public static func hash(_ bytes: UnsafeRawBufferPointer) -> Digest {
        var s = SHA256()
        s.update(bytes)
        return s.finalize()
    }

    @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 &- n)) }

    /// One 64-byte block (FIPS 180-4 §6.2.2).
    @inline(__always)
    static func compress(_ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32), _ block: UnsafeRawPointer) {
        var w: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var state = h
        withUnsafeMutableBytes(of: &w) { raw in
            let ws = raw.baseAddress!.assumingMemoryBound(to: UInt32.self)
            for i in 0..<16 {
                ws[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))
            }
            for i in 16..<64 {
                let x = ws[i - 15], y = ws[i - 2]
                let s0 = Self.rotr(x, 7) ^ Self.rotr(x, 18) ^ (x >> 3)
                let s1 = Self.rotr(y, 17) ^ Self.rotr(y, 19) ^ (y >> 10)
                ws[i] = ws[i - 16] &+ s0 &+ ws[i - 7] &+ s1
            }
            Self.k.withUnsafeBufferPointer { k in
                var a = state.0, b = state.1, c = state.2, d = state.3
                var e = state.4, f = state.5, g = state.6, hh = state.7
                for i in 0..<64 {
                    let s1 = Self.rotr(e, 6) ^ Self.rotr(e, 11) ^ Self.rotr(e, 25)
                    let ch = (e & f) ^ (~e & g)
                    let t1 = hh &+ s1 &+ ch &+ k[i] &+ ws[i]
                    let s0 = Self.rotr(a, 2) ^ Self.rotr(a, 13) ^ Self.rotr(a, 22)
                    let maj = (a & b) ^ (a & c) ^ (b & c)
                    let t2 = s0 &+ maj
                    hh = g
                    g = f
                    f = e
                    e = d &+ t1
                    d = c
                    c = b
                    b = a
                    a = t1 &+ t2
                }
                state.0 &+= a
                state.1 &+= b
                state.2 &+= c
                state.3 &+= d
                state.4 &+= e
                state.5 &+= f
                state.6 &+= g
                state.7 &+= hh
            }
        }
        h = state
    }
}
