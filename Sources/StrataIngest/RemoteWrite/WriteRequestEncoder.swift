import StrataCodec

/// Encodes Prometheus remote write 1.0 `WriteRequest` messages (before snappy
/// compression): for remote write out, and for tests and benchmark clients.
/// Field numbers as in `WriteRequestDecoder`; see docs/format/remote-write.md.
///
/// The message is a flat sequence of top-level fields, so a request can be
/// built one series at a time by appending to the same buffer.
public enum WriteRequestEncoder {
    /// Appends `batch` (every series with its samples, then its metadata) as
    /// one `WriteRequest` to `out`.
    public static func encode(_ batch: IngestBatch, into out: inout [UInt8]) {
        batch.timestamps.withUnsafeBufferPointer { ts in
            batch.values.withUnsafeBufferPointer { vs in
                for s in batch.series {
                    appendTimeSeries(
                        labels: s.labels,
                        timestamps: UnsafeBufferPointer(rebasing: ts[s.samples]),
                        values: UnsafeBufferPointer(rebasing: vs[s.samples]),
                        to: &out)
                }
            }
        }
        for m in batch.metadata { appendMetadata(m, to: &out) }
    }

    /// Appends one `timeseries` field (field 1 of WriteRequest).
    public static func appendTimeSeries(
        labels: Labels,
        timestamps: UnsafeBufferPointer<Int64>,
        values: UnsafeBufferPointer<Double>,
        to out: inout [UInt8]
    ) {
        precondition(timestamps.count == values.count, "timestamps and values differ in length")
        out.appendProtoMessageHeader(1, size: timeSeriesSize(labels: labels, timestamps: timestamps, values: values))
        appendTimeSeriesBody(labels: labels, timestamps: timestamps, values: values, to: &out)
    }

    /// Appends one `metadata` field (field 3 of WriteRequest).
    public static func appendMetadata(_ m: MetricMetadata, to out: inout [UInt8]) {
        let size = protoInt64FieldSize(field: 1, Int64(m.type.rawValue))
            + protoStringFieldSize(field: 2, m.familyName)
            + protoStringFieldSize(field: 4, m.help)
            + protoStringFieldSize(field: 5, m.unit)
        out.appendProtoMessageHeader(3, size: size)
        out.appendProtoInt64Field(1, Int64(m.type.rawValue))
        out.appendProtoStringField(2, m.familyName)
        out.appendProtoStringField(4, m.help)
        out.appendProtoStringField(5, m.unit)
    }

    // MARK: shared with the remote read response encoder

    /// Size of a TimeSeries message body.
    static func timeSeriesSize(labels: Labels, timestamps: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>) -> Int {
        var size = 0
        for l in labels.pairs {
            size += protoLengthDelimitedSize(field: 1, payload: labelSize(l))
        }
        for i in 0..<timestamps.count {
            size += protoLengthDelimitedSize(field: 2, payload: sampleSize(timestamps[i], values[i]))
        }
        return size
    }

    static func appendTimeSeriesBody(
        labels: Labels, timestamps: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>, to out: inout [UInt8]
    ) {
        for l in labels.pairs {
            out.appendProtoMessageHeader(1, size: labelSize(l))
            out.appendProtoStringField(1, l.name)
            out.appendProtoStringField(2, l.value)
        }
        for i in 0..<timestamps.count {
            let t = timestamps[i], v = values[i]
            out.appendProtoMessageHeader(2, size: sampleSize(t, v))
            // Omit only +0.0 (all bits zero): -0.0 and every NaN payload,
            // including the staleness marker, are written bit-exactly.
            if v.bitPattern != 0 {
                out.appendProtoTag(1, .fixed64)
                out.appendUInt64LE(v.bitPattern)
            }
            out.appendProtoInt64Field(2, t)
        }
    }

    @inline(__always)
    static func labelSize(_ l: Label) -> Int {
        protoStringFieldSize(field: 1, l.name) + protoStringFieldSize(field: 2, l.value)
    }

    @inline(__always)
    static func sampleSize(_ t: Int64, _ v: Double) -> Int {
        (v.bitPattern != 0 ? 9 : 0) + protoInt64FieldSize(field: 2, t)
    }
}
