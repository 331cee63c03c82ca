// The timestamp half of the head's XOR chunk: delta-of-delta in
// variable-length buckets (Gorilla, VLDB 2015, section 4.1.1), with bucket
// sizes chosen for millisecond timestamps of scraped data rather than the
// paper's seconds:
//
//   '0'                     dod = 0             (perfectly regular scrapes)
//   '10'    +  7 bits       dod in [-64, 63]    (the ±10 ms jitter of a scrape)
//   '110'   + 12 bits       dod in [-2048, 2047]
//   '1110'  + 20 bits       dod in [-2^19, 2^19-1]  (about ±8.7 min)
//   '11110' + 32 bits       dod in Int32
//   '11111' + 64 bits       anything else
//
// The first timestamp is written as 64 raw bits and the previous delta
// starts at 0, so the first delta goes through the same buckets. All
// arithmetic wraps: any Int64 sequence round-trips, even one that is not
// sorted or whose deltas overflow.

public struct DoDTimestampEncoder: Sendable {
    @usableFromInline var prev: Int64 = 0
    @usableFromInline var delta: Int64 = 0
    @usableFromInline var started = false

    @inlinable public init() {}

    @inlinable
    init(prev: Int64, delta: Int64) {
        self.prev = prev
        self.delta = delta
        started = true
    }

    @inlinable @inline(__always)
    public mutating func encode(_ t: Int64, into w: inout BitWriter) {
        if !started {
            started = true
            prev = t
            w.writeUnchecked(UInt64(bitPattern: t), bits: 64)
            return
        }
        let d = t &- prev
        let dod = d &- delta
        prev = t
        delta = d
        let u = UInt64(bitPattern: dod)
        if dod == 0 {
            w.writeUnchecked(0, bits: 1)
        } else if UInt64(bitPattern: dod &+ 64) < 128 {
            w.writeUnchecked((0b10 &<< 7) | (u & 0x7f), bits: 9)
        } else if UInt64(bitPattern: dod &+ 2048) < 4096 {
            w.writeUnchecked((0b110 &<< 12) | (u & 0xfff), bits: 15)
        } else if UInt64(bitPattern: dod &+ (1 &<< 19)) < (1 &<< 20) {
            w.writeUnchecked((0b1110 &<< 20) | (u & 0xf_ffff), bits: 24)
        } else if UInt64(bitPattern: dod &+ (1 &<< 31)) < (1 &<< 32) {
            w.writeUnchecked((0b11110 &<< 32) | (u & 0xffff_ffff), bits: 37)
        } else {
            w.writeUnchecked(0b11111, bits: 5)
            w.writeUnchecked(u, bits: 64)
        }
    }
}

public struct DoDTimestampDecoder: Sendable {
    @usableFromInline var prev: Int64 = 0
    @usableFromInline var delta: Int64 = 0
    @usableFromInline var started = false

    @inlinable public init() {}

    @inlinable
    var encoderState: DoDTimestampEncoder {
        started ? DoDTimestampEncoder(prev: prev, delta: delta) : DoDTimestampEncoder()
    }

    @inlinable @inline(__always)
    public mutating func decode(_ r: inout BitReader) -> Int64 {
        if !started {
            started = true
            prev = Int64(bitPattern: r.read(bits: 64))
            return prev
        }
        r.refill()
        let ones = r.leadingOnes
        var dod: Int64
        switch ones {
        case 0:
            r.skip(1)
            dod = 0
        case 1:
            dod = Int64(bitPattern: r.peek(9) &<< 57) &>> 57
            r.skip(9)
        case 2:
            dod = Int64(bitPattern: r.peek(15) &<< 52) &>> 52
            r.skip(15)
        case 3:
            dod = Int64(bitPattern: r.peek(24) &<< 44) &>> 44
            r.skip(24)
        case 4:
            dod = Int64(bitPattern: r.peek(37) &<< 32) &>> 32
            r.skip(37)
        default:
            r.skip(5)
            dod = Int64(bitPattern: r.read(bits: 64))
        }
        delta &+= dod
        prev &+= delta
        return prev
    }
}
