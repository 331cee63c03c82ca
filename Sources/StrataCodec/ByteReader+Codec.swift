// Throwing wrappers over `ByteReader`'s optional reads for the column and
// chunk headers: a short or malformed header becomes a `CodecError` that
// names the field and its offset.
extension ByteReader {
    @inlinable
    mutating func byte(_ what: StaticString) throws(CodecError) -> UInt8 {
        guard let b = readUInt8() else { throw .truncated(offset: offset, what: "\(what)") }
        return b
    }

    @inlinable
    mutating func uvarint(_ what: StaticString) throws(CodecError) -> UInt64 {
        let at = offset
        guard let v = readUVarint() else {
            throw remaining > 0 && remaining >= 10
                ? .badHeader(offset: at, what: "\(what): varint longer than 64 bits")
                : .truncated(offset: at, what: "\(what)")
        }
        return v
    }

    @inlinable
    mutating func varint(_ what: StaticString) throws(CodecError) -> Int64 {
        zigzagDecode(try uvarint(what))
    }

    /// A sample count, checked against `CodecLimits.maxColumnSamples`.
    @inlinable
    mutating func sampleCount() throws(CodecError) -> Int {
        let at = offset
        let n = try uvarint("sample count")
        guard n <= UInt64(CodecLimits.maxColumnSamples) else {
            throw .badHeader(offset: at, what: "sample count \(n) above the limit \(CodecLimits.maxColumnSamples)")
        }
        return Int(n)
    }
}
