/// A block's value column: an adaptive, self-describing encoding of a run
/// of float64 samples. The first byte names the kind. Every kind preserves
/// every bit pattern (NaN payloads, the staleness marker, -0.0, ±Inf,
/// subnormals): the lossy-looking ones check exactness per value before
/// they are chosen. Byte layout: docs/format/chunks.md.
///
/// Kinds (the encoder writes whichever is smallest):
/// - `constant`: one bit pattern repeated.
/// - `decimal`: v·10^e is an integer for every value, for the smallest
///   such e ≤ 15 (counters in whole units or hundredths, gauges with a few
///   decimals); the integers are packed by `PackedInts` (raw, delta or
///   delta-of-delta, frame of reference, bit width). This is where
///   node_exporter-style data ends up.
/// - `floatBits`: the bit patterns themselves as integers, packed the same
///   way: monotonic floats of one binade (a `_sum`, a clock) have small
///   deltas there even when they have no short decimal form.
/// - `xor`: Gorilla XOR, the fallback for everything else.
public enum ValueColumn {
    public enum Kind: UInt8, Sendable, CaseIterable {
        case empty = 0
        case constant = 1
        case decimal = 2
        case floatBits = 3
        case xor = 4
    }

    /// Largest decimal exponent tried. A double has 15 to 17 significant
    /// decimal digits, so 10^15 covers any sample below 10 with a short
    /// decimal form; more would only produce integers too wide to pay.
    public static let maxExponent = 15

    /// Scaled values must convert to Int64 without trapping. Exactness is
    /// not assumed from the magnitude: every value is checked against the
    /// decoder's own expression.
    @usableFromInline static let integerBound: Double = 0x1p63

    /// Appends the column for `vs` to `out`.
    public static func encode(_ vs: UnsafeBufferPointer<Double>, into out: inout [UInt8]) {
        let n = vs.count
        precondition(n <= CodecLimits.maxColumnSamples, "column longer than CodecLimits.maxColumnSamples")
        guard n > 0, let v = vs.baseAddress else {
            out.append(Kind.empty.rawValue)
            out.appendUVarint(0)
            return
        }
        // One pass for "all equal" and the number of repeats, which bounds
        // what XOR can achieve (1 bit per repeat).
        let firstBits = v[0].bitPattern
        var allSame = true
        var repeats = 0
        var prevBits = firstBits
        for i in 1..<n {
            let b = v[i].bitPattern
            if b != firstBits { allSame = false }
            if b == prevBits { repeats &+= 1 }
            prevBits = b
        }
        if allSame {
            out.append(Kind.constant.rawValue)
            out.appendUVarint(UInt64(n))
            out.appendUInt64LE(firstBits)
            return
        }
        let header = 1 + uvarintSize(UInt64(n))
        withUnsafeTemporaryAllocation(of: Int64.self, capacity: n) { scratch in
            let ints = UnsafeBufferPointer(scratch)
            var bestSize = Int.max
            var bestKind = Kind.xor
            var decimalExponent = -1
            var decimalPlan: PackedInts.Plan? = nil
            if let e = decimalIntegers(vs, into: scratch) {
                let p = PackedInts.bestPlan(ints, orders: 0...2)
                decimalExponent = e
                decimalPlan = p
                bestSize = header + 1 + p.size
                bestKind = .decimal
            }
            // Bit-pattern deltas only beat decimal integers when the values
            // have no short decimal form (a float sum, a clock), so they are
            // tried only then.
            var bitsPlan: PackedInts.Plan? = nil
            if decimalPlan == nil {
                let p = vs.withMemoryRebound(to: Int64.self) { PackedInts.bestPlan($0, orders: 1...2) }
                bitsPlan = p
                if header + p.size < bestSize {
                    bestSize = header + p.size
                    bestKind = .floatBits
                }
            }
            // Pricing XOR takes a pass over the values; skip it where it
            // cannot or will hardly ever win: it spends at least 64 bits on
            // the first value and a bit on each other, and a changed value
            // of scraped data costs it 15 to 40 bits, so against packed
            // integers it only wins on columns that mostly repeat. (A rare
            // miss costs bytes, never correctness.)
            let xorFloor = header + (64 + n - 1 + 7) / 8
            let packedBitsPerSample = bestSize == .max ? 64 : (bestSize * 8) / n
            if bestSize > xorFloor && (decimalPlan == nil || repeats * 4 >= n || packedBitsPerSample >= 16) {
                var enc = XORValueEncoder()
                var bits = 0
                for i in 0..<n { bits &+= enc.cost(v[i].bitPattern) }
                if header + (bits + 7) / 8 < bestSize {
                    bestKind = .xor
                }
            }
            out.append(bestKind.rawValue)
            out.appendUVarint(UInt64(n))
            switch bestKind {
            case .decimal:
                out.append(UInt8(decimalExponent))
                PackedInts.encode(ints, plan: decimalPlan!, into: &out)
            case .floatBits:
                vs.withMemoryRebound(to: Int64.self) { PackedInts.encode($0, plan: bitsPlan!, into: &out) }
            default:
                var w = BitWriter(reservingCapacity: n * 9)
                var enc = XORValueEncoder()
                for i in 0..<n { enc.encode(v[i].bitPattern, into: &w) }
                w.copyBytes(into: &out)
            }
        }
    }

