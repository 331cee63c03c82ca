import Foundation
import Testing
import StrataQuery

/// Inputs the libFuzzer targets (Fuzz/, docs/fuzzing.md) found, replayed on
/// every `make test`. Each keeps the crashing bytes exactly (base64, as
/// libFuzzer prints them) and asserts what the fixed code does with them.
@Suite struct QueryFuzzRegressionTests {
    static func query(_ base64: String) -> String {
        String(decoding: Data(base64Encoded: base64)!, as: UTF8.self)
    }

    /// Parses `q`, prints it and parses the printed form: it must give the same tree.
    static func roundTrip(_ q: String) throws {
        let e = try parsePromQL(q)
        let printed = e.description
        let again = try parsePromQL(printed)
        #expect(again == e, "\(q.debugDescription) -> \(printed.debugDescription)")
    }

    /// FuzzPromQL: a matcher value with `\xcc` (a byte that is not UTF-8 on
    /// its own) holds U+FFFD after unquoting; the selector printed it as is,
    /// and the lexer refuses U+FFFD inside strings ("invalid UTF-8 rune"), so
    /// the printed query did not parse.
    @Test func replacementCharacterInMatcherValuePrintsEscaped() throws {
        try Self.roundTrip(Self.query(
            "bHtfbmFtZV9fPX4iZHVwAAAAYm9kdG9tayBiY2NjY2NjY2NjY2NjY2NjY3t0LHgnXHhjY2NjY2NjY2NjY2NjY2NjY2NjY2Nje3QseCdceGNjY2NjY2NjY2NjY2NjY2N0dHBfcmUwfGRkdXAxIn0gKiAy"))
        let e = try parsePromQL(#"up{job="a\xccb", i!~"\xff"}"#)
        #expect(e.description == #"up{i!~"\ufffd",job="a\ufffdb"}"#)
        try Self.roundTrip(e.description)
        _ = try parsePromQL(e.prettyPrinted())
    }
}
