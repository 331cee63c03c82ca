/// Appends bits to a byte array, most significant bit first.
///
/// Bit order: the first bit written becomes the most significant bit of the
/// first byte ("big-endian bit order", as in the Gorilla paper and
/// Prometheus' `bstream`). The last byte is padded with zero bits.
///
/// Speed: bits collect in a 64-bit accumulator and reach the array eight
/// bytes at a time, so a write is a shift and an OR in the common case and
/// the array's capacity is checked once per 64 bits instead of once per
/// byte.
public struct BitWriter {
    /// Whole 64-bit words already flushed (plus whatever bytes the writer
    /// was created with).
    @usableFromInline var storage: [UInt8]
    /// Pending bits, right-aligned: the low `pending` bits are valid. Bits
    /// above them are garbage and never reach the output.
    @usableFromInline var acc: UInt64
    /// Number of valid bits in `acc`, 0..<64.
    @usableFromInline var pending: Int

    /// An empty writer whose array can grow to `reservingCapacity` bytes
    /// without reallocating.
    @inlinable
    public init(reservingCapacity: Int = 0) {
        storage = []
        storage.reserveCapacity(reservingCapacity)
        acc = 0
        pending = 0
    }

    /// A writer whose output starts with `prefix` (e.g. a header that is
    /// filled in later). `prefix` is taken over; pass a uniquely referenced
    /// array to avoid a copy.
    @inlinable
    public init(prefix: consuming [UInt8]) {
        storage = prefix
        acc = 0
        pending = 0
    }

    /// Continues a bit stream: `bytes` hold `bitCount` valid bits (the rest
    /// of the last byte is ignored and will be overwritten).
    @inlinable
    public init(continuing bytes: ArraySlice<UInt8>, bitCount: Int) {
        precondition(bitCount >= 0 && bitCount <= bytes.count * 8, "bit count outside the bytes")
        let whole = bitCount >> 3
        storage = Array(bytes.prefix(whole))
        pending = bitCount & 7
        acc = pending == 0 ? 0 : UInt64(bytes[bytes.startIndex + whole] >> (8 - UInt8(pending)))
    }

    /// Bits written so far, including any prefix.
    @inlinable public var bitCount: Int { storage.count &* 8 &+ pending }

    /// Bytes `finish()` would return.
    @inlinable public var byteCount: Int { storage.count &+ (pending &+ 7) >> 3 }

    /// Writes the low `bits` bits of `value` (0...64); higher bits of
    /// `value` are ignored.
    @inlinable @inline(__always)
    public mutating func write(_ value: UInt64, bits n: Int) {
        precondition(n >= 0 && n <= 64, "bit count out of range")
        if n == 0 { return }
        let v = value & (UInt64.max &>> UInt64(64 &- n))
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
        let word = ((acc &<< UInt64(free &- 1)) &<< 1) | (v &>> UInt64(rest))
        appendWord(word)
        acc = v
        pending = rest
    }

    @inlinable @inline(__always)
    public mutating func writeBit(_ bit: Bool) {
        write(bit ? 1 : 0, bits: 1)
    }

    /// Pads with zero bits to the next byte boundary.
    @inlinable
    public mutating func alignToByte() {
        let r = pending & 7
        if r != 0 { write(0, bits: 8 &- r) }
    }

    @inlinable @inline(__always)
    mutating func appendWord(_ word: UInt64) {
        withUnsafeBytes(of: word.bigEndian) { storage.append(contentsOf: $0) }
    }

    /// The top `pending` bits of the accumulator, left-aligned in a word.
    @inlinable @inline(__always)
    var pendingWord: UInt64 {
        let sh = UInt64(64 &- pending)  // 1...64
        return (acc &<< (sh &- 1)) &<< 1
    }

    /// Appends every byte written so far (the last one zero-padded) to
    /// `out`, leaving the writer unchanged. No allocation when `out` has
    /// the capacity.
    @inlinable
    public func copyBytes(into out: inout [UInt8]) {
        out.append(contentsOf: storage)
        let tail = (pending &+ 7) >> 3
        if tail > 0 {
            let w = pendingWord
            for i in 0..<tail { out.append(UInt8(truncatingIfNeeded: w &>> UInt64(56 &- 8 &* i))) }
        }
    }

    /// Every byte written so far (the last one zero-padded), as a new array.
    @inlinable
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount)
        copyBytes(into: &out)
        return out
    }

    /// Flushes the pending bits (zero-padded) and returns the bytes,
    /// leaving the writer empty.
    @inlinable
    public mutating func finish() -> [UInt8] {
        let tail = (pending &+ 7) >> 3
        if tail > 0 {
            let w = pendingWord
            for i in 0..<tail { storage.append(UInt8(truncatingIfNeeded: w &>> UInt64(56 &- 8 &* i))) }
        }
        acc = 0
        pending = 0
        var out: [UInt8] = []
        swap(&out, &storage)
        return out
    }
}
