// libFuzzer target: InfluxDB line protocol (StrataIngest/Influx). Invariants:
// the batch is well-formed (every sample belongs to exactly one series);
// errors carry a position inside the input; under `.rejectRequest` a body
// is refused exactly when `.skipInvalidLines` reports a bad line, and a
// body without bad lines gives the same batch under both policies.
import FuzzChecks
import FuzzDriver
import StrataIngest
import StrataStorage

@_cdecl("FuzzLineProtocol_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    strata_fuzz_run(argc, argv) { data, size in fuzz(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    let lines = bytes.reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }

    var lenient = LineProtocolParser(options: LineProtocolOptions(
        precision: .nanoseconds, defaultTimestampMs: 1_700_000_000_000, errorPolicy: .skipInvalidLines,
        extraLabels: [Label("db", "fuzz")]))
    var batch = IngestBatch()
    let report: LineProtocolReport
    do { report = try lenient.parse(bytes, into: &batch) } catch {
        fatalError("invariant: .skipInvalidLines threw \(error)")
    }
    checkShape(batch)
    require(report.invalidLines <= report.pointLines && report.pointLines <= lines, "report \(report) for \(lines) lines")
    require(report.errors.count == min(report.invalidLines, 10), "\(report.errors.count) errors kept for \(report.invalidLines) bad lines")
    for e in report.errors {
        require(e.line >= 1 && e.line <= lines && e.position.column >= 1, "error position \(e.position) outside \(lines) lines")
        _ = e.description
    }

    var strict = LineProtocolParser(options: LineProtocolOptions(
        precision: .nanoseconds, defaultTimestampMs: 1_700_000_000_000, errorPolicy: .rejectRequest,
        extraLabels: [Label("db", "fuzz")]))
    var strictBatch = IngestBatch()
    do {
        let r = try strict.parse(bytes, into: &strictBatch)
        require(report.invalidLines == 0, "strict parse accepts a body with \(report.invalidLines) bad lines")
        require(r == report, "reports differ between policies")
        requireSame(strictBatch, batch)
    } catch {
        require(report.invalidLines > 0, "strict parse refuses a body without bad lines: \(error)")
        require(report.errors.first == error, "strict error \(error) is not the first lenient one")
    }

    // Other precisions convert timestamps without trapping.
    for p in [LineProtocolOptions.Precision("h"), .init("m"), .init("s"), .init("ms"), .init("us")] {
        guard let p else { continue }
        var q = LineProtocolParser(options: LineProtocolOptions(precision: p, defaultTimestampMs: 0))
        var b = IngestBatch()
        let r = try? q.parse(bytes, into: &b)
        require(r?.pointLines == report.pointLines, "precision changes the number of point lines")
        checkShape(b)
    }
    return 0
}


func requireSame(_ a: IngestBatch, _ b: IngestBatch) {
    require(a.series.count == b.series.count, "\(a.series.count) vs \(b.series.count) series")
    for (x, y) in zip(a.series, b.series) {
        require(x.labels.pairs.map(\.name) == y.labels.pairs.map(\.name)
                && x.labels.pairs.map(\.value) == y.labels.pairs.map(\.value), "labels differ")
        require(x.samples == y.samples, "series shape differs")
    }
    require(a.timestamps == b.timestamps, "timestamps differ")
    require(a.values.map(\.bitPattern) == b.values.map(\.bitPattern), "values differ")
    require(a.skipped == b.skipped, "skipped counts differ")
}
