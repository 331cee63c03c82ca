// The value half of a Gorilla chunk (Pelkonen et al., "Gorilla: A Fast,
// Scalable, In-Memory Time Series Database", VLDB 2015, section 4.1.2),
// shared by the head's XOR chunk and the block columns' XOR fallback.
//
// Each value is XOR-ed with the previous value's bit pattern:
//   '0'                               XOR is zero (value repeated)
//   '10' + meaningful bits            XOR fits the previous window
//   '11' + 5 bits leading zeros + 6 bits length (64 stored as 0)
//        + meaningful bits            new window
// The first value is stored as its 64 raw bits. Working on bit patterns
// (never on Double arithmetic) is what makes every NaN payload, -0.0 and
// the staleness marker round-trip exactly.

/// Encodes a stream of float64 bit patterns with XOR compression.
public struct XORValueEncoder: Sendable {
    @usableFromInline var prev: UInt64 = 0
    /// Leading zeros of the current window; 64 means "no window yet", which
    /// no non-zero XOR can fit, so the first change always opens one.
    @usableFromInline var leading: Int = 64
    @usableFromInline var trailing: Int = 0
    @usableFromInline var started = false

    @inlinable public init() {}

    @inlinable
    init(prev: UInt64, leading: Int, trailing: Int) {
        self.prev = prev
        self.leading = leading
        self.trailing = trailing
        started = true
    }

    @inlinable @inline(__always)
    public mutating func encode(_ bits: UInt64, into w: inout BitWriter) {
        if !started {
            started = true
            prev = bits
            w.writeUnchecked(bits, bits: 64)
            return
        }
        let x = bits ^ prev
        prev = bits
        if x == 0 {
            w.writeUnchecked(0, bits: 1)
            return
        }
        var lz = x.leadingZeroBitCount
        let tz = x.trailingZeroBitCount
        // 5 bits hold at most 31 leading zeros; a longer run just widens
        // the window by a few zero bits.
        if lz > 31 { lz = 31 }
        if lz >= leading && tz >= trailing {
            let sig = 64 &- leading &- trailing
            let payload = x &>> UInt64(trailing)
            if sig <= 62 {
                w.writeUnchecked((0b10 &<< UInt64(sig)) | payload, bits: sig &+ 2)
            } else {
                w.writeUnchecked(0b10, bits: 2)
                w.writeUnchecked(payload, bits: sig)
            }
            return
        }
        leading = lz
        trailing = tz
        let sig = 64 &- lz &- tz
        // '11', 5 bits leading, 6 bits length: 13 control bits in one write.
        let control = (UInt64(0b11) &<< 11) | (UInt64(lz) &<< 6) | UInt64(sig & 63)
        w.writeUnchecked(control, bits: 13)
        w.writeUnchecked(x &>> UInt64(tz), bits: sig)
    }

    /// Bits that `encode` would write for `bits`, updating the state the
    /// same way: lets the column encoder price the XOR fallback without
    /// writing it.
    @inlinable @inline(__always)
    public mutating func cost(_ bits: UInt64) -> Int {
        if !started {
            started = true
            prev = bits
            return 64
        }
        let x = bits ^ prev
        prev = bits
        if x == 0 { return 1 }
        var lz = x.leadingZeroBitCount
        let tz = x.trailingZeroBitCount
        if lz > 31 { lz = 31 }
        if lz >= leading && tz >= trailing { return 66 &- leading &- trailing }
        leading = lz
        trailing = tz
        return 77 &- lz &- tz
    }
}

/// Decodes what `XORValueEncoder` wrote.
public struct XORValueDecoder: Sendable {
    @usableFromInline var prev: UInt64 = 0
    @usableFromInline var leading: Int = 0
    @usableFromInline var trailing: Int = 0
    @usableFromInline var started = false
    /// Set when a window header is impossible (leading + length > 64); the
    /// caller checks it once after its loop and throws.
    @usableFromInline var _corrupt = false
    @inlinable public var corrupt: Bool { _corrupt }

    @inlinable public init() {}

    /// The encoder that continues this stream (for resuming an appender).
    @inlinable
    var encoderState: XORValueEncoder {
        started ? XORValueEncoder(prev: prev, leading: leading, trailing: trailing) : XORValueEncoder()
    }

    @inlinable @inline(__always)
    public mutating func decode(_ r: inout BitReader) -> UInt64 {
        if !started {
            started = true
            leading = 64
            prev = r.read(bits: 64)
            return prev
        }
        r.refill()
        let c = r.peek(2)
        if c < 0b10 {
            r.skip(1)
            return prev
        }
        if c == 0b10 {
            r.skip(2)
        } else {
            let h = r.peek(13)
            r.skip(13)
            let lz = Int(truncatingIfNeeded: (h &>> 6) & 31)
            var sig = Int(truncatingIfNeeded: h & 63)
            if sig == 0 { sig = 64 }
            if lz &+ sig > 64 {
                _corrupt = true
                sig = 64 &- lz
            }
            leading = lz
            trailing = 64 &- lz &- sig
        }
        // '10' before any '11' has no window to reuse.
        if leading >= 64 {
            _corrupt = true
            leading = 0
            trailing = 0
        }
        let sig = 64 &- leading &- trailing
        let payload = r.read(bits: sig)
        prev ^= payload &<< UInt64(trailing)
        return prev
    }
}
