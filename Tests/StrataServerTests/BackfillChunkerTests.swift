import Foundation
import StrataStorage
import StrataTestSupport
import Testing
@testable import StrataServer

/// `strata import` reads files in pieces (`Backfill.loadFile`): with pieces
/// far smaller than the file, every format imports exactly what reading the
/// whole file imports, and parse errors name the file's line.
@Suite struct BackfillChunkerTests {
    static let t0: Int64 = 1_700_000_000_000

    /// Every sample in `db`, as "labels@t=v" lines, sorted.
    static func dump(_ db: Database) -> [String] {
        let all = try! Matcher(.regexMatch, "__name__", ".+")
        var out: [String] = []
        for s in db.querier(mint: .min, maxt: .max).select([all]) {
            let (ts, vs) = s.samples()
            for (t, v) in zip(ts, vs) { out.append("\(s.labels)@\(t)=\(v)") }
        }
        return out.sorted()
    }

    /// Imports `text` as `format` whole and in pieces of `chunk` bytes; returns both dumps.
    static func both(_ text: String, _ format: BackfillFormat, chunk: Int) throws -> (whole: [String], pieces: [String]) {
        let tmp = try TempDirectory("backfill-chunks")
        defer { tmp.remove() }
        let file = tmp.sub("in")
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let a = try Database.open(directory: tmp.sub("a"), logger: quietLogger)
        defer { try? a.close() }
        _ = try Backfill.load(Array(text.utf8), format: format, into: a, defaultTimestamp: t0)
        let b = try Database.open(directory: tmp.sub("b"), logger: quietLogger)
        defer { try? b.close() }
        _ = try Backfill.loadFile(file, format: format, into: b, defaultTimestamp: t0, chunkBytes: chunk)
        // Pieces may leave a series in two blocks of one window: compaction merges them.
        _ = try b.compact()
        _ = try a.compact()
        return (dump(a), dump(b))
    }

    static func exposition(openMetrics: Bool) -> String {
        var s = ""
        for f in 0..<6 {
            s += "# HELP fam\(f)_total A counter.\n# TYPE fam\(f)_total counter\n"
            for i in 0..<4 {
                for k in 0..<5 {
                    let t = t0 + Int64(k) * 15_000
                    let ts = openMetrics ? String(Double(t) / 1000) : String(t)
                    s += "fam\(f)_total{i=\"\(i)\",note=\"a \\\"quoted\\\" value\"} \(f * 100 + i * 10 + k) \(ts)\n"
                }
            }
        }
        return s + (openMetrics ? "# EOF\n" : "")
    }

    @Test(arguments: [BackfillFormat.openMetrics, .prometheusText])
    func expositionInPieces(_ format: BackfillFormat) throws {
        let text = Self.exposition(openMetrics: format == .openMetrics)
        for chunk in [1, 200, 700, 5_000, 1 << 20] {
            let (whole, pieces) = try Self.both(text, format, chunk: chunk)
            #expect(whole.count == 6 * 4 * 5)
            #expect(pieces == whole, "chunk \(chunk)")
        }
    }

    @Test func csvInPiecesWithQuotedLineBreaks() throws {
        var text = "\n__name__,instance,note,timestamp,value\n"
        for i in 0..<40 {
            // A quoted field with a line break and a quote in it.
            text += "m\(i % 3),\"h\(i % 4)\",\"line one\nline \"\"two\"\"\",\(Self.t0 + Int64(i) * 1000),\(i)\n"
        }
        for chunk in [1, 100, 333, 1 << 20] {
            let (whole, pieces) = try Self.both(text, .csv, chunk: chunk)
            #expect(whole.count == 40)
            #expect(pieces == whole, "chunk \(chunk)")
        }
    }

    @Test func jsonLinesInPieces() throws {
        var text = ""
        for i in 0..<30 {
            text += #"{"labels":{"__name__":"j","i":"\#(i % 5)"},"samples":[[\#(Self.t0 + Int64(i) * 1000),\#(i)]]}"# + "\n"
        }
        for chunk in [1, 150, 1 << 20] {
            let (whole, pieces) = try Self.both(text, .json, chunk: chunk)
            #expect(whole.count == 30)
            #expect(pieces == whole, "chunk \(chunk)")
        }
    }

    /// A bad line far into the file: the error names its line in the file,
    /// not in the piece, and nothing is imported.
    @Test func errorsNameTheFilesLine() throws {
        let tmp = try TempDirectory("backfill-chunk-errors")
        defer { tmp.remove() }
        let db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
        defer { try? db.close() }
        func fails(_ text: String, _ format: BackfillFormat, _ want: String) throws {
            let file = tmp.sub("bad")
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            var whole = "", pieces = ""
            do { _ = try Backfill.parse(Array(text.utf8), format: format, defaultTimestamp: Self.t0) } catch { whole = "\(error)" }
            do {
                _ = try Backfill.loadFile(file, format: format, into: db, defaultTimestamp: Self.t0, chunkBytes: 64)
            } catch {
                pieces = "\(error)"
            }
            // The same error as reading the whole file, at the file's line.
            #expect(!pieces.isEmpty && pieces == whole, "\(format): \(pieces) vs \(whole)")
            #expect(pieces.contains(want), "\(format): \(pieces)")
        }
        var text = ""
        for i in 0..<50 { text += "ok_metric{i=\"\(i)\"} \(i) \(Self.t0)\n" }
        try fails(text + "bad{ 1\n", .prometheusText, "line 51,")
        var csv = "__name__,timestamp,value\n"
        for i in 0..<50 { csv += "c,\(Self.t0 + Int64(i)),\(i)\n" }
        try fails(csv + "c,notatime,1\n", .csv, "52:")
        var json = ""
        for i in 0..<50 { json += #"{"labels":{"__name__":"j"},"samples":[[\#(Self.t0 + Int64(i)),1]]}"# + "\n" }
        try fails(json + "{\"labels\":{\"__name__\":\"j\"},\"samples\":[[1,\"x\"]]}\n", .json, "51:")
        #expect(Self.dump(db).isEmpty)
    }
}
