/// A block's timestamp column: an adaptive, self-describing encoding of a
/// run of Int64 millisecond timestamps. The first byte names the kind, so
/// a block can store one column and share it between every series scraped
/// at the same instants. Byte layout: docs/format/chunks.md.
///
/// Kinds (the encoder writes whichever is smallest):
/// - `constantDelta`: regular scrapes, first timestamp and the step.
/// - `packed`: jittered scrapes, delta or delta-of-delta, frame of
///   reference, bit-packed with a per-column width (`PackedInts`).
/// - `varintDelta`: generic fallback, zig-zag varint per delta, for a few
///   huge gaps among small steps.
public enum TimestampColumn {
    public enum Kind: UInt8, Sendable, CaseIterable {
        case empty = 0
        case constantDelta = 1
        case packed = 2
        case varintDelta = 3
    }

    /// Appends the column for `ts` to `out`. Any Int64 sequence
    /// round-trips; sorted ones encode small.
    public static func encode(_ ts: UnsafeBufferPointer<Int64>, into out: inout [UInt8]) {
        let n = ts.count
        precondition(n <= CodecLimits.maxColumnSamples, "column longer than CodecLimits.maxColumnSamples")
        guard n > 0, let t = ts.baseAddress else {
            out.append(Kind.empty.rawValue)
            out.appendUVarint(0)
            return
        }
        let plan = PackedInts.bestPlan(ts, orders: 1...2)
        if plan.order == 1 && plan.width == 0 {
            out.append(Kind.constantDelta.rawValue)
            out.appendUVarint(UInt64(n))
            out.appendVarint(t[0])
            out.appendVarint(n > 1 ? plan.minimum : 0)
            return
        }
        // Varints take at least a byte per delta: only price them when the
        // packed form is wider than that.
        var varintSize = uvarintSize(zigzagEncode(t[0])) &+ (n &- 1)
        if varintSize < plan.size {
            varintSize = uvarintSize(zigzagEncode(t[0]))
            for i in 1..<n { varintSize &+= uvarintSize(zigzagEncode(t[i] &- t[i - 1])) }
        }
        if varintSize < plan.size {
            out.append(Kind.varintDelta.rawValue)
            out.appendUVarint(UInt64(n))
            out.appendVarint(t[0])
            for i in 1..<n { out.appendVarint(t[i] &- t[i - 1]) }
            return
        }
        out.append(Kind.packed.rawValue)
        out.appendUVarint(UInt64(n))
        PackedInts.encode(ts, plan: plan, into: &out)
    }

    /// Appends the column for `ts` to `out`.
    public static func encode(_ ts: [Int64], into out: inout [UInt8]) {
        ts.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// The kind and sample count in the column's header.
    public static func header(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> (kind: Kind, count: Int) {
        var r = ByteReader(bytes)
        let k = try r.byte("timestamp column kind")
        guard let kind = Kind(rawValue: k) else { throw .unknownEncoding(offset: 0, kind: k) }
        return (kind, try r.sampleCount())
    }

    /// Decodes a column into `into`, replacing its contents and reusing its
    /// capacity. Returns the number of bytes the column took (columns are
    /// self-delimiting; trailing bytes are left to the caller).
    @discardableResult
    public static func decode(_ bytes: UnsafeRawBufferPointer, into ts: inout [Int64]) throws(CodecError) -> Int {
        var r = ByteReader(bytes)
        let k = try r.byte("timestamp column kind")
        guard let kind = Kind(rawValue: k) else { throw .unknownEncoding(offset: 0, kind: k) }
        let n = try r.sampleCount()
        switch kind {
        case .empty:
            guard n == 0 else { throw .badHeader(offset: 1, what: "empty column with \(n) samples") }
            ts.removeAll(keepingCapacity: true)
        case .constantDelta:
            let first = try r.varint("constant-delta column: first timestamp")
            let step = try r.varint("constant-delta column: step")
            ts.resizeForOverwrite(n)
            ts.withUnsafeMutableBufferPointer { p in
                var t = first
                for i in 0..<n {
                    p[i] = t
                    t &+= step
                }
            }
        case .packed:
            guard n > 0 else { throw .badHeader(offset: 1, what: "packed column without samples") }
            // Validate before touching the caller's buffer.
            ts.resizeForOverwrite(n)
            let result = ts.withUnsafeMutableBufferPointer { p in
                Result { () throws(CodecError) in try PackedInts.decode(&r, count: n, into: p.baseAddress!) }
            }
            if case .failure(let e) = result {
                ts.removeAll(keepingCapacity: true)
                throw e
            }
        case .varintDelta:
            guard n > 0 else { throw .badHeader(offset: 1, what: "varint column without samples") }
            // Each delta takes at least one byte.
            guard r.remaining >= n else { throw .truncated(offset: bytes.count, what: "varint column of \(n) samples") }
            ts.resizeForOverwrite(n)
            var bad = -1
            ts.withUnsafeMutableBufferPointer { p in
                guard let t0 = r.readVarint() else { bad = r.offset; return }
                var t = t0
                p[0] = t
                for i in 1..<n {
                    guard let d = r.readVarint() else { bad = r.offset; return }
                    t &+= d
                    p[i] = t
                }
            }
            if bad >= 0 {
                ts.removeAll(keepingCapacity: true)
                throw .truncated(offset: bad, what: "varint column delta")
            }
        }
        return r.offset
    }
}
