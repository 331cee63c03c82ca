import StrataCodec

/// Builds a remote read `ReadResponse` for the SAMPLES response type
/// (prompb remote.proto), series by series, into one reusable buffer:
///
///     ReadResponse { repeated QueryResult results = 1; }   // one per query, in order
///     QueryResult  { repeated TimeSeries timeseries = 1; }  // TimeSeries as in remote write
///
/// A query result's size is unknown until its last series is written, so its
/// length prefix is reserved as 5 bytes and rewritten in minimal form at
/// `endQueryResult()` (one move of that result's bytes, no per-series work).
/// The HTTP layer snappy-compresses `bytes` (`Snappy.compress`).
public struct ReadResponseEncoder: Sendable {
    public private(set) var bytes: [UInt8]
    var openResult: Int? = nil

    static let reservedLengthBytes = 5

    /// Starts an empty response, reusing `buffer`'s capacity.
    public init(reusing buffer: [UInt8] = []) {
        bytes = buffer
        bytes.removeAll(keepingCapacity: true)
    }

    public mutating func beginQueryResult() {
        precondition(openResult == nil, "beginQueryResult() while a result is open")
        bytes.appendProtoTag(1, .lengthDelimited)
        openResult = bytes.count
        bytes.append(contentsOf: repeatElement(0, count: Self.reservedLengthBytes))
    }

    /// Appends one series to the open query result. Samples must be in time order.
    public mutating func appendSeries(labels: Labels, timestamps: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>) {
        precondition(openResult != nil, "appendSeries() outside beginQueryResult()/endQueryResult()")
        precondition(timestamps.count == values.count, "timestamps and values differ in length")
        bytes.appendProtoMessageHeader(1, size: WriteRequestEncoder.timeSeriesSize(labels: labels, timestamps: timestamps, values: values))
        WriteRequestEncoder.appendTimeSeriesBody(labels: labels, timestamps: timestamps, values: values, to: &bytes)
    }

    public mutating func appendSeries(labels: Labels, timestamps: [Int64], values: [Double]) {
        timestamps.withUnsafeBufferPointer { ts in
            values.withUnsafeBufferPointer { vs in appendSeries(labels: labels, timestamps: ts, values: vs) }
        }
    }

    public mutating func endQueryResult() {
        guard let lengthAt = openResult else { preconditionFailure("endQueryResult() without beginQueryResult()") }
        let payloadStart = lengthAt + Self.reservedLengthBytes
        var prefix: [UInt8] = []
        prefix.appendUVarint(UInt64(bytes.count - payloadStart))
        bytes.replaceSubrange(lengthAt..<payloadStart, with: prefix)
        openResult = nil
    }

    /// Appends one query result holding every series of `batch`.
    public mutating func appendQueryResult(_ batch: IngestBatch) {
        beginQueryResult()
        batch.timestamps.withUnsafeBufferPointer { ts in
            batch.values.withUnsafeBufferPointer { vs in
                for s in batch.series {
                    appendSeries(
                        labels: s.labels,
                        timestamps: UnsafeBufferPointer(rebasing: ts[s.samples]),
                        values: UnsafeBufferPointer(rebasing: vs[s.samples]))
                }
            }
        }
        endQueryResult()
    }
}
