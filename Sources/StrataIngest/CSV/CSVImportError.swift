/// Why a CSV import was refused, and where (1-based line:column).
public struct CSVImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case missingHeader
        /// The header lacks a required column (`timestamp`, `value`, or `__name__`/`metric`).
        case missingColumn(String)
        case duplicateColumn(String)
        case invalidColumnName(String)
        /// A row has a different number of fields than the header.
        case fieldCount(expected: Int, found: Int)
        case unterminatedQuote
        case invalidTimestamp
        case invalidValue
        case emptyMetricName
    }

    public var reason: Reason
    public var position: TextPosition

    public init(_ reason: Reason, _ position: TextPosition) {
        self.reason = reason
        self.position = position
    }

    public var description: String {
        let what: String
        switch reason {
        case .missingHeader: what = "no header line"
        case .missingColumn(let c): what = "header has no \"\(c)\" column"
        case .duplicateColumn(let c): what = "column \"\(c)\" appears twice"
        case .invalidColumnName(let c): what = "column \"\(c)\" is not a valid label name"
        case .fieldCount(let e, let f): what = "expected \(e) fields, found \(f)"
        case .unterminatedQuote: what = "unterminated quoted field"
        case .invalidTimestamp: what = "timestamp is not an integer of Unix milliseconds"
        case .invalidValue: what = "value is not a float"
        case .emptyMetricName: what = "empty metric name"
        }
        return "\(position): \(what)"
    }
}
