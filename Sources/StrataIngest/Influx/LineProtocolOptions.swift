/// How `LineProtocolParser` maps Influx points to samples.
public struct LineProtocolOptions: Sendable {
    /// Unit of the timestamps in the body (the `precision` query parameter).
    public enum Precision: Sendable, Equatable {
        case nanoseconds, microseconds, milliseconds, seconds, minutes, hours

        /// Parses the `precision` query parameter: InfluxDB 2.x's `ns`, `us`,
        /// `ms`, `s`, plus 1.x's `n`, `u`, `m` (minutes) and `h`.
        public init?(_ text: String) {
            switch text {
            case "ns", "n": self = .nanoseconds
            case "us", "u", "µ", "µs": self = .microseconds
            case "ms": self = .milliseconds
            case "s": self = .seconds
            case "m": self = .minutes
            case "h": self = .hours
            default: return nil
            }
        }
    }

    /// What a bad line does to the request.
    ///
    /// The default is `.skipInvalidLines`, InfluxDB's own "partial write"
    /// semantics: the good lines are written and the server answers 400
    /// naming the bad lines. That is the least surprising choice for Influx
    /// clients: they treat a 400 as final and drop the batch (Telegraf does),
    /// so rejecting the whole body for one bad line would silently lose
    /// every good point in it, which InfluxDB itself would have kept.
    public enum ErrorPolicy: Sendable, Equatable {
        /// Bad lines are dropped and reported; the good lines are kept.
        case skipInvalidLines
        /// The first bad line fails the whole request; nothing may be written.
        case rejectRequest
    }

    public var precision: Precision
    /// Milliseconds since the epoch given to points without a timestamp
    /// (the server's "now" at request arrival).
    public var defaultTimestampMs: Int64
    public var errorPolicy: ErrorPolicy
    /// Joins measurement and field into the metric name (`cpu` + `usage` → `cpu_usage`).
    public var measurementFieldSeparator: String
    /// Added to every series, e.g. `db` from the `/write?db=` query parameter.
    public var extraLabels: [Label]
    /// At most this many errors are kept in a `LineProtocolReport` under
    /// `.skipInvalidLines` (the count of bad lines is always exact).
    public var maxReportedErrors: Int

    public init(
        precision: Precision = .nanoseconds,
        defaultTimestampMs: Int64,
        errorPolicy: ErrorPolicy = .skipInvalidLines,
        measurementFieldSeparator: String = "_",
        extraLabels: [Label] = [],
        maxReportedErrors: Int = 10
    ) {
        self.precision = precision
        self.defaultTimestampMs = defaultTimestampMs
        self.errorPolicy = errorPolicy
        self.measurementFieldSeparator = measurementFieldSeparator
        self.extraLabels = extraLabels
        self.maxReportedErrors = maxReportedErrors
    }
}

/// What a parse did, beyond the samples in the batch.
public struct LineProtocolReport: Sendable, Equatable {
    /// Lines that held a point (blank lines and comments excluded), good or bad.
    public var pointLines = 0
    /// Lines dropped under `.skipInvalidLines`.
    public var invalidLines = 0
    /// The first `maxReportedErrors` of those, in input order.
    public var errors: [LineProtocolError] = []

    public init() {}
}