    /// Appends the column for `vs` to `out`.
    public static func encode(_ vs: [Double], into out: inout [UInt8]) {
        vs.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// Finds the smallest exponent e ≤ `maxExponent` for which every value
    /// is exactly `Double(i) / 10^e` for an Int64 i (the very expression
    /// the decoder evaluates), and writes those integers.
    ///
    /// One pass at the current exponent; a value that needs more decimals
    /// raises it and restarts the pass (earlier values must hold at the new
    /// exponent too). The exponent only grows, so there are at most 16
    /// passes, and in practice the first few values settle it.
    static func decimalIntegers(_ vs: UnsafeBufferPointer<Double>, into ints: UnsafeMutableBufferPointer<Int64>) -> Int? {
        let n = vs.count
        let v = vs.baseAddress!
        let out = ints.baseAddress!
        var e = 0
        // Multiplying by 10 is exact up to 10^22, so `scale` is exactly 10^e,
        // and dividing by 1 is exact, so e = 0 needs no special case here.
        var scale = 1.0
        var i = 0
        while i < n {
            let x = v[i]
            let s = x * scale
            if abs(s) < integerBound {
                let k = Int64(nearestInteger(s))
                if (Double(k) / scale).bitPattern == x.bitPattern {
                    out[i] = k
                    i &+= 1
                    continue
                }
            }
            // x needs more decimals than e (or has no short decimal form).
            repeat {
                e &+= 1
                if e > maxExponent { return nil }
                scale *= 10
                let s2 = x * scale
                if abs(s2) < integerBound && (Double(Int64(nearestInteger(s2))) / scale).bitPattern == x.bitPattern { break }
            } while true
            i = 0
        }
        return e
    }

    /// The integer nearest to `s` (|s| < 2^63, ties away from zero except
    /// just below 2^52). `rounded()` calls libm's `round` on baseline
    /// x86-64, which took a tenth of the encoder's time; here it is an add
    /// and a truncating conversion. Where the add itself rounds (|s| near
    /// 2^52, or s just below a half), the result may be off by one, which
    /// the exactness check turns into "not decimal", never into a wrong
    /// value.
    @inlinable @inline(__always)
    static func nearestInteger(_ s: Double) -> Double {
        if abs(s) >= 0x1p52 { return s }  // already an integer
        return Double(Int64(s < 0 ? s - 0.5 : s + 0.5))
    }

    /// The kind and sample count in the column's header.
    public static func header(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> (kind: Kind, count: Int) {
        var r = ByteReader(bytes)
        let k = try r.byte("value column kind")
        guard let kind = Kind(rawValue: k) else { throw .unknownEncoding(offset: 0, kind: k) }
        return (kind, try r.sampleCount())
    }

    /// Decodes a column into `into`, replacing its contents and reusing its
    /// capacity. Returns the number of bytes the column took.
    @discardableResult
    public static func decode(_ bytes: UnsafeRawBufferPointer, into vs: inout [Double]) throws(CodecError) -> Int {
        var r = ByteReader(bytes)
        let k = try r.byte("value column kind")
        guard let kind = Kind(rawValue: k) else { throw .unknownEncoding(offset: 0, kind: k) }
        let n = try r.sampleCount()
        switch kind {
        case .empty:
            guard n == 0 else { throw .badHeader(offset: 1, what: "empty column with \(n) samples") }
            vs.removeAll(keepingCapacity: true)
            return r.offset
        case .constant:
            guard let bits = r.readUInt64LE() else { throw .truncated(offset: r.offset, what: "constant column value") }
            vs.resizeForOverwrite(n)
            vs.withUnsafeMutableBufferPointer { p in p.update(repeating: Double(bitPattern: bits)) }
            return r.offset
        case .decimal, .floatBits:
            guard n > 0 else { throw .badHeader(offset: 1, what: "packed column without samples") }
            var e = 0
            if kind == .decimal {
                let at = r.offset
                e = Int(try r.byte("decimal column exponent"))
                guard e <= maxExponent else { throw .badHeader(offset: at, what: "decimal exponent \(e)") }
            }
            vs.resizeForOverwrite(n)
            let result = vs.withUnsafeMutableBufferPointer { p in
                Result { () throws(CodecError) in
                    let raw = UnsafeMutableRawPointer(p.baseAddress!)
                    // Decode the integers in place, in the Double buffer's
                    // memory (same size), then convert.
                    try raw.withMemoryRebound(to: Int64.self, capacity: n) { (ip) throws(CodecError) in
                        try PackedInts.decode(&r, count: n, into: ip)
                    }
                    if kind == .decimal { convertDecimal(raw, count: n, exponent: e) }
                }
            }
            if case .failure(let err) = result {
                vs.removeAll(keepingCapacity: true)
                throw err
            }
            return r.offset
        case .xor:
            guard n > 0 else { throw .badHeader(offset: 1, what: "XOR column without samples") }
            let start = r.offset
            // 64 bits for the first value, at least one for each other.
            guard (r.remaining * 8) >= 64 + (n - 1) else {
                throw .truncated(offset: bytes.count, what: "XOR column of \(n) samples")
            }
            vs.resizeForOverwrite(n)
            // Reader and decoder local to the closure (see XORChunk.decode).
            var overrun = false, corrupt = false, consumed = 0
            vs.withUnsafeMutableBufferPointer { p in
                let raw = UnsafeMutableRawPointer(p.baseAddress!)
                var reader = BitReader(bytes, byteOffset: start)
                var dec = XORValueDecoder()
                for i in 0..<n { raw.storeBytes(of: dec.decode(&reader), toByteOffset: i &* 8, as: UInt64.self) }
                overrun = reader.isOverrun
                corrupt = dec.corrupt
                consumed = reader.bytesConsumed
            }
            if overrun || corrupt {
                vs.removeAll(keepingCapacity: true)
                throw overrun
                    ? .truncated(offset: bytes.count, what: "XOR column bit stream (\(n) samples declared)")
                    : .corrupt(offset: start, what: "impossible XOR window in value stream")
            }
            return consumed
        }
    }

    /// Rewrites `n` Int64s at `raw` as `Double(i) / 10^e`, in place.
    @inlinable
    static func convertDecimal(_ raw: UnsafeMutableRawPointer, count n: Int, exponent e: Int) {
        if e == 0 {
            for i in 0..<n {
                let k = raw.load(fromByteOffset: i &* 8, as: Int64.self)
                raw.storeBytes(of: Double(k), toByteOffset: i &* 8, as: Double.self)
            }
            return
        }
        var scale = 1.0
        for _ in 0..<e { scale *= 10 }
        for i in 0..<n {
            let k = raw.load(fromByteOffset: i &* 8, as: Int64.self)
            raw.storeBytes(of: Double(k) / scale, toByteOffset: i &* 8, as: Double.self)
        }
    }
}
