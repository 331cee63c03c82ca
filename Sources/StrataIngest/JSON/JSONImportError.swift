/// Why a JSON import body was refused, and where (byte offset and 1-based line:column).
public struct JSONImportError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        // Syntax.
        case unexpectedEnd
        case unexpectedCharacter(UInt8)
        case controlCharacterInString
        case invalidEscape
        case invalidSurrogate
        case invalidUTF8
        case invalidNumber
        case tooDeep(limit: Int)
        case tooLarge(bytes: Int, limit: Int)
        // Shape.
        case expectedObject
        case expectedArray
        case labelValueNotString
        case invalidSampleValue
        case invalidTimestamp
        case sampleNotPair
        case missingLabels
        case lengthMismatch(timestamps: Int, values: Int)
        case mixedSampleForms
        case seriesWithSamples
        case noSeries
    }

    public var reason: Reason
    public var offset: Int
    public var position: TextPosition

    public init(_ reason: Reason, offset: Int, position: TextPosition) {
        self.reason = reason
        self.offset = offset
        self.position = position
    }

    public var message: String {
        switch reason {
        case .unexpectedEnd: return "unexpected end of input"
        case .unexpectedCharacter(let b):
            let shown = b >= 0x20 && b < 0x7f ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16)
            return "unexpected character '\(shown)'"
        case .controlCharacterInString: return "unescaped control character in string"
        case .invalidEscape: return "invalid escape sequence"
        case .invalidSurrogate: return "invalid UTF-16 surrogate in \\u escape"
        case .invalidUTF8: return "invalid UTF-8"
        case .invalidNumber: return "invalid number"
        case .tooDeep(let l): return "nesting deeper than \(l)"
        case .tooLarge(let b, let l): return "body of \(b) bytes exceeds the limit of \(l) bytes"
        case .expectedObject: return "expected an object"
        case .expectedArray: return "expected an array"
        case .labelValueNotString: return "label values must be strings"
        case .invalidSampleValue: return "sample value must be a number or \"NaN\", \"+Inf\", \"-Inf\""
        case .invalidTimestamp: return "timestamp must be an integer number of milliseconds"
        case .sampleNotPair: return "a sample must be [timestamp, value]"
        case .missingLabels: return "series has no \"labels\""
        case .lengthMismatch(let t, let v): return "\(t) timestamps but \(v) values"
        case .mixedSampleForms: return "\"samples\" can't be combined with \"values\"/\"timestamps\""
        case .seriesWithSamples: return "\"series\" can't be combined with labels or samples in the same object"
        case .noSeries: return "object has neither \"series\" nor \"labels\"/\"samples\""
        }
    }

    public var description: String { "\(position) (byte \(offset)): \(message)" }
}
