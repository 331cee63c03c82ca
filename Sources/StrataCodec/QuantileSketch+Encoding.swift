/// The sparse byte form of a `QuantileSketch` (docs/format/rollups.md,
/// "Sketch"):
///
/// ```
/// flags u8            bit 0: zero count follows, bit 1: positive store, bit 2: negative store
/// [zeroCount uvarint]
/// [store]             positive values
/// [store]             negative values, keyed by |x|
///
/// store: runs uvarint │ firstKey varint │ run × runs
/// run:   skip uvarint │ len uvarint │ count uvarint × len
/// ```
///
/// A run is `len` consecutive keys starting `skip` keys after the end of
/// the previous run (the first at `firstKey`, skip 0). Runs keep up to two
/// empty keys inside them (a zero count is one byte, a new run at least
/// two), so a typical window of scraped values costs about one byte per
/// occupied bucket plus a few bytes of header.
extension QuantileSketch {
    /// Appends the encoded sketch to `out`.
    public func encode(into out: inout [UInt8]) {
        var flags: UInt8 = 0
        if zeroCount > 0 { flags |= 1 }
        if positive.total > 0 { flags |= 2 }
        if negative.total > 0 { flags |= 4 }
        out.append(flags)
        if zeroCount > 0 { out.appendUVarint(zeroCount) }
        if positive.total > 0 { positive.encode(into: &out) }
        if negative.total > 0 { negative.encode(into: &out) }
    }

    /// The encoded sketch.
    public var encoded: [UInt8] {
        var out: [UInt8] = []
        encode(into: &out)
        return out
    }

    /// Decodes a sketch; returns it and the number of bytes it took.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> (sketch: QuantileSketch, size: Int) {
        var s = QuantileSketch()
        let n = try s.merge(encoded: bytes)
        return (s, n)
    }

    /// Adds the values of an encoded sketch without materialising it (the
    /// percentile computation merges thousands of stored windows this way).
    /// Returns the number of bytes consumed. On error nothing is added.
    @discardableResult
    public mutating func merge(encoded bytes: UnsafeRawBufferPointer) throws(CodecError) -> Int {
        var r = ByteReader(bytes)
        // Validate the whole encoding first, so that bad input changes nothing.
        try Self.walk(&r, bytes) { _, _, _ in }
        let size = r.offset
        var r2 = ByteReader(bytes)
        try Self.walk(&r2, bytes) { sign, key, c in
            if sign > 0 { positive.add(key, c) } else if sign < 0 { negative.add(key, c) } else { zeroCount &+= c }
        }
        return size
    }

    /// `merge(encoded:)` in one pass, for bytes already checked by
    /// `validate` (stored rollup windows are, when their chunk is decoded).
    /// Still bounds-checked: bad bytes return false instead of trapping, but
    /// may leave part of them merged.
    @discardableResult
    public mutating func merge(validated bytes: UnsafeRawBufferPointer) -> Bool {
        var r = ByteReader(bytes)
        do throws(CodecError) {
            try Self.walk(&r, bytes) { sign, key, c in
                if sign > 0 { positive.add(key, c) } else if sign < 0 { negative.add(key, c) } else { zeroCount &+= c }
            }
            return true
        } catch {
            return false
        }
    }

    /// Checks an encoded sketch without decoding it; returns its size.
    public static func validate(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Int {
        var r = ByteReader(bytes)
        try walk(&r, bytes) { _, _, _ in }
        return r.offset
    }

    /// Parses one encoded sketch, calling `body(sign, key, count)` for every
    /// nonzero bucket (sign 0: the zero bucket, key 0).
    static func walk(
        _ r: inout ByteReader, _ bytes: UnsafeRawBufferPointer, _ body: (Int, Int32, UInt64) -> Void
    ) throws(CodecError) {
        let flags = try r.byte("sketch flags")
        guard flags & ~7 == 0 else { throw .badHeader(offset: r.offset - 1, what: "sketch flags \(flags)") }
        if flags & 1 != 0 {
            let z = try r.uvarint("sketch zero count")
            body(0, 0, z)
        }
        if flags & 2 != 0 { try walkStore(&r, sign: 1, body) }
        if flags & 4 != 0 { try walkStore(&r, sign: -1, body) }
    }

    static func walkStore(_ r: inout ByteReader, sign: Int, _ body: (Int, Int32, UInt64) -> Void) throws(CodecError) {
        let limit = Int64(maxKey) + 64
        let at = r.offset
        let runs = try r.uvarint("sketch runs")
        // Each run takes at least three bytes.
        guard runs > 0, runs <= UInt64(r.remaining / 3 + 1) else { throw .badHeader(offset: at, what: "sketch runs \(runs)") }
        var key = try r.varint("sketch first key")
        for _ in 0..<runs {
            let skipAt = r.offset
            let skip = try r.uvarint("sketch run skip")
            let len = try r.uvarint("sketch run length")
            // The encoder never writes an empty run (a run starts at a nonzero
            // bucket). Refusing them keeps "each run takes at least three
            // bytes" true, so the bound on `runs` above never depends on the
            // bytes after the sketch (found by fuzzing: a sketch of empty runs
            // validated at the end of a longer buffer but not on its own).
            guard skip <= UInt64(2 * limit), len >= 1, len <= UInt64(r.remaining) else {
                throw .badHeader(offset: skipAt, what: "sketch run (skip \(skip), length \(len))")
            }
            key &+= Int64(skip)
            guard key >= -limit, key + Int64(len) <= limit + 1 else {
                throw .badHeader(offset: skipAt, what: "sketch key \(key) out of range")
            }
            // The hot loop of merging stored windows: the plain optional read.
            for _ in 0..<len {
                guard let c = r.readUVarint() else { throw .truncated(offset: r.offset, what: "sketch bucket count") }
                if c != 0 { body(sign, Int32(truncatingIfNeeded: key), c) }
                key &+= 1
            }
        }
    }
}

