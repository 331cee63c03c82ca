/// Appends bits, most significant bit first.
///
/// Bit order: the first bit written becomes the most significant bit of the
/// first byte ("big-endian bit order", as in the Gorilla paper and
/// Prometheus' `bstream`). The last byte is padded with zero bits.
///
/// Speed: bits collect in a 64-bit accumulator that is flushed as one
/// `UInt64` array element, so a write is a shift and an OR, and the
/// array's capacity is checked once per 64 bits. Bytes are produced only
/// when they are read out (`copyBytes`, `finish`). (A first version
/// appended eight `UInt8`s per flush; the generic `append(contentsOf:)`
/// took 18% of the XOR append time.)
public struct BitWriter: Sendable {
    /// Flushed words; word i holds bits 64·i ..< 64·(i+1), first bit in the
    /// most significant position.
    @usableFromInline var words: [UInt64]
    /// Pending bits, right-aligned: the low `pending` bits are valid. Bits
    /// above them are garbage and never reach the output.
    @usableFromInline var acc: UInt64
    /// Number of valid bits in `acc`, 0..<64.
    @usableFromInline var pending: Int

    /// An empty writer that holds `reservingCapacity` bytes without
    /// reallocating.
    @inlinable
    public init(reservingCapacity bytes: Int = 0) {
        words = []
        words.reserveCapacity((bytes + 7) / 8)
        acc = 0
        pending = 0
    }

    /// Continues a bit stream: `bytes` hold `bitCount` valid bits (the rest
    /// of the last byte is ignored and will be overwritten).
    public init(continuing bytes: ArraySlice<UInt8>, bitCount: Int, reservingCapacity: Int = 0) {
        precondition(bitCount >= 0 && bitCount <= bytes.count * 8, "bit count outside the bytes")
        self.init(reservingCapacity: max(reservingCapacity, (bitCount + 7) / 8))
        var i = bytes.startIndex
        var left = bitCount
        while left >= 8 {
            write(UInt64(bytes[i]), bits: 8)
            i += 1
            left -= 8
        }
        if left > 0 { write(UInt64(bytes[i] >> UInt8(8 - left)), bits: left) }
    }

    /// Bits written so far.
    @inlinable public var bitCount: Int { words.count &* 64 &+ pending }

    /// Bytes `finish()` would return.
    @inlinable public var byteCount: Int { words.count &* 8 &+ (pending &+ 7) >> 3 }

    /// Writes the low `bits` bits of `value` (0...64); higher bits of
    /// `value` are ignored.
    @inlinable @inline(__always)
    public mutating func write(_ value: UInt64, bits n: Int) {
        precondition(n >= 0 && n <= 64, "bit count out of range")
        if n == 0 { return }
        writeUnchecked(value & (UInt64.max &>> UInt64(64 &- n)), bits: n)
    }

    /// Writes `value`, which must fit in `bits` (1...64) bits: the hot
    /// paths' variant, without the masking and range checks.
    @inlinable @inline(__always)
    public mutating func writeUnchecked(_ v: UInt64, bits n: Int) {
        let free = 64 &- pending
        if n < free {
            acc = (acc &<< UInt64(n)) | v
            pending &+= n
            return
        }
        // Fill the accumulator to 64 bits and flush it. `free` is 1...64;
        // two shifts avoid Swift's masking of a shift by 64 (which would
        // keep stale bits when `pending` is 0).
        let rest = n &- free
        words.append(((acc &<< UInt64(free &- 1)) &<< 1) | (v &>> UInt64(rest)))
        acc = v
        pending = rest
    }

    @inlinable @inline(__always)
    public mutating func writeBit(_ bit: Bool) {
        writeUnchecked(bit ? 1 : 0, bits: 1)
    }

    /// Pads with zero bits to the next byte boundary.
    @inlinable
    public mutating func alignToByte() {
        let r = pending & 7
        if r != 0 { writeUnchecked(0, bits: 8 &- r) }
    }

    /// Appends every byte written so far (the last one zero-padded) to
    /// `out`, leaving the writer unchanged. No allocation when `out` has
    /// the capacity.
    @inlinable
    public func copyBytes(into out: inout [UInt8]) {
        let start = out.count
        let n = byteCount
        out.append(contentsOf: repeatElement(0, count: n + 8))
        let pendingWord = (acc &<< UInt64(63 &- pending)) &<< 1  // pending < 64
        out.withUnsafeMutableBytes { raw in
            let p = raw.baseAddress! + start
            words.withUnsafeBufferPointer { w in
                for i in 0..<w.count { p.storeBytes(of: w[i].bigEndian, toByteOffset: i &* 8, as: UInt64.self) }
            }
            p.storeBytes(of: pendingWord.bigEndian, toByteOffset: words.count &* 8, as: UInt64.self)
        }
        out.removeLast(8)
    }

    /// Every byte written so far (the last one zero-padded), as a new array.
    @inlinable
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount + 8)
        copyBytes(into: &out)
        return out
    }

    /// Returns the bytes and leaves the writer empty (capacity kept).
    @inlinable
    public mutating func finish() -> [UInt8] {
        let out = bytes
        words.removeAll(keepingCapacity: true)
        acc = 0
        pending = 0
        return out
    }
}
