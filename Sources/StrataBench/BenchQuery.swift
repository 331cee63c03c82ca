/// One query of the query set.
public struct BenchQuery: Sendable, Codable, Equatable {
    /// Which of the issues' targets the query's p50 is held to.
    public enum Kind: String, Sendable, Codable {
        /// Plain selectors (issue #3: p50 ≤ VictoriaMetrics').
        case selector
        /// Typical dashboard queries (issue #4: p50 ≤ 0.5× Prometheus' and ≤ VictoriaMetrics').
        case dashboard
    }

    public enum Shape: String, Sendable, Codable {
        /// `/api/v1/query_range` over the whole data at the set's step.
        case range
        /// `/api/v1/query` at the end of the data.
        case instant
    }

    /// Short identifier used in reports.
    public var name: String
    public var expr: String
    public var kind: Kind
    public var shape: Shape

    public init(_ name: String, _ expr: String, kind: Kind, shape: Shape = .range) {
        self.name = name
        self.expr = expr
        self.kind = kind
        self.shape = shape
    }
}

/// The time frame queries run over: range queries from `start` to `end` at
/// `step`, instant queries at `end`. All in ms; `start` and `end` are
/// multiples of `step`, so servers that align range queries to the step
/// (VictoriaMetrics does) evaluate at the same instants as those that do not.
public struct QueryWindow: Sendable, Codable, Equatable {
    public var start: Int64
    public var end: Int64
    public var step: Int64

    public init(start: Int64, end: Int64, step: Int64) {
        self.start = start
        self.end = end
        self.step = step
    }

    /// The window over data in `[dataStart, dataEnd]` with about `steps`
    /// steps (whole seconds).
    public static func covering(dataStart: Int64, dataEnd: Int64, steps: Int) -> QueryWindow {
        let span = max(1_000, dataEnd - dataStart)
        let step = max(1_000, span / Int64(max(1, steps)) / 1_000 * 1_000)
        let start = (dataStart + step - 1) / step * step
        let end = max(start, dataEnd / step * step)
        return QueryWindow(start: start, end: end, step: step)
    }

    public var points: Int { Int((end - start) / step) + 1 }
}
