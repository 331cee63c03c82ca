import StrataCodec

/// Sums (and increases) of decimal samples computed in binary floating
/// point are a few ULPs off the decimal they stand for (0.1 + 0.2 =
/// 0.30000000000000004), so `ValueColumn` finds no short decimal form for
/// them and falls back to 8-byte floats. This column stores such values
/// exactly as a decimal and a ULP correction (docs/format/rollups.md,
/// "Exact-sum column"):
///
/// ```
/// mode u8 = 0 │ ValueColumn
/// mode u8 = 1 │ e u8 │ D TimestampColumn │ u TimestampColumn
/// ```
/// value_i = bits(Double(D_i) / 10^e) + u_i, the bit patterns taken as
/// signed integers: any double of the same sign as its decimal, exactly.
/// The encoder writes whichever mode is smaller.
extension RollupChunk {
    static let exactValueColumn: UInt8 = 0, exactDecimalULP: UInt8 = 1
    /// Largest ULP correction the decimal mode accepts.
    static let maxULPs: Int64 = 1 << 20

    static func encodeExact(_ vs: UnsafeBufferPointer<Double>, into out: inout [UInt8], scratch: inout Scratch) {
        scratch.plain.removeAll(keepingCapacity: true)
        ValueColumn.encode(vs, into: &scratch.plain)
        if let e = decimalExponent(vs, ints: &scratch.ints, ulps: &scratch.ulps) {
            scratch.decimal.removeAll(keepingCapacity: true)
            scratch.decimal.append(UInt8(e))
            TimestampColumn.encode(scratch.ints, into: &scratch.decimal)
            TimestampColumn.encode(scratch.ulps, into: &scratch.decimal)
            if scratch.decimal.count < scratch.plain.count {
                out.append(exactDecimalULP)
                out.append(contentsOf: scratch.decimal)
                return
            }
        }
        out.append(exactValueColumn)
        out.append(contentsOf: scratch.plain)
    }

    /// The decimal `Double(d) / 10^e`, evaluated the same way by encoder and decoder.
    @inline(__always)
    static func decimal(_ d: Int64, scale: Double, e: Int) -> Double { e == 0 ? Double(d) : Double(d) / scale }

    /// The smallest exponent e ≤ 15 for which every value is within
    /// `maxULPs` of a decimal with e digits (and of the same sign); fills
    /// the integers and corrections. Nil if there is none (NaN, ∞, huge values).
    static func decimalExponent(_ vs: UnsafeBufferPointer<Double>, ints: inout [Int64], ulps: inout [Int64]) -> Int? {
        var scale = 1.0
        for e in 0...ValueColumn.maxExponent {
            if e > 0 { scale *= 10 }
            ints.removeAll(keepingCapacity: true)
            ulps.removeAll(keepingCapacity: true)
            var ok = true
            for v in vs {
                let s = v * scale
                guard s.isFinite, abs(s) < 0x1p62 else { ok = false; break }
                let d = Int64(s.rounded())
                let x = decimal(d, scale: scale, e: e)
                guard (x < 0) == (v < 0) || x == 0 && v == 0 else { ok = false; break }
                let u = Int64(bitPattern: v.bitPattern) &- Int64(bitPattern: x.bitPattern)
                guard u >= -maxULPs && u <= maxULPs else { ok = false; break }
                ints.append(d)
                ulps.append(u)
            }
            if ok { return e }
        }
        return nil
    }

    static func decodeExact(
        _ r: inout ByteReader, _ n: Int, into doubles: inout [Double], ints: inout [Int64], ulps: inout [Int64]
    ) throws(CodecError) {
        let at = r.offset
        let mode = try r.rollupByte("exact column mode")
        switch mode {
        case exactValueColumn:
            let used = try ValueColumn.decode(UnsafeRawBufferPointer(rebasing: r.base[r.offset...]), into: &doubles)
            r.offset += used
        case exactDecimalULP:
            let e = Int(try r.rollupByte("exact column exponent"))
            guard e <= ValueColumn.maxExponent else { throw .badHeader(offset: r.offset - 1, what: "exponent \(e)") }
            r.offset += try TimestampColumn.decode(UnsafeRawBufferPointer(rebasing: r.base[r.offset...]), into: &ints)
            r.offset += try TimestampColumn.decode(UnsafeRawBufferPointer(rebasing: r.base[r.offset...]), into: &ulps)
            guard ints.count == n, ulps.count == n else {
                throw .countMismatch(expected: n, actual: min(ints.count, ulps.count))
            }
            var scale = 1.0
            for _ in 0..<e { scale *= 10 }
            doubles.removeAll(keepingCapacity: true)
            for i in 0..<n {
                let x = decimal(ints[i], scale: scale, e: e)
                doubles.append(Double(bitPattern: UInt64(bitPattern: Int64(bitPattern: x.bitPattern) &+ ulps[i])))
            }
        default:
            throw .unknownEncoding(offset: at, kind: mode)
        }
        guard doubles.count == n else { throw .countMismatch(expected: n, actual: doubles.count) }
    }
}
