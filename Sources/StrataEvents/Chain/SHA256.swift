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

    @inline(__always) static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x &>> n) | (x &<< (32 &- n)) }

    /// One 64-byte block (FIPS 180-4 §6.2.2), fully unrolled: the 64 rounds
    /// with their constants inline and the message schedule in a rolling
    /// window of 16 locals, so nothing is loaded from memory but the block.
    /// Generated; the round constants are those of `SHA256.k`.
    @inline(__always)
    static func compress(_ h: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32), _ p: UnsafeRawPointer) {
        var w0 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
        var w1 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        var w2 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
        var w3 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        var w4 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt32.self))
        var w5 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 20, as: UInt32.self))
        var w6 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt32.self))
        var w7 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 28, as: UInt32.self))
        var w8 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
        var w9 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 36, as: UInt32.self))
        var w10 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
        var w11 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 44, as: UInt32.self))
        var w12 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 48, as: UInt32.self))
        var w13 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 52, as: UInt32.self))
        var w14 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 56, as: UInt32.self))
        var w15 = UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 60, as: UInt32.self))
        var a = h.0, b = h.1, c = h.2, d = h.3, e = h.4, f = h.5, g = h.6, hh = h.7
        do { let t1 = hh &+ bs1(e) &+ ch(e, f, g) &+ 0x428a2f98 &+ w0; d &+= t1; hh = t1 &+ bs0(a) &+ maj(a, b, c) }
        do { let t1 = g &+ bs1(d) &+ ch(d, e, f) &+ 0x71374491 &+ w1; c &+= t1; g = t1 &+ bs0(hh) &+ maj(hh, a, b) }
        do { let t1 = f &+ bs1(c) &+ ch(c, d, e) &+ 0xb5c0fbcf &+ w2; b &+= t1; f = t1 &+ bs0(g) &+ maj(g, hh, a) }
        do { let t1 = e &+ bs1(b) &+ ch(b, c, d) &+ 0xe9b5dba5 &+ w3; a &+= t1; e = t1 &+ bs0(f) &+ maj(f, g, hh) }
        do { let t1 = d &+ bs1(a) &+ ch(a, b, c) &+ 0x3956c25b &+ w4; hh &+= t1; d = t1 &+ bs0(e) &+ maj(e, f, g) }
        do { let t1 = c &+ bs1(hh) &+ ch(hh, a, b) &+ 0x59f111f1 &+ w5; g &+= t1; c = t1 &+ bs0(d) &+ maj(d, e, f) }
        do { let t1 = b &+ bs1(g) &+ ch(g, hh, a) &+ 0x923f82a4 &+ w6; f &+= t1; b = t1 &+ bs0(c) &+ maj(c, d, e) }
        do { let t1 = a &+ bs1(f) &+ ch(f, g, hh) &+ 0xab1c5ed5 &+ w7; e &+= t1; a = t1 &+ bs0(b) &+ maj(b, c, d) }
        do { let t1 = hh &+ bs1(e) &+ ch(e, f, g) &+ 0xd807aa98 &+ w8; d &+= t1; hh = t1 &+ bs0(a) &+ maj(a, b, c) }
        do { let t1 = g &+ bs1(d) &+ ch(d, e, f) &+ 0x12835b01 &+ w9; c &+= t1; g = t1 &+ bs0(hh) &+ maj(hh, a, b) }
        do { let t1 = f &+ bs1(c) &+ ch(c, d, e) &+ 0x243185be &+ w10; b &+= t1; f = t1 &+ bs0(g) &+ maj(g, hh, a) }
        do { let t1 = e &+ bs1(b) &+ ch(b, c, d) &+ 0x550c7dc3 &+ w11; a &+= t1; e = t1 &+ bs0(f) &+ maj(f, g, hh) }
        do { let t1 = d &+ bs1(a) &+ ch(a, b, c) &+ 0x72be5d74 &+ w12; hh &+= t1; d = t1 &+ bs0(e) &+ maj(e, f, g) }
        do { let t1 = c &+ bs1(hh) &+ ch(hh, a, b) &+ 0x80deb1fe &+ w13; g &+= t1; c = t1 &+ bs0(d) &+ maj(d, e, f) }
        do { let t1 = b &+ bs1(g) &+ ch(g, hh, a) &+ 0x9bdc06a7 &+ w14; f &+= t1; b = t1 &+ bs0(c) &+ maj(c, d, e) }
        do { let t1 = a &+ bs1(f) &+ ch(f, g, hh) &+ 0xc19bf174 &+ w15; e &+= t1; a = t1 &+ bs0(b) &+ maj(b, c, d) }
        w0 = w0 &+ s1(w14) &+ w9 &+ s0(w1)
        do { let t1 = hh &+ bs1(e) &+ ch(e, f, g) &+ 0xe49b69c1 &+ w0; d &+= t1; hh = t1 &+ bs0(a) &+ maj(a, b, c) }
        w1 = w1 &+ s1(w15) &+ w10 &+ s0(w2)
        do { let t1 = g &+ bs1(d) &+ ch(d, e, f) &+ 0xefbe4786 &+ w1; c &+= t1; g = t1 &+ bs0(hh) &+ maj(hh, a, b) }
        w2 = w2 &+ s1(w0) &+ w11 &+ s0(w3)
        do { let t1 = f &+ bs1(c) &+ ch(c, d, e) &+ 0x0fc19dc6 &+ w2; b &+= t1; f = t1 &+ bs0(g) &+ maj(g, hh, a) }
        w3 = w3 &+ s1(w1) &+ w12 &+ s0(w4)
        do { let t1 = e &+ bs1(b) &+ ch(b, c, d) &+ 0x240ca1cc &+ w3; a &+= t1; e = t1 &+ bs0(f) &+ maj(f, g, hh) }
        w4 = w4 &+ s1(w2) &+ w13 &+ s0(w5)
        do { let t1 = d &+ bs1(a) &+ ch(a, b, c) &+ 0x2de92c6f &+ w4; hh &+= t1; d = t1 &+ bs0(e) &+ maj(e, f, g) }
        w5 = w5 &+ s1(w3) &+ w14 &+ s0(w6)
        do { let t1 = c &+ bs1(hh) &+ ch(hh, a, b) &+ 0x4a7484aa &+ w5; g &+= t1; c = t1 &+ bs0(d) &+ maj(d, e, f) }
        w6 = w6 &+ s1(w4) &+ w15 &+ s0(w7)
        do { let t1 = b &+ bs1(g) &+ ch(g, hh, a) &+ 0x5cb0a9dc &+ w6; f &+= t1; b = t1 &+ bs0(c) &+ maj(c, d, e) }
        w7 = w7 &+ s1(w5) &+ w0 &+ s0(w8)
        do { let t1 = a &+ bs1(f) &+ ch(f, g, hh) &+ 0x76f988da &+ w7; e &+= t1; a = t1 &+ bs0(b) &+ maj(b, c, d) }
        w8 = w8 &+ s1(w6) &+ w1 &+ s0(w9)
        do { let t1 = hh &+ bs1(e) &+ ch(e, f, g) &+ 0x983e5152 &+ w8; d &+= t1; hh = t1 &+ bs0(a) &+ maj(a, b, c) }
        w9 = w9 &+ s1(w7) &+ w2 &+ s0(w10)
        do { let t1 = g &+ bs1(d) &+ ch(d, e, f) &+ 0xa831c66d &+ w9; c &+= t1; g = t1 &+ bs0(hh) &+ maj(hh, a, b) }
        w10 = w10 &+ s1(w8) &+ w3 &+ s0(w11)
        do { let t1 = f &+ bs1(c) &+ ch(c, d, e) &+ 0xb00327c8 &+ w10; b &+= t1; f = t1 &+ bs0(g) &+ maj(g, hh, a) }
        w11 = w11 &+ s1(w9) &+ w4 &+ s0(w12)
        do { let t1 = e &+ bs1(b) &+ ch(b, c, d) &+ 0xbf597fc7 &+ w11; a &+= t1; e = t1 &+ bs0(f) &+ maj(f, g, hh) }
        w12 = w12 &+ s1(w10) &+ w5 &+ s0(w13)
        do { let t1 = d &+ bs1(a) &+ ch(a, b, c) &+ 0xc6e00bf3 &+ w12; hh &+= t1; d = t1 &+ bs0(e) &+ maj(e, f, g) }
        w13 = w13 &+ s1(w11) &+ w6 &+ s0(w14)
        do { let t1 = c &+ bs1(hh) &+ ch(hh, a, b) &+ 0xd5a79147 &+ w13; g &+= t1; c = t1 &+ bs0(d) &+ maj(d, e, f) }
        w14 = w14 &+ s1(w12) &+ w7 &+ s0(w15)
        do { let t1 = b &+ bs1(g) &+ ch(g, hh, a) &+ 0x06ca6351 &+ w14; f &+= t1; b = t1 &+ bs0(c) &+ maj(c, d, e) }
        w15 = w15 &+ s1(w13) &+ w8 &+ s0(w0)
        do { let t1 = a &+ bs1(f) &+ ch(f, g, hh) &+ 0x14292967 &+ w15; e &+= t1; a = t1 &+ bs0(b) &+ maj(b, c, d) }
        w0 = w0 &+ s1(w14) &+ w9 &+ s0(w1)
        do { let t1 = hh &+ bs1(e) &+ ch(e, f, g) &+ 0x27b70a85 &+ w0; d &+= t1; hh = t1 &+ bs0(a) &+ maj(a, b, c) }
        w1 = w1 &+ s1(w15) &+ w10 &+ s0(w2)
        do { let t1 = g &+ bs1(d) &+ ch(d, e, f) &+ 0x2e1b2138 &+ w1; c &+= t1; g = t1 &+ bs0(hh) &+ maj(hh, a, b) }
        w2 = w2 &+ s1(w0) &+ w11 &+ s0(w3)
        do { let t1 = f &+ bs1(c) &+ ch(c, d, e) &+ 0x4d2c6dfc &+ w2; b &+= t1; f = t1 &+ bs0(g) &+ maj(g, hh, a) }
        w3 = w3 &+ s1(w1) &+ w12 &+ s0(w4)
        do { let t1 = e &+ bs1(b) &+ ch(b, c, d) &+ 0x53380d13 &+ w3; a &+= t1; e = t1 &+ bs0(f) &+ maj(f, g, hh) }
        w4 = w4 &+ s1(w2) &+ w13 &+ s0(w5)
        do { let t1 = d &+ bs1(a) &+ ch(a, b, c) &+ 0x650a7354 &+ w4; hh &+= t1; d = t1 &+ bs0(e) &+ maj(e, f, g) }
        w5 = w5 &+ s1(w3) &+ w14 &+ s0(w6)
        do { let t1 = c &+ bs1(hh) &+ ch(hh, a, b) &+ 0x766a0abb &+ w5; g &+= t1; c = t1 &+ bs0(d) &+ maj(d, e, f) }
        w6 = w6 &+ s1(w4) &+ w15 &+ s0(w7)
        do { let t1 = b &+ bs1(g) &+ ch(g, hh, a) &+ 0x81c2c92e &+ w6; f &+= t1; b = t1 &+ bs0(c) &+ maj(c, d, e) }
        w7 = w7 &+ s1(w5) &+ w0 &+ s0(w8)
        do { let t1 = a &+ bs1(f) &+ ch(f, g, hh) &+ 0x92722c85 &+ w7; e &+= t1; a = t1 &+ bs0(b) &+ maj(b, c, d) }
        w8 = w8 &+ s1(w6) &+ w1 &+ s0(w9)
        do { let t1 = hh &+ bs1(e) &+ ch(e, f, g) &+ 0xa2bfe8a1 &+ w8; d &+= t1; hh = t1 &+ bs0(a) &+ maj(a, b, c) }
        w9 = w9 &+ s1(w7) &+ w2 &+ s0(w10)
        do { let t1 = g &+ bs1(d) &+ ch(d, e, f) &+ 0xa81a664b &+ w9; c &+= t1; g = t1 &+ bs0(hh) &+ maj(hh, a, b) }
        w10 = w10 &+ s1(w8) &+ w3 &+ s0(w11)
        do { let t1 = f &+ bs1(c) &+ ch(c, d, e) &+ 0xc24b8b70 &+ w10; b &+= t1; f = t1 &+ bs0(g) &+ maj(g, hh, a) }
        w11 = w11 &+ s1(w9) &+ w4 &+ s0(w12)
        do { let t1 = e &+ bs1(b) &+ ch(b, c, d) &+ 0xc76c51a3 &+ w11; a &+= t1; e = t1 &+ bs0(f) &+ maj(f, g, hh) }
        w12 = w12 &+ s1(w10) &+ w5 &+ s0(w13)
        do { let t1 = d &+ bs1(a) &+ ch(a, b, c) &+ 0xd192e819 &+ w12; hh &+= t1; d = t1 &+ bs0(e) &+ maj(e, f, g) }
        w13 = w13 &+ s1(w11) &+ w6 &+ s0(w14)
        do { let t1 = c &+ bs1(hh) &+ ch(hh, a, b) &+ 0xd6990624 &+ w13; g &+= t1; c = t1 &+ bs0(d) &+ maj(d, e, f) }
        w14 = w14 &+ s1(w12) &+ w7 &+ s0(w15)
        do { let t1 = b &+ bs1(g) &+ ch(g, hh, a) &+ 0xf40e3585 &+ w14; f &+= t1; b = t1 &+ bs0(c) &+ maj(c, d, e) }
        w15 = w15 &+ s1(w13) &+ w8 &+ s0(w0)
        do { let t1 = a &+ bs1(f) &+ ch(f, g, hh) &+ 0x106aa070 &+ w15; e &+= t1; a = t1 &+ bs0(b) &+ maj(b, c, d) }
        w0 = w0 &+ s1(w14) &+ w9 &+ s0(w1)
        do { let t1 = hh &+ bs1(e) &+ ch(e, f, g) &+ 0x19a4c116 &+ w0; d &+= t1; hh = t1 &+ bs0(a) &+ maj(a, b, c) }
        w1 = w1 &+ s1(w15) &+ w10 &+ s0(w2)
        do { let t1 = g &+ bs1(d) &+ ch(d, e, f) &+ 0x1e376c08 &+ w1; c &+= t1; g = t1 &+ bs0(hh) &+ maj(hh, a, b) }
        w2 = w2 &+ s1(w0) &+ w11 &+ s0(w3)
        do { let t1 = f &+ bs1(c) &+ ch(c, d, e) &+ 0x2748774c &+ w2; b &+= t1; f = t1 &+ bs0(g) &+ maj(g, hh, a) }
        w3 = w3 &+ s1(w1) &+ w12 &+ s0(w4)
        do { let t1 = e &+ bs1(b) &+ ch(b, c, d) &+ 0x34b0bcb5 &+ w3; a &+= t1; e = t1 &+ bs0(f) &+ maj(f, g, hh) }
        w4 = w4 &+ s1(w2) &+ w13 &+ s0(w5)
        do { let t1 = d &+ bs1(a) &+ ch(a, b, c) &+ 0x391c0cb3 &+ w4; hh &+= t1; d = t1 &+ bs0(e) &+ maj(e, f, g) }
        w5 = w5 &+ s1(w3) &+ w14 &+ s0(w6)
        do { let t1 = c &+ bs1(hh) &+ ch(hh, a, b) &+ 0x4ed8aa4a &+ w5; g &+= t1; c = t1 &+ bs0(d) &+ maj(d, e, f) }
        w6 = w6 &+ s1(w4) &+ w15 &+ s0(w7)
        do { let t1 = b &+ bs1(g) &+ ch(g, hh, a) &+ 0x5b9cca4f &+ w6; f &+= t1; b = t1 &+ bs0(c) &+ maj(c, d, e) }
        w7 = w7 &+ s1(w5) &+ w0 &+ s0(w8)
        do { let t1 = a &+ bs1(f) &+ ch(f, g, hh) &+ 0x682e6ff3 &+ w7; e &+= t1; a = t1 &+ bs0(b) &+ maj(b, c, d) }
        w8 = w8 &+ s1(w6) &+ w1 &+ s0(w9)
        do { let t1 = hh &+ bs1(e) &+ ch(e, f, g) &+ 0x748f82ee &+ w8; d &+= t1; hh = t1 &+ bs0(a) &+ maj(a, b, c) }
        w9 = w9 &+ s1(w7) &+ w2 &+ s0(w10)
        do { let t1 = g &+ bs1(d) &+ ch(d, e, f) &+ 0x78a5636f &+ w9; c &+= t1; g = t1 &+ bs0(hh) &+ maj(hh, a, b) }
        w10 = w10 &+ s1(w8) &+ w3 &+ s0(w11)
        do { let t1 = f &+ bs1(c) &+ ch(c, d, e) &+ 0x84c87814 &+ w10; b &+= t1; f = t1 &+ bs0(g) &+ maj(g, hh, a) }
        w11 = w11 &+ s1(w9) &+ w4 &+ s0(w12)
        do { let t1 = e &+ bs1(b) &+ ch(b, c, d) &+ 0x8cc70208 &+ w11; a &+= t1; e = t1 &+ bs0(f) &+ maj(f, g, hh) }
        w12 = w12 &+ s1(w10) &+ w5 &+ s0(w13)
        do { let t1 = d &+ bs1(a) &+ ch(a, b, c) &+ 0x90befffa &+ w12; hh &+= t1; d = t1 &+ bs0(e) &+ maj(e, f, g) }
        w13 = w13 &+ s1(w11) &+ w6 &+ s0(w14)
        do { let t1 = c &+ bs1(hh) &+ ch(hh, a, b) &+ 0xa4506ceb &+ w13; g &+= t1; c = t1 &+ bs0(d) &+ maj(d, e, f) }
        w14 = w14 &+ s1(w12) &+ w7 &+ s0(w15)
        do { let t1 = b &+ bs1(g) &+ ch(g, hh, a) &+ 0xbef9a3f7 &+ w14; f &+= t1; b = t1 &+ bs0(c) &+ maj(c, d, e) }
        w15 = w15 &+ s1(w13) &+ w8 &+ s0(w0)
        do { let t1 = a &+ bs1(f) &+ ch(f, g, hh) &+ 0xc67178f2 &+ w15; e &+= t1; a = t1 &+ bs0(b) &+ maj(b, c, d) }
        h.0 &+= a; h.1 &+= b; h.2 &+= c; h.3 &+= d; h.4 &+= e; h.5 &+= f; h.6 &+= g; h.7 &+= hh
    }

    @inline(__always) static func bs0(_ x: UInt32) -> UInt32 { rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22) }
    @inline(__always) static func bs1(_ x: UInt32) -> UInt32 { rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25) }
    @inline(__always) static func s0(_ x: UInt32) -> UInt32 { rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3) }
    @inline(__always) static func s1(_ x: UInt32) -> UInt32 { rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10) }
    @inline(__always) static func ch(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) ^ (~x & z) }
    @inline(__always) static func maj(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) ^ (x & z) ^ (y & z) }
}
