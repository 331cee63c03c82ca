// Unsigned LEB128 varints and zig-zag signed varints, as used by protobuf and
// by every Strata on-disk format (see docs/format/README.md).
//
// Writers append to a caller-owned `[UInt8]` so that a hot loop reuses one
// buffer; readers work on `ByteReader`, which is only ever created inside a
// `withUnsafeBytes` closure.

@inlinable @inline(__always)
public func zigzagEncode(_ v: Int64) -> UInt64 {
    UInt64(bitPattern: (v &<< 1) ^ (v >> 63))
}

@inlinable @inline(__always)
public func zigzagDecode(_ u: UInt64) -> Int64 {
    Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
}

/// Number of bytes `appendUVarint` writes for `v`.
@inlinable @inline(__always)
public func uvarintSize(_ v: UInt64) -> Int {
    // 1 byte per started group of 7 bits; 0 needs one byte.
    let bits = 64 - (v | 1).leadingZeroBitCount
    return (bits + 6) / 7
}

extension Array where Element == UInt8 {
    @inlinable @inline(__always)
    public mutating func appendUVarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        append(UInt8(truncatingIfNeeded: v))
    }

    @inlinable @inline(__always)
    public mutating func appendVarint(_ value: Int64) {
        appendUVarint(zigzagEncode(value))
    }

    @inlinable @inline(__always)
    public mutating func appendUInt32LE(_ v: UInt32) {
        append(UInt8(truncatingIfNeeded: v))
        append(UInt8(truncatingIfNeeded: v >> 8))
        append(UInt8(truncatingIfNeeded: v >> 16))
        append(UInt8(truncatingIfNeeded: v >> 24))
    }

    @inlinable @inline(__always)
    public mutating func appendUInt64LE(_ v: UInt64) {
        appendUInt32LE(UInt32(truncatingIfNeeded: v))
        appendUInt32LE(UInt32(truncatingIfNeeded: v >> 32))
    }

    @inlinable @inline(__always)
    public mutating func appendUInt16LE(_ v: UInt16) {
        append(UInt8(truncatingIfNeeded: v))
        append(UInt8(truncatingIfNeeded: v >> 8))
    }

    /// Appends a length-prefixed (uvarint) UTF-8 string.
    @inlinable
    public mutating func appendString(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            appendUVarint(UInt64(utf8.count))
            append(contentsOf: utf8)
        }
    }

    /// Overwrites 4 bytes at `offset` with `v` in little-endian order.
    @inlinable
    public mutating func setUInt32LE(_ v: UInt32, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: v)
        self[offset + 1] = UInt8(truncatingIfNeeded: v >> 8)
        self[offset + 2] = UInt8(truncatingIfNeeded: v >> 16)
        self[offset + 3] = UInt8(truncatingIfNeeded: v >> 24)
    }
}

/// A bounds-checked cursor over bytes that the caller keeps alive.
///
/// Create it only inside `withUnsafeBytes` (or an mmap region's equivalent)
/// and don't let it escape. Every read returns `nil` instead of trapping when
/// the input is short or malformed: bad bytes on disk or on the wire are an
/// error to report, never a crash.
public struct ByteReader {
    public let base: UnsafeRawBufferPointer
    public var offset: Int

    @inlinable
    public init(_ base: UnsafeRawBufferPointer, offset: Int = 0) {
        self.base = base
        self.offset = offset
    }

    @inlinable public var remaining: Int { base.count - offset }
    @inlinable public var isAtEnd: Bool { offset >= base.count }

    @inlinable @inline(__always)
    public mutating func readUInt8() -> UInt8? {
        guard offset < base.count else { return nil }
        let b = base[offset]
        offset += 1
        return b
    }

    @inlinable @inline(__always)
    public mutating func readUVarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = offset
        let n = base.count
        while i < n {
            let b = base[i]
            i += 1
            if shift == 63 && b > 1 { return nil }  // overflows 64 bits
            result |= UInt64(b & 0x7f) << shift
            if b < 0x80 {
                offset = i
                return result
            }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    @inlinable @inline(__always)
    public mutating func readVarint() -> Int64? {
        guard let u = readUVarint() else { return nil }
        return zigzagDecode(u)
    }

    @inlinable @inline(__always)
    public mutating func readUInt16LE() -> UInt16? {
        guard remaining >= 2 else { return nil }
        let v = base.loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        offset += 2
        return UInt16(littleEndian: v)
    }

    @inlinable @inline(__always)
    public mutating func readUInt32LE() -> UInt32? {
        guard remaining >= 4 else { return nil }
        let v = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        offset += 4
        return UInt32(littleEndian: v)
    }

    @inlinable @inline(__always)
    public mutating func readUInt64LE() -> UInt64? {
        guard remaining >= 8 else { return nil }
        let v = base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        offset += 8
        return UInt64(littleEndian: v)
    }

    /// Returns the next `count` bytes as a slice of the underlying buffer.
    @inlinable
    public mutating func readBytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, remaining >= count else { return nil }
        let slice = UnsafeRawBufferPointer(rebasing: base[offset..<(offset + count)])
        offset += count
        return slice
    }

    /// Reads a uvarint length followed by that many UTF-8 bytes.
    /// Invalid UTF-8 is repaired by `String(decoding:)`; callers that must
    /// reject it validate separately.
    @inlinable
    public mutating func readString() -> String? {
        guard let len = readUVarint(), len <= UInt64(remaining),
              let bytes = readBytes(Int(len)) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
