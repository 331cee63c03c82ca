import StrataIngest
import StrataStorage

public struct BackfillError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Backfill (issue #5): parses historical data and writes it straight into
/// blocks with `Database.importBlocks`, bypassing the head and the WAL. The
/// next compaction merges overlaps (deduplicating) and makes the rollups.
public enum Backfill {
    /// Parses one input. Samples without a timestamp get `defaultTimestamp`.
    /// `lineOffset`/`byteOffset`: where `bytes` starts in its file (a chunk
    /// of `loadFile`), added to error positions.
    public static func parse(_ bytes: [UInt8], format: BackfillFormat, defaultTimestamp: Int64,
                             lineOffset: Int = 0, byteOffset: Int = 0) throws(BackfillError) -> IngestBatch {
        var batch = IngestBatch()
        switch format {
        case .openMetrics, .prometheusText:
            var p = ExpositionParser(options: .init(format: format == .openMetrics ? .openMetrics : .prometheusText,
                                                    defaultTimestampMs: defaultTimestamp))
            do throws(ExpositionError) { try p.parse(bytes, into: &batch) } catch {
                var e = error
                e.position.line += lineOffset
                throw BackfillError("\(format.rawValue): \(e)")
            }
        case .csv:
            do throws(CSVImportError) { try CSVImportParser().parse(bytes, into: &batch) } catch {
                var e = error
                e.position.line += lineOffset
                throw BackfillError("csv: \(e)")
            }
        case .json:
            var p = JSONImportParser(options: .init(maxBytes: max(bytes.count, 1)))
            do throws(JSONImportError) { try p.parse(bytes, into: &batch) } catch {
                var e = error
                e.position.line += lineOffset
                e.offset += byteOffset
                throw BackfillError("json: \(e)")
            }
        }
        return batch
    }

    /// The batch's samples grouped by series, in first-seen order.
    public static func series(of batch: IngestBatch) -> [(Labels, [Int64], [Double])] {
        var index: [Labels: Int] = [:]
        var out: [(Labels, [Int64], [Double])] = []
        for s in batch.series {
            let i: Int
            if let j = index[s.labels] {
                i = j
            } else {
                i = out.count
                index[s.labels] = i
                out.append((s.labels, [], []))
            }
            out[i].1.append(contentsOf: batch.timestamps[s.samples])
            out[i].2.append(contentsOf: batch.values[s.samples])
        }
        return out
    }

    /// Parses `bytes` and imports them into `db`.
    public static func load(_ bytes: [UInt8], format: BackfillFormat, into db: Database, defaultTimestamp: Int64,
                            blockDuration: Int64? = nil) throws -> ImportReport {
        let batch = try parse(bytes, format: format, defaultTimestamp: defaultTimestamp)
        return try db.importBlocks(series: series(of: batch), blockDuration: blockDuration)
    }
}
