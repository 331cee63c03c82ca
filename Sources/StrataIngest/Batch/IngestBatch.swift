/// The output of every ingestion parser: series with their samples, laid out
/// for reuse across requests.
///
/// Samples live in two flat arrays (`timestamps`, `values`) and each series
/// points at its slice with a range, so decoding a request appends to arrays
/// whose capacity survives `reset()`: after warm-up, a parser allocates only
/// the per-series label strings, never per sample.
///
/// Labels are kept exactly as the format delivered them. Remote write keeps
/// the sender's order (`labelsSorted` records whether it was sorted, so that
/// the server can refuse unsorted sets as the spec requires); the text
/// formats have no order requirement, so their parsers sort. Nothing here
/// validates names, values or limits: that is `Labels.validate()`'s job.
public struct IngestBatch: Sendable {
    public struct Series: Sendable, Equatable {
        public static func == (a: Series, b: Series) -> Bool {
            a.labels == b.labels && a.samples == b.samples && a.labelsSorted == b.labelsSorted
        }

        /// Label pairs in the order described above. When `labelsSorted` is
        /// false the `Labels` breaks its sorted invariant, so only iterate it
        /// or `validate()` it (which reports `.unsorted`), don't look names up.
        public var labels: Labels
        /// Indices into `timestamps`/`values`.
        public var samples: Range<Int>
        /// Whether the names arrived in non-decreasing byte order.
        public var labelsSorted: Bool
        /// The series-cache entry these labels came from (remote write with a
        /// `SeriesCache`); consumers store the resolved head series in it.
        public var cacheEntry: SeriesCache.Entry?

        public init(labels: Labels, samples: Range<Int>, labelsSorted: Bool) {
            self.labels = labels
            self.samples = samples
            self.labelsSorted = labelsSorted
        }
    }

    /// Things a parser read but did not turn into samples. The server reports
    /// them (metrics, warnings) rather than failing the request.
    public struct Skipped: Sendable, Equatable {
        /// Remote write native histograms (TimeSeries field 4): not supported yet.
        public var histograms = 0
        /// Remote write / OpenMetrics exemplars.
        public var exemplars = 0
        /// Influx string fields, which have no numeric value.
        public var stringFields = 0
        /// OpenMetrics `_created` series when the parser is told to drop them.
        public var createdSeries = 0

        public init() {}
    }

    public private(set) var series: [Series] = []
    public private(set) var timestamps: [Int64] = []
    public private(set) var values: [Double] = []
    public internal(set) var metadata: [MetricMetadata] = []
    public internal(set) var skipped = Skipped()

    public init() {}

    /// Empties the batch and keeps every array's capacity.
    public mutating func reset() {
        series.removeAll(keepingCapacity: true)
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        metadata.removeAll(keepingCapacity: true)
        skipped = Skipped()
    }

    public var sampleCount: Int { timestamps.count }
    public var isEmpty: Bool { series.isEmpty && metadata.isEmpty }

    /// Appends a series with its samples (for encoders' callers, tests and bench clients).
    public mutating func append(labels: Labels, timestamps ts: some Collection<Int64>, values vs: some Collection<Double>) {
        precondition(ts.count == vs.count, "timestamps and values differ in length")
        let start = timestamps.count
        timestamps.append(contentsOf: ts)
        values.append(contentsOf: vs)
        series.append(Series(labels: labels, samples: start..<timestamps.count, labelsSorted: true))
    }

    /// Appends a series with one sample.
    public mutating func append(labels: Labels, timestamp: Int64, value: Double) {
        let start = timestamps.count
        timestamps.append(timestamp)
        values.append(value)
        series.append(Series(labels: labels, samples: start..<(start + 1), labelsSorted: true))
    }

    public mutating func appendMetadata(_ m: MetricMetadata) {
        metadata.append(m)
    }

    // MARK: parser internals

    /// Parsers append samples first and attach them to a series once its
    /// labels are known (protobuf fields and JSON keys may come in any order).
    mutating func appendSample(_ t: Int64, _ v: Double) {
        timestamps.append(t)
        values.append(v)
    }

    mutating func appendTimestamp(_ t: Int64) { timestamps.append(t) }
    mutating func appendValue(_ v: Double) { values.append(v) }

    mutating func commitSeries(labels: Labels, samplesFrom start: Int, labelsSorted: Bool, cacheEntry: SeriesCache.Entry? = nil) {
        var s = Series(labels: labels, samples: start..<timestamps.count, labelsSorted: labelsSorted)
        s.cacheEntry = cacheEntry
        series.append(s)
    }

    mutating func setCacheEntry(_ e: SeriesCache.Entry) {
        series[series.count - 1].cacheEntry = e
    }

    /// A point to roll back to when a parser drops an input unit (an Influx
    /// line) after having appended part of it.
    struct Mark {
        var series: Int
        var samples: Int
        var values: Int
        var metadata: Int
        var skipped: Skipped
    }

    var mark: Mark {
        Mark(series: series.count, samples: timestamps.count, values: values.count, metadata: metadata.count, skipped: skipped)
    }

    mutating func rollback(to m: Mark) {
        series.removeLast(series.count - m.series)
        timestamps.removeLast(timestamps.count - m.samples)
        values.removeLast(values.count - m.values)
        metadata.removeLast(metadata.count - m.metadata)
        skipped = m.skipped
    }
}
