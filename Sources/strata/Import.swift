import ArgumentParser
import Foundation
import Logging
import StrataServer
import StrataStorage

/// `strata import FILE...` (issue #5): backfills historical data straight
/// into blocks of a data directory that no server has open (a running
/// server holds its lock: use `POST /api/v1/admin/tsdb/import` instead).
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Backfill files (OpenMetrics, Prometheus text, CSV, JSON) into a data directory's blocks."
    )

    @Argument(help: "Files to import. Format from the extension (.csv, .json, .prom/.txt, else OpenMetrics) unless --format.")
    var files: [String]

    @Option(name: .customLong("data-dir"), help: "Data directory (default ./data).")
    var dataDir: String = "./data"

    @Option(help: "openmetrics, text, csv or json (default: from each file's extension).")
    var format: String?

    @Option(name: .customLong("block-duration"), help: "Length of the blocks written, e.g. 2h (default: the largest compaction level, 3d).")
    var blockDuration: String?

    @Flag(help: "Compact afterwards: merge overlaps, make rollups, apply retention.")
    var compact = false

    @Option(help: "Raw retention applied by --compact, e.g. 30d (default 30d).")
    var retention: String?

    func run() throws {
        var logger = Logger(label: "strata-import")
        logger.logLevel = .warning
        let forced = try format.map { f -> BackfillFormat in
            guard let b = BackfillFormat(rawValue: f) else {
                throw ValidationError("invalid --format \"\(f)\": one of " + BackfillFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return b
        }
        let duration = try blockDuration.map { s -> Int64 in
            guard let d = TimeParameters.parsePromDuration(s), d > 0 else { throw ValidationError("invalid --block-duration \"\(s)\"") }
            return d
        }
        var options = DatabaseOptions()
        if let retention {
            guard let r = TimeParameters.parsePromDuration(retention), r > 0 else { throw ValidationError("invalid --retention \"\(retention)\"") }
            options.retention = r
        }
        let db = try Database.open(directory: dataDir, options: options, logger: logger)
        defer { try? db.close() }
        let now = nowMillis()
        var totalSamples = 0
        var totalSeconds = 0.0
        for path in files {
            let f = forced ?? BackfillFormat(path: path)
            // Read in pieces: memory holds one piece, not the file.
            let report = try Backfill.loadFile(path, format: f, into: db, defaultTimestamp: now, blockDuration: duration)
            totalSamples += report.samples
            totalSeconds += report.seconds
            print("\(path): \(f.rawValue), \(report.series) series, \(report.samples) samples, \(report.blocks.count) block(s) in "
                  + String(format: "%.2f s", report.seconds))
        }
        if files.count > 1 {
            print("total: \(totalSamples) samples in " + String(format: "%.2f s", totalSeconds))
        }
        if compact {
            let r = try db.compact()
            print("compacted: \(r.tasks.count) merge(s), \(r.rollupBlocks.count) rollup block(s), "
                  + "\(r.deletedByTime.count + r.deletedBySize.count) block(s) deleted by retention in " + String(format: "%.2f s", r.seconds))
        }
    }
}
