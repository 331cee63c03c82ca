/// Per-family metadata: from remote write's `MetricMetadata` message or from
/// the `# HELP` / `# TYPE` / `# UNIT` lines of the text formats.
public struct MetricMetadata: Sendable, Equatable {
    /// Numbered as in remote write's `MetricMetadata.MetricType` (prompb
    /// types.proto), so the protobuf value maps directly.
    public enum MetricType: Int, Sendable, Equatable, CaseIterable {
        case unknown = 0
        case counter = 1
        case gauge = 2
        case histogram = 3
        case gaugeHistogram = 4
        case summary = 5
        case info = 6
        case stateset = 7

        /// The name used in `# TYPE` lines. Prometheus' text format calls
        /// `unknown` "untyped"; OpenMetrics calls it "unknown".
        public var textName: String {
            switch self {
            case .unknown: return "unknown"
            case .counter: return "counter"
            case .gauge: return "gauge"
            case .histogram: return "histogram"
            case .gaugeHistogram: return "gaugehistogram"
            case .summary: return "summary"
            case .info: return "info"
            case .stateset: return "stateset"
            }
        }
    }

    public var type: MetricType
    public var familyName: String
    public var help: String
    public var unit: String

    public init(type: MetricType = .unknown, familyName: String, help: String = "", unit: String = "") {
        self.type = type
        self.familyName = familyName
        self.help = help
        self.unit = unit
    }
}
