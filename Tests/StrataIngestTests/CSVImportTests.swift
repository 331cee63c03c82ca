import Testing
import StrataStorage
@testable import StrataIngest

/// The backfill CSV format (issue #5, `CSVImportParser`).
@Suite struct CSVImportTests {
    func parse(_ s: String) throws(CSVImportError) -> IngestBatch {
        var b = IngestBatch()
        try CSVImportParser().parse(Array(s.utf8), into: &b)
        return b
    }

    @Test func rowsQuotesAndLineEnds() throws {
        let b = try parse("metric,job,instance,timestamp,value\r\n"
                          + "up,node,\"a,1\",1000,1\r\n"
                          + "\n"
                          + "up,,\"say \"\"hi\"\"\",2000,NaN\n"
                          + "up,node,\"a,1\",3000,+Inf")
        #expect(b.series.count == 3)
        #expect(b.series[0].labels == Labels(["__name__": "up", "job": "node", "instance": "a,1"]))
        // An empty field: no such label.
        #expect(b.series[1].labels == Labels(["__name__": "up", "instance": "say \"hi\""]))
        #expect(b.timestamps == [1000, 2000, 3000])
        #expect(b.values[0] == 1 && b.values[1].isNaN && b.values[2] == .infinity)
    }

    @Test func errorsCarryLineAndColumn() {
        func reason(_ s: String) -> (CSVImportError.Reason, String)? {
            do { _ = try parse(s); return nil } catch { return (error.reason, error.position.description) }
        }
        #expect(reason("")?.0 == .missingHeader)
        #expect(reason("__name__,value\n")?.0 == .missingColumn("timestamp"))
        #expect(reason("__name__,timestamp,value,timestamp\n")?.0 == .duplicateColumn("timestamp"))
        #expect(reason("__name__,timestamp,value,bad-name\n")?.0 == .invalidColumnName("bad-name"))
        let count = reason("__name__,timestamp,value\nx,1\n")
        #expect(count?.0 == .fieldCount(expected: 3, found: 2))
        #expect(count?.1 == "2:1")
        let ts = reason("__name__,timestamp,value\nx,1,2\nx,1.5,2\n")
        #expect(ts?.0 == .invalidTimestamp)
        #expect(ts?.1 == "3:3")
        #expect(reason("__name__,timestamp,value\nx,1,two\n")?.0 == .invalidValue)
        #expect(reason("__name__,timestamp,value\n\"x,1,2\n")?.0 == .unterminatedQuote)
        #expect(reason("__name__,timestamp,value\n,1,2\n")?.0 == .emptyMetricName)
        // The batch is restored on error.
        var b = IngestBatch()
        b.append(labels: Labels(["__name__": "keep"]), timestamp: 1, value: 1)
        #expect(throws: CSVImportError.self) { try CSVImportParser().parse(Array("__name__,timestamp,value\nx,1,2\nx,1,z\n".utf8), into: &b) }
        #expect(b.series.count == 1 && b.timestamps == [1])
    }
}

extension CSVImportTests {
    /// Consecutive rows of one series are one batch series; a quoted and an
    /// unquoted spelling of the same value are the same labels.
    @Test func runsOfRowsAreOneSeries() throws {
        let b = try parse("__name__,i,timestamp,value\nm,a,1,1\nm,a,2,2\nm,b,3,3\nm,\"a\",4,4\nm,a,5,5\n")
        #expect(b.series.map(\.samples) == [0..<2, 2..<3, 3..<4, 4..<5])
        #expect(b.series[0].labels == b.series[2].labels)
        #expect(b.series[0].labels == b.series[3].labels)
    }
}
