/// A self-contained columnar chunk (`ChunkEncoding.columnar`): one series'
/// timestamp column and value column, for block writers that do not share
/// the timestamp column. Byte layout: docs/format/chunks.md.
///
/// ```
/// ┌────────────────────────────┬──────────────────┬──────────────┐
/// │ timestamp column length    │ timestamp column │ value column │
/// │ (uvarint)                  │                  │              │
/// └────────────────────────────┴──────────────────┴──────────────┘
/// ```
/// Block writers that share one timestamp column among the series of a
/// scrape target store the columns separately instead and hand both to
/// `ChunkIterator.reset(timestamps:values:)`.
public enum ColumnarChunk {
    /// Appends a columnar chunk of `ts` and `vs` (same count) to `out`.
    public static func encode(
        timestamps ts: UnsafeBufferPointer<Int64>, values vs: UnsafeBufferPointer<Double>, into out: inout [UInt8]
    ) {
        precondition(ts.count == vs.count, "timestamps and values differ in count")
        // Encode the timestamp column after a 3-byte gap for its length
        // (enough up to 2 MiB), then write the length's varint into the gap
        // and close what is left of it: no scratch array.
        let start = out.count
        out.append(0)
        out.append(0)
        out.append(0)
        TimestampColumn.encode(ts, into: &out)
        let len = UInt64(out.count - start - 3)
        let size = uvarintSize(len)
        if size <= 3 {
            var v = len
            for i in 0..<size {
                out[start + i] = UInt8(truncatingIfNeeded: v) | (i < size - 1 ? 0x80 : 0)
                v >>= 7
            }
            if size < 3 { out.removeSubrange((start + size)..<(start + 3)) }
        } else {
            var prefix: [UInt8] = []
            prefix.appendUVarint(len)
            out.replaceSubrange(start..<(start + 3), with: prefix)
        }
        ValueColumn.encode(vs, into: &out)
    }

    public static func encode(timestamps ts: [Int64], values vs: [Double], into out: inout [UInt8]) {
        ts.withUnsafeBufferPointer { t in vs.withUnsafeBufferPointer { v in encode(timestamps: t, values: v, into: &out) } }
    }

    /// Splits a columnar chunk into its timestamp and value columns.
    public static func columns(_ bytes: UnsafeRawBufferPointer) throws(CodecError)
        -> (timestamps: UnsafeRawBufferPointer, values: UnsafeRawBufferPointer)
    {
        var r = ByteReader(bytes)
        let len = try r.uvarint("columnar chunk: timestamp column length")
        let at = r.offset
        guard len <= UInt64(r.remaining), let ts = r.readBytes(Int(len)) else {
            throw .truncated(offset: at, what: "columnar chunk: timestamp column of \(len) bytes")
        }
        let values = UnsafeRawBufferPointer(rebasing: bytes[r.offset...])
        return (ts, values)
    }
}
