/// A figure the report compares across targets (a row of the summary, a
/// bar group of the plot).
public struct BenchFigure: Sendable {
    public var label: String
    /// Unit of `value`, for the table.
    public var unit: String
    public var higherIsBetter: Bool
    public var value: @Sendable (TargetResult) -> Double?
    /// Formats a value for the table.
    public var format: @Sendable (Double) -> String

    /// Strata's value divided by `peer`'s (nil if either is missing or the
    /// peer's is zero).
    public func ratio(_ strata: TargetResult?, _ peer: TargetResult?) -> Double? {
        guard let s = strata.flatMap(value), let p = peer.flatMap(value), p != 0, s.isFinite, p.isFinite else { return nil }
        return s / p
    }

    /// Whether a Strata/peer ratio means Strata is at least as good.
    public func isBetterOrEqual(ratio: Double) -> Bool { higherIsBetter ? ratio >= 1 : ratio <= 1 }

    static let mib = 1_048_576.0

    /// The summary figures, then each query's p50.
    public static func all(queries: [BenchQuery]) -> [BenchFigure] {
        var f: [BenchFigure] = [
            BenchFigure(label: "ingest rate", unit: "samples/s", higherIsBetter: true,
                        value: { $0.ingest.map { $0.samplesPerSecond } }, format: { Report.si($0) }),
            BenchFigure(label: "server CPU, ingest", unit: "s", higherIsBetter: false,
                        value: { $0.cpu?.ingest }, format: { Report.sig($0) }),
            BenchFigure(label: "peak RSS, ingest", unit: "MiB", higherIsBetter: false,
                        value: { $0.memory.map { Double($0.peakRSSAfterIngestBytes) / mib } }, format: { Report.sig($0) }),
            BenchFigure(label: "peak RSS, whole run", unit: "MiB", higherIsBetter: false,
                        value: { $0.memory.map { Double($0.peakRSSBytes) / mib } }, format: { Report.sig($0) }),
            BenchFigure(label: "bytes/sample, blocks", unit: "B", higherIsBetter: false,
                        value: { $0.storage?.blockBytesPerSample }, format: { Report.sig($0) }),
            BenchFigure(label: "bytes/sample, data dir", unit: "B", higherIsBetter: false,
                        value: { $0.storage?.dataDirBytesPerSample }, format: { Report.sig($0) }),
            BenchFigure(label: "flush", unit: "s", higherIsBetter: false,
                        value: { $0.flushSeconds }, format: { Report.sig($0) }),
            BenchFigure(label: "server CPU, flush", unit: "s", higherIsBetter: false,
                        value: { $0.cpu?.flush }, format: { Report.sig($0) }),
            BenchFigure(label: "server CPU, queries", unit: "s", higherIsBetter: false,
                        value: { $0.cpu?.queries }, format: { Report.sig($0) }),
        ]
        for q in queries {
            let name = q.name
            f.append(BenchFigure(label: "p50 \(name)", unit: "ms", higherIsBetter: false,
                                 value: { $0.query(name)?.p50Ms }, format: { Report.sig($0) }))
        }
        return f
    }
}
