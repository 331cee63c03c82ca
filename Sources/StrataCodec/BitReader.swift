/// Reads bits most significant first (the order `BitWriter` writes) from
/// bytes the caller keeps alive: create it only inside a `withUnsafeBytes`
/// closure.
///
/// Speed: a 64-bit buffer is refilled with one unaligned big-endian load
/// ("refill variant 4" in Fabian Giesen, "Reading bits in far too many
/// ways", 2018), which keeps at least 56 bits available, so a decoder can
/// peek a whole control prefix and read most fields without another check.
///
/// Safety: reading past the end never touches memory outside the buffer; it
/// yields zero bits and the reader remembers the overrun (`isOverrun`), so
/// a decoder runs its bounded loop to the end and reports truncation once,
/// outside the hot loop.
public struct BitReader {
    @usableFromInline let base: UnsafeRawPointer?
    /// Length of the input in bytes.
    @usableFromInline let length: Int
    /// Next byte to load. May run past `length`: those virtual bytes are zero.
    @usableFromInline var pos: Int
    /// Buffered bits, left-aligned. Bits below the `avail` valid ones are
    /// always copies of the bytes that follow, so OR-ing a reload over them
    /// is harmless (the point of the refill trick).
    @usableFromInline var buf: UInt64
    @usableFromInline var avail: Int

    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, byteOffset: Int = 0) {
        precondition(byteOffset >= 0 && byteOffset <= bytes.count, "offset outside the buffer")
        base = bytes.baseAddress
        length = bytes.count
        pos = byteOffset
        buf = 0
        avail = 0
    }

    /// Bits consumed since the start of the buffer (not of `byteOffset`).
    @inlinable public var bitPosition: Int { pos &* 8 &- avail }

    /// True once a read went past the end of the input.
    @inlinable public var isOverrun: Bool { bitPosition > length &* 8 }

    /// Bytes spanned by the bits consumed so far (the last one partially).
    @inlinable public var bytesConsumed: Int { (bitPosition &+ 7) >> 3 }

    /// Makes at least 56 bits available.
    @inlinable @inline(__always)
    public mutating func refill() {
        if pos &+ 8 <= length, let base {
            let w = UInt64(bigEndian: base.loadUnaligned(fromByteOffset: pos, as: UInt64.self))
            buf |= w &>> UInt64(avail)
            pos &+= (63 &- avail) >> 3
            avail |= 56
        } else {
            refillSlow()
        }
    }

    @inlinable @inline(never)
    mutating func refillSlow() {
        while avail <= 56 {
            var b: UInt64 = 0
            if pos < length, let base { b = UInt64(base.load(fromByteOffset: pos, as: UInt8.self)) }
            buf |= b &<< UInt64(56 &- avail)
            avail &+= 8
            pos &+= 1
        }
    }

    /// The next `n` bits (1...56) without consuming them. Call `refill()`
    /// first if fewer than `n` may be buffered.
    @inlinable @inline(__always)
    public func peek(_ n: Int) -> UInt64 {
        buf &>> UInt64(64 &- n)
    }

    /// Number of leading one bits in the buffer (up to 64): decoders use it
    /// to read a unary control prefix in one step.
    @inlinable @inline(__always)
    public var leadingOnes: Int { (~buf).leadingZeroBitCount }

    /// Consumes `n` buffered bits (0...56, at most what is available).
    @inlinable @inline(__always)
    public mutating func skip(_ n: Int) {
        buf &<<= UInt64(n)
        avail &-= n
    }

    /// Reads 1...56 bits.
    @inlinable @inline(__always)
    public mutating func readShort(_ n: Int) -> UInt64 {
        if avail < n { refill() }
        let v = buf &>> UInt64(64 &- n)
        buf &<<= UInt64(n)
        avail &-= n
        return v
    }

    /// Reads 0...64 bits as the low bits of the result.
    @inlinable @inline(__always)
    public mutating func read(bits n: Int) -> UInt64 {
        precondition(n >= 0 && n <= 64, "bit count out of range")
        if n == 0 { return 0 }
        if n <= 56 { return readShort(n) }
        let hi = readShort(n &- 32)
        return (hi &<< 32) | readShort(32)
    }

    @inlinable @inline(__always)
    public mutating func readBit() -> Bool {
        readShort(1) != 0
    }
}
