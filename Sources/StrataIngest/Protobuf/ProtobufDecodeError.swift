/// Why a protobuf message could not be decoded, and where.
///
/// `offset` is the byte offset in the decoded (decompressed) message where
/// the offending element starts; `path` names it, such as
/// `timeseries[12].labels[3].value`, so that a 400 response tells the sender
/// exactly what was wrong.
public struct ProtobufDecodeError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: Equatable, Sendable {
        /// The input ended inside a tag, varint or fixed-width value.
        case truncated
        /// A varint longer than 10 bytes or above 64 bits.
        case varintOverflow
        /// Field number 0, or above 2^29 − 1.
        case invalidFieldNumber(UInt64)
        /// Wire types 6 and 7 do not exist.
        case invalidWireType(UInt8)
        /// Wire types 3/4 (proto2 groups) never occur in these proto3 messages.
        case unsupportedGroup
        /// A known field arrived with a wire type its declared type can't have.
        case wrongWireType(field: Int, expected: UInt8, actual: UInt8)
        /// A length-delimited field claims more bytes than its enclosing message has.
        case lengthBeyondEnd(length: UInt64, available: Int)
        /// A `string` field that is not valid UTF-8 (proto3 requires it).
        case invalidUTF8
        /// An enum value we must understand (a matcher type) is unknown.
        case invalidEnumValue(field: Int, value: UInt64)
    }

    public var reason: Reason
    public var offset: Int
    public var path: String

    public init(_ reason: Reason, offset: Int, path: String = "") {
        self.reason = reason
        self.offset = offset
        self.path = path
    }

    /// The same error, with `component` prepended to its path. Decoders call
    /// this as the error unwinds, so the happy path builds no strings.
    func within(_ component: String) -> ProtobufDecodeError {
        var e = self
        e.path = path.isEmpty ? component : component + "." + path
        return e
    }

    public var description: String {
        let what: String
        switch reason {
        case .truncated: what = "unexpected end of input"
        case .varintOverflow: what = "varint overflows 64 bits"
        case .invalidFieldNumber(let n): what = "invalid field number \(n)"
        case .invalidWireType(let w): what = "invalid wire type \(w)"
        case .unsupportedGroup: what = "unsupported wire type (group)"
        case .wrongWireType(let f, let e, let a): what = "field \(f) has wire type \(a), expected \(e)"
        case .lengthBeyondEnd(let l, let a): what = "length \(l) exceeds the \(a) bytes left"
        case .invalidUTF8: what = "string is not valid UTF-8"
        case .invalidEnumValue(let f, let v): what = "field \(f) has unknown enum value \(v)"
        }
        let at = path.isEmpty ? "" : " in \(path)"
        return "protobuf: \(what)\(at) at byte offset \(offset)"
    }
}
