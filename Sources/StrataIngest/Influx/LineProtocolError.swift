/// A syntax error in an Influx line protocol body, at a 1-based line and
/// byte column.
public struct LineProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case missingMeasurement
        case missingTagEquals
        case emptyTagKey
        case emptyTagValue
        case missingFields
        case emptyFieldKey
        case missingFieldEquals
        case missingFieldValue
        case invalidFieldValue
        case unterminatedString
        case unexpectedCharacter(UInt8)
        case invalidTimestamp
        case timestampOutOfRange
        case invalidUTF8
    }

    public var reason: Reason
    public var position: TextPosition
    public var line: Int { position.line }

    public init(_ reason: Reason, at position: TextPosition) {
        self.reason = reason
        self.position = position
    }

    public var message: String {
        switch reason {
        case .missingMeasurement: return "missing measurement"
        case .missingTagEquals: return "tag is missing '='"
        case .emptyTagKey: return "empty tag key"
        case .emptyTagValue: return "empty tag value"
        case .missingFields: return "missing field set"
        case .emptyFieldKey: return "empty field key"
        case .missingFieldEquals: return "field is missing '='"
        case .missingFieldValue: return "missing field value"
        case .invalidFieldValue: return "invalid field value"
        case .unterminatedString: return "unterminated string field value"
        case .unexpectedCharacter(let b):
            let shown = b >= 0x20 && b < 0x7f ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
            return "unexpected character '\(shown)'"
        case .invalidTimestamp: return "invalid timestamp"
        case .timestampOutOfRange: return "timestamp out of range"
        case .invalidUTF8: return "invalid UTF-8"
        }
    }

    public var description: String { "line \(position.line), column \(position.column): \(message)" }
}
