import StrataCodec

// Protobuf wire-format writing helpers. Encoders compute each message's size
// first (two passes over small label sets are cheaper than shifting bytes),
// then append tag, length and payload to the caller's buffer. Fields holding
// proto3 default values (0, "", empty) are omitted, as protobuf's canonical
// encoders do; decoders read a missing field as its default.

@inline(__always)
func protoTagSize(_ field: Int) -> Int {
    uvarintSize(UInt64(field) << 3)
}

/// Size of a length-delimited field (tag + length + payload) with `payload` bytes.
@inline(__always)
func protoLengthDelimitedSize(field: Int, payload: Int) -> Int {
    protoTagSize(field) + uvarintSize(UInt64(payload)) + payload
}

/// Size of a string field, 0 when the string is empty (omitted).
@inline(__always)
func protoStringFieldSize(field: Int, _ s: String) -> Int {
    let n = s.utf8.count
    return n == 0 ? 0 : protoLengthDelimitedSize(field: field, payload: n)
}

/// Size of an int64 varint field, 0 when the value is 0 (omitted).
/// Negative int64 values take 10 bytes (two's complement, not zig-zag).
@inline(__always)
func protoInt64FieldSize(field: Int, _ v: Int64) -> Int {
    v == 0 ? 0 : protoTagSize(field) + uvarintSize(UInt64(bitPattern: v))
}

extension Array where Element == UInt8 {
    @inline(__always)
    mutating func appendProtoTag(_ field: Int, _ wire: WireType) {
        appendUVarint(UInt64(field) << 3 | UInt64(wire.rawValue))
    }

    @inline(__always)
    mutating func appendProtoStringField(_ field: Int, _ s: String) {
        let n = s.utf8.count
        if n == 0 { return }
        appendProtoTag(field, .lengthDelimited)
        appendUVarint(UInt64(n))
        append(contentsOf: s.utf8)
    }

    @inline(__always)
    mutating func appendProtoInt64Field(_ field: Int, _ v: Int64) {
        if v == 0 { return }
        appendProtoTag(field, .varint)
        appendUVarint(UInt64(bitPattern: v))
    }

    @inline(__always)
    mutating func appendProtoBoolField(_ field: Int, _ v: Bool) {
        if !v { return }
        appendProtoTag(field, .varint)
        append(1)
    }

    /// Appends a message header (tag + length) for a sub-message of `size` bytes.
    @inline(__always)
    mutating func appendProtoMessageHeader(_ field: Int, size: Int) {
        appendProtoTag(field, .lengthDelimited)
        appendUVarint(UInt64(size))
    }
}
