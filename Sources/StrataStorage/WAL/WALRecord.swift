import StrataCodec

/// Record payload encoders and decoders. Format: docs/format/wal.md, "Record payloads".
///
/// Encoders append to a caller-owned buffer; decoders call back per entry, so
/// replay never materialises a record's samples as an array of structs.
public enum WALRecordType: UInt8, Sendable {
    case series = 1
    case samples = 2
    case tombstones = 3
}

public enum WALRecordError: Error, Sendable, Equatable {
    case empty
    case unknownType(UInt8)
    case truncated(type: UInt8, at: Int)
    case invalidLabels(ref: UInt64)
}

public enum WALRecord {
    // MARK: series

    /// Appends a complete series record for `entries`.
    public static func encodeSeries(_ entries: [(ref: SeriesRef, labels: Labels)], into out: inout [UInt8]) {
        out.append(WALRecordType.series.rawValue)
        out.appendUVarint(UInt64(entries.count))
        for e in entries {
            out.appendUVarint(e.ref)
            out.appendUVarint(UInt64(e.labels.count))
            for l in e.labels {
                out.appendString(l.name)
                out.appendString(l.value)
            }
        }
    }

    public static func encodeSeries(ref: SeriesRef, labels: Labels, into out: inout [UInt8]) {
        out.append(WALRecordType.series.rawValue)
        out.appendUVarint(1)
        out.appendUVarint(ref)
        out.appendUVarint(UInt64(labels.count))
        for l in labels {
            out.appendString(l.name)
            out.appendString(l.value)
        }
    }

    public static func decodeSeries(
        _ payload: UnsafeRawBufferPointer, _ body: (SeriesRef, Labels) -> Void
    ) throws(WALRecordError) {
        var r = ByteReader(payload, offset: 1)
        guard let count = r.readUVarint() else { throw .truncated(type: 1, at: r.offset) }
        var pairs: [Label] = []
        for _ in 0..<count {
            guard let ref = r.readUVarint(), let n = r.readUVarint(), n <= UInt64(r.remaining) else {
                throw .truncated(type: 1, at: r.offset)
            }
            pairs.removeAll(keepingCapacity: true)
            for _ in 0..<n {
                guard let name = r.readString(), let value = r.readString() else { throw .truncated(type: 1, at: r.offset) }
                pairs.append(Label(name, value))
            }
            body(ref, Labels(sortedUnchecked: pairs))
        }
    }

    // MARK: samples

    /// Appends a samples record. `refs`, `ts`, `vs` are parallel; `include`
    /// (if given) selects which indices to write.
    @inlinable
    public static func encodeSamples(
        refs: UnsafeBufferPointer<SeriesRef>, ts: UnsafeBufferPointer<Int64>, vs: UnsafeBufferPointer<Double>,
        into out: inout [UInt8]
    ) {
        let n = refs.count
        out.reserveCapacity(out.count + 16 + n * 14)
        out.append(WALRecordType.samples.rawValue)
        out.appendUVarint(UInt64(n))
        guard n > 0 else { return }
        let baseRef = refs[0], baseT = ts[0]
        out.appendUVarint(baseRef)
        out.appendVarint(baseT)
        for i in 0..<n {
            out.appendVarint(Int64(bitPattern: refs[i] &- baseRef))
            out.appendVarint(ts[i] &- baseT)
            out.appendUInt64LE(vs[i].bitPattern)
        }
    }

    /// Calls `body(ref, t, v)` for every sample of a samples record.
    @inlinable
    public static func decodeSamples(
        _ payload: UnsafeRawBufferPointer, _ body: (SeriesRef, Int64, Double) -> Void
    ) throws(WALRecordError) {
        var r = ByteReader(payload, offset: 1)
        guard let count = r.readUVarint() else { throw .truncated(type: 2, at: r.offset) }
        if count == 0 { return }
        guard let baseRef = r.readUVarint(), let baseT = r.readVarint() else { throw .truncated(type: 2, at: r.offset) }
        // Each sample takes at least 10 bytes: reject absurd counts before looping.
        guard count <= UInt64(r.remaining / 10) else { throw .truncated(type: 2, at: r.offset) }
        for _ in 0..<count {
            guard let dr = r.readVarint(), let dt = r.readVarint(), let bits = r.readUInt64LE() else {
                throw .truncated(type: 2, at: r.offset)
            }
            body(baseRef &+ UInt64(bitPattern: dr), baseT &+ dt, Double(bitPattern: bits))
        }
    }

    // MARK: tombstones

    public static func encodeTombstones(_ entries: [(ref: SeriesRef, mint: Int64, maxt: Int64)], into out: inout [UInt8]) {
        out.append(WALRecordType.tombstones.rawValue)
        out.appendUVarint(UInt64(entries.count))
        for e in entries {
            out.appendUVarint(e.ref)
            out.appendVarint(e.mint)
            out.appendVarint(e.maxt)
        }
    }

    public static func decodeTombstones(
        _ payload: UnsafeRawBufferPointer, _ body: (SeriesRef, Int64, Int64) -> Void
    ) throws(WALRecordError) {
        var r = ByteReader(payload, offset: 1)
        guard let count = r.readUVarint() else { throw .truncated(type: 3, at: r.offset) }
        for _ in 0..<count {
            guard let ref = r.readUVarint(), let mint = r.readVarint(), let maxt = r.readVarint() else {
                throw .truncated(type: 3, at: r.offset)
            }
            body(ref, mint, maxt)
        }
    }
}