extension QuantileSketch.Store {
    /// Empty keys a run may absorb before a new run is cheaper.
    static let maxGapInRun = 2

    func encode(into out: inout [UInt8]) {
        let (lo, hi) = usedRange
        let base = Int(lo - offset), end = Int(hi - offset)
        // Count runs first: the header holds their number.
        var runs = 1
        var gap = 0
        for i in base...end {
            if counts[i] == 0 { gap += 1; continue }
            if gap > Self.maxGapInRun { runs += 1 }
            gap = 0
        }
        out.appendUVarint(UInt64(runs))
        out.appendVarint(Int64(lo))
        var i = base
        var cursor = base
        while i <= end {
            // A run starts at the nonzero bucket i and extends while gaps stay short.
            var j = i
            var lastNonZero = i
            while j + 1 <= end {
                if counts[j + 1] != 0 {
                    j += 1
                    lastNonZero = j
                } else if j + 1 - lastNonZero <= Self.maxGapInRun {
                    j += 1
                } else {
                    break
                }
            }
            j = lastNonZero
            out.appendUVarint(UInt64(i - cursor))
            out.appendUVarint(UInt64(j - i + 1))
            for k in i...j { out.appendUVarint(counts[k]) }
            cursor = j + 1
            i = j + 1
            while i <= end && counts[i] == 0 { i += 1 }
        }
    }
}

extension QuantileSketch {
    /// Whether two non-NaN values fall in the same bucket.
    @inlinable
    public static func sameBucket(_ a: Double, _ b: Double) -> Bool {
        let sa = a >= minIndexable ? 1 : (a <= -minIndexable ? -1 : 0)
        let sb = b >= minIndexable ? 1 : (b <= -minIndexable ? -1 : 0)
        guard sa == sb else { return false }
        if sa == 0 { return true }
        return key(ofMagnitude: abs(a)) == key(ofMagnitude: abs(b))
    }

    /// Appends the encoding of a sketch holding `n` (> 0) values all in the
    /// bucket of `x` (not NaN): the same bytes `encode` gives for it,
    /// without building the sketch.
    public static func encodeSingleBucket(_ x: Double, count n: UInt64, into out: inout [UInt8]) {
        if x >= minIndexable || x <= -minIndexable {
            out.append(x > 0 ? 2 : 4)
            out.appendUVarint(1)                        // runs
            out.appendVarint(Int64(key(ofMagnitude: abs(x))))
            out.appendUVarint(0)                        // skip
            out.appendUVarint(1)                        // len
            out.appendUVarint(n)
        } else {
            out.append(1)
            out.appendUVarint(n)
        }
    }
}
