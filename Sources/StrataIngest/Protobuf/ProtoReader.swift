// Protobuf wire format (https://protobuf.dev/programming-guides/encoding/),
// decoded by hand rather than with swift-protobuf: generated message types
// would allocate a class/array per TimeSeries, Label and Sample and copy
// every string, while remote write ingestion has a budget far below 1 µs
// per sample. Reading the wire format directly lets the decoder append
// samples straight into the caller's reusable `IngestBatch` and build a
// `String` only for label names and values.

/// Protobuf wire types (the low 3 bits of a tag).
enum WireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case startGroup = 3
    case endGroup = 4
    case fixed32 = 5
}

/// A cursor over one protobuf message inside a byte buffer that the caller
/// keeps alive (create it only inside `withUnsafeBytes`).
///
/// Unlike `ByteReader`, it carries an `end` limit for the current nested
/// message and reports absolute offsets in typed errors. Every read checks
/// `pos`/`end` itself, so malformed input can never read out of bounds
/// (`UnsafeRawBufferPointer`'s subscript is unchecked in release builds).
/// Invariant: `0 <= pos <= end <= base.count`.
struct ProtoReader {
    let base: UnsafeRawBufferPointer
    var pos: Int
    var end: Int

    init(_ base: UnsafeRawBufferPointer) {
        self.base = base
        self.pos = 0
        self.end = base.count
    }

    var isAtEnd: Bool { pos >= end }

    @inline(__always)
    mutating func readVarint() throws(ProtobufDecodeError) -> UInt64 {
        // One-byte varints (tags, small lengths, small enum values) dominate.
        if pos < end {
            let b = base[pos]
            if b < 0x80 {
                pos += 1
                return UInt64(b)
            }
        }
        return try readVarintSlow()
    }

    mutating func readVarintSlow() throws(ProtobufDecodeError) -> UInt64 {
        let start = pos
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = pos
        while i < end {
            let b = base[i]
            i += 1
            // The 10th byte may only contribute the 64th bit.
            if shift == 63 && b > 1 { throw ProtobufDecodeError(.varintOverflow, offset: start) }
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 {
                pos = i
                return result
            }
            shift += 7
            if shift > 63 { throw ProtobufDecodeError(.varintOverflow, offset: start) }
        }
        throw ProtobufDecodeError(.truncated, offset: start)
    }

    /// Reads a tag: (field number, wire type).
    @inline(__always)
    mutating func readTag() throws(ProtobufDecodeError) -> (field: Int, wire: UInt8) {
        let start = pos
        let key = try readVarint()
        let field = key >> 3
        if field == 0 || field > 0x1FFF_FFFF {
            throw ProtobufDecodeError(.invalidFieldNumber(field), offset: start)
        }
        return (Int(field), UInt8(key & 7))
    }

    @inline(__always)
    mutating func readFixed64() throws(ProtobufDecodeError) -> UInt64 {
        guard end - pos >= 8 else { throw ProtobufDecodeError(.truncated, offset: pos) }
        let v = base.loadUnaligned(fromByteOffset: pos, as: UInt64.self)
        pos += 8
        return UInt64(littleEndian: v)
    }

    mutating func readFixed32() throws(ProtobufDecodeError) -> UInt32 {
        guard end - pos >= 4 else { throw ProtobufDecodeError(.truncated, offset: pos) }
        let v = base.loadUnaligned(fromByteOffset: pos, as: UInt32.self)
        pos += 4
        return UInt32(littleEndian: v)
    }

    /// Reads a length prefix and returns the byte range it covers, checked
    /// against the enclosing message. Leaves `pos` at the start of the range.
    @inline(__always)
    mutating func readLengthDelimited() throws(ProtobufDecodeError) -> Range<Int> {
        let start = pos
        let len = try readVarint()
        let available = end - pos
        guard len <= UInt64(available) else {
            throw ProtobufDecodeError(.lengthBeyondEnd(length: len, available: available), offset: start)
        }
        return pos..<(pos + Int(len))
    }

    /// Enters a length-delimited sub-message; returns the outer `end` to
    /// restore with `exit(_:)` once the sub-message is consumed.
    @inline(__always)
    mutating func enter() throws(ProtobufDecodeError) -> Int {
        let r = try readLengthDelimited()
        let saved = end
        end = r.upperBound
        return saved
    }

    @inline(__always)
    mutating func exit(_ savedEnd: Int) {
        pos = end
        end = savedEnd
    }

    /// Reads a length-delimited UTF-8 string.
    @inline(__always)
    mutating func readString() throws(ProtobufDecodeError) -> String {
        let r = try readLengthDelimited()
        pos = r.upperBound
        guard let s = makeValidatedString(base, r) else {
            throw ProtobufDecodeError(.invalidUTF8, offset: r.lowerBound)
        }
        return s
    }

    /// Skips a field's payload given its wire type (unknown fields, fields we ignore).
    mutating func skip(wire: UInt8) throws(ProtobufDecodeError) {
        switch wire {
        case WireType.varint.rawValue:
            _ = try readVarint()
        case WireType.fixed64.rawValue:
            guard end - pos >= 8 else { throw ProtobufDecodeError(.truncated, offset: pos) }
            pos += 8
        case WireType.lengthDelimited.rawValue:
            pos = try readLengthDelimited().upperBound
        case WireType.fixed32.rawValue:
            guard end - pos >= 4 else { throw ProtobufDecodeError(.truncated, offset: pos) }
            pos += 4
        case WireType.startGroup.rawValue, WireType.endGroup.rawValue:
            throw ProtobufDecodeError(.unsupportedGroup, offset: pos)
        default:
            throw ProtobufDecodeError(.invalidWireType(wire), offset: pos)
        }
    }

    /// Throws unless a known field arrived with the wire type its type requires.
    @inline(__always)
    func expect(_ wire: UInt8, _ expected: WireType, field: Int, tagOffset: Int) throws(ProtobufDecodeError) {
        if wire != expected.rawValue {
            throw ProtobufDecodeError(.wrongWireType(field: field, expected: expected.rawValue, actual: wire), offset: tagOffset)
        }
    }
}
