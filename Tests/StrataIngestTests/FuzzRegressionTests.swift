import Foundation
import Testing
import StrataIngest

/// Inputs the libFuzzer targets (Fuzz/, docs/fuzzing.md) found, replayed on
/// every `make test`. Each keeps the crashing bytes exactly (base64, as
/// libFuzzer prints them) and asserts what the fixed decoder does with them.
@Suite struct IngestFuzzRegressionTests {
    static func bytes(_ base64: String) -> [UInt8] { Array(Data(base64Encoded: base64)!) }

    /// FuzzLineProtocol: a lone `\r` after a field value ended the point but
    /// not the line, so the rest of the line was parsed as a second point:
    /// two point lines reported for a one-line body.
    @Test func loneCarriageReturnDoesNotStartAPoint() throws {
        let input = Self.bytes("YCAyYD0xDQ06ICANDQ1FRUVFRUVFRUVFRUU0XDRgPQ==")
        var lenient = LineProtocolParser(options: LineProtocolOptions(defaultTimestampMs: 0))
        var batch = IngestBatch()
        let report = try lenient.parse(input, into: &batch)
        #expect(report.pointLines == 1)
        #expect(report.invalidLines == 1)
        #expect(batch.isEmpty)
        #expect(report.errors == [LineProtocolError(.unexpectedCharacter(UInt8(ascii: ":")), at: TextPosition(line: 1, column: 9))])

        // The same shape spelled out, and what stays accepted.
        var strict = LineProtocolParser(options: LineProtocolOptions(defaultTimestampMs: 0, errorPolicy: .rejectRequest))
        var b = IngestBatch()
        #expect(throws: LineProtocolError(.unexpectedCharacter(UInt8(ascii: "n")), at: TextPosition(line: 1, column: 7))) {
            _ = try strict.parse(Array("m v=1\rn v=2\n".utf8), into: &b)
        }
        for ok in ["m v=1\r\n", "m v=1 5\r\r\n", "m v=1  \r", "m v=1\r"] {
            var b = IngestBatch()
            _ = try strict.parse(Array(ok.utf8), into: &b)
            #expect(b.series.count == 1, "\(ok.debugDescription)")
        }
    }
}
