import Foundation

/// What the evaluator returns, in Prometheus' four result types.
public enum QueryValue: Sendable {
    /// Range query results and instant queries of range selectors.
    case matrix([RangeSeries])
    case vector([InstantSample])
    case scalar(timestamp: Int64, value: Double)
    case string(timestamp: Int64, value: String)

    public var typeName: String {
        switch self {
        case .matrix: return "matrix"
        case .vector: return "vector"
        case .scalar: return "scalar"
        case .string: return "string"
        }
    }
}

/// One series of a matrix: points in time order.
public struct RangeSeries: Sendable, Equatable {
    public var labels: Labels
    public var timestamps: [Int64]
    public var values: [Double]

    public init(labels: Labels, timestamps: [Int64], values: [Double]) {
        self.labels = labels
        self.timestamps = timestamps
        self.values = values
    }
}

/// One element of an instant vector.
public struct InstantSample: Sendable, Equatable {
    public var labels: Labels
    public var timestamp: Int64
    public var value: Double

    public init(labels: Labels, timestamp: Int64, value: Double) {
        self.labels = labels
        self.timestamp = timestamp
        self.value = value
    }
}

/// Limits of one query. Defaults are Prometheus' (`--query.timeout=2m`,
/// `--query.max-samples=50000000`, 11,000 points per series, 5 m lookback).
public struct QueryLimits: Sendable {
    public var timeout: Duration = .seconds(120)
    public var maxSamples: Int = 50_000_000
    public var maxPointsPerSeries: Int = 11_000
    public var lookbackDelta: Int64 = 5 * 60 * 1000
    /// The step of subqueries written without one (`x[1h:]`): Prometheus uses
    /// the global evaluation interval, 1 m by default.
    public var defaultSubqueryStep: Int64 = 60 * 1000
    /// Threads one query may use to load and sweep series (at least 1).
    /// Selectors and range functions over many series split them into
    /// this many parts; the answer does not depend on it.
    public var parallelism: Int = QueryLimits.defaultParallelism

    /// The machine's cores, at most 4: beyond that, concurrent queries use
    /// the cores better than one query's parts would. The environment
    /// variable `STRATA_QUERY_PARALLELISM` overrides it (e.g. 1 to compare).
    public static let defaultParallelism: Int = {
        if let s = ProcessInfo.processInfo.environment["STRATA_QUERY_PARALLELISM"], let n = Int(s), n >= 1 {
            return Swift.min(n, 64)
        }
        return Swift.max(1, Swift.min(4, ProcessInfo.processInfo.activeProcessorCount))
    }()

    public init() {}
}

/// Why a query failed. `kind` maps to the API's `errorType`.
public struct QueryError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case badData = "bad_data"
        case execution
        case timeout
        case canceled
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// The storage the engine reads from. `Database` conforms; tests may use a
/// `Querier` over hand-built blocks.
public protocol QueryableStorage: Sendable {
    func querier(mint: Int64, maxt: Int64) -> Querier
    /// Rollup windows (ms) the storage makes, finest first (issue #5).
    var rollupResolutions: [Int64] { get }
    /// Spans of [mint, maxt) covered by raw data (resolution 0) and by each rollup resolution.
    func availableResolutions(mint: Int64, maxt: Int64) -> [ResolutionCoverage]
    /// The rollup windows of `resolution` starting in [mint, maxt].
    func rollupQuerier(resolution: Int64, mint: Int64, maxt: Int64) -> RollupQuerier
}

/// Storage without rollups: raw data everywhere.
extension QueryableStorage {
    public var rollupResolutions: [Int64] { [] }
    public func availableResolutions(mint: Int64, maxt: Int64) -> [ResolutionCoverage] {
        mint < maxt ? [ResolutionCoverage(resolution: 0, spans: [mint..<maxt])] : []
    }
    public func rollupQuerier(resolution: Int64, mint: Int64, maxt: Int64) -> RollupQuerier {
        RollupQuerier(resolution: resolution, blocks: [], mint: mint, maxt: maxt)
    }
}

extension Database: QueryableStorage {
    public var rollupResolutions: [Int64] { options.rollups.windows }
}
