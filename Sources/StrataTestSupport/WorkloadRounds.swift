import StrataStorage

/// A workload delivered in rounds, the shape a benchmark client sends:
/// round k holds at most one sample per series (a scrape of every target,
/// or one tick of every host), and each series' samples increase in time
/// from round to round. A sender that keeps every series on one connection
/// and sends rounds in order therefore never shows a server out-of-order
/// data, whatever the interleaving across connections.
///
/// Series are numbered from 0 in order of first appearance; `labels(series:)`
/// works for any number a generator has emitted, so senders can cache
/// labels lazily as series appear (churn creates series as it goes).
public protocol WorkloadRounds: Sendable {
    associatedtype Generator: WorkloadRoundGenerator
    /// Nominal time of round 0, in ms.
    var startMs: Int64 { get }
    /// Nominal time between rounds, in ms.
    var roundIntervalMs: Int64 { get }
    /// The labels of series `s`, sorted by name.
    func labels(series s: Int) -> Labels
    /// A fresh generator positioned at round 0.
    func makeRoundGenerator() -> Generator
}

public protocol WorkloadRoundGenerator {
    /// Replaces `round`'s contents with the next round's samples (its
    /// buffers' capacity is reused).
    mutating func next(into round: inout WorkloadRound)
}

/// One round's samples in three parallel columns, reused across rounds.
public struct WorkloadRound: Sendable {
    public var series: [Int] = []
    public var timestamps: [Int64] = []
    public var values: [Double] = []

    public init() {}

    public var count: Int { series.count }

    public mutating func removeAll() {
        series.removeAll(keepingCapacity: true)
        timestamps.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
    }

    @inline(__always)
    public mutating func append(series s: Int, _ t: Int64, _ v: Double) {
        series.append(s)
        timestamps.append(t)
        values.append(v)
    }
}

extension WorkloadRounds {
    /// Number of rounds whose nominal time lies in `[startMs, startMs + durationMs)`.
    public func roundCount(durationMs: Int64) -> Int {
        precondition(durationMs >= 0)
        return Int((durationMs + roundIntervalMs - 1) / roundIntervalMs)
    }
}

/// The Prometheus staleness marker: the NaN with this exact bit pattern
/// (Prometheus `pkg/value.StaleNaN`), sent when a series disappears.
public let workloadStaleNaN = Double(bitPattern: 0x7ff0_0000_0000_0002)
