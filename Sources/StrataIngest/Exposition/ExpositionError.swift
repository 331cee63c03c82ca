/// A syntax error in a Prometheus text / OpenMetrics exposition, at a
/// 1-based line and byte column.
public struct ExpositionError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case invalidMetricName
        case invalidLabelName
        case missingLabelEquals
        case expectedLabelValueQuote
        case unterminatedLabelValue
        case expectedCommaOrBrace
        case missingValue
        case invalidValue
        case invalidTimestamp
        case unexpectedCharacter(UInt8)
        case invalidType(String)
        case invalidUTF8
        case invalidExemplar
        /// OpenMetrics: a `_bucket` sample without a float `le` label.
        case invalidBucketBound
        /// OpenMetrics: a summary quantile sample without a float `quantile` label.
        case invalidQuantile
        /// OpenMetrics: content after `# EOF`.
        case contentAfterEOF
        /// OpenMetrics: the exposition does not end with `# EOF`.
        case missingEOF
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
        case .invalidMetricName: return "invalid metric name"
        case .invalidLabelName: return "invalid label name"
        case .missingLabelEquals: return "expected '=' after label name"
        case .expectedLabelValueQuote: return "label value must be double-quoted"
        case .unterminatedLabelValue: return "unterminated label value"
        case .expectedCommaOrBrace: return "expected ',' or '}' after label value"
        case .missingValue: return "missing sample value"
        case .invalidValue: return "invalid sample value"
        case .invalidTimestamp: return "invalid timestamp"
        case .unexpectedCharacter(let b):
            let shown = b >= 0x20 && b < 0x7f ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
            return "unexpected character '\(shown)'"
        case .invalidType(let t): return "invalid metric type \"\(t)\""
        case .invalidUTF8: return "invalid UTF-8"
        case .invalidExemplar: return "invalid exemplar"
        case .invalidBucketBound: return "histogram bucket needs a numeric \"le\" label"
        case .invalidQuantile: return "summary quantile needs a numeric \"quantile\" label"
        case .contentAfterEOF: return "content after # EOF"
        case .missingEOF: return "OpenMetrics exposition does not end with # EOF"
        }
    }

    public var description: String { "line \(position.line), column \(position.column): \(message)" }
}
