import StrataCodec

/// Dictionary codes bit-packed at the width of the largest code: the
/// encoding of the key, user, source and action columns of a block page
/// (docs/format/events.md, "Page").
///
/// ```
/// width u8 (0…32) │ ceil(count · width / 8) bytes, values LSB first
/// ```
/// Width 0 means every code is 0 (one user in the whole page costs one byte).
enum CodePacking {
    static func width(forMax m: UInt32) -> Int { UInt32.bitWidth - m.leadingZeroBitCount }

    static func encode(_ codes: UnsafeBufferPointer<UInt32>, into out: inout [UInt8]) {
        var maxCode: UInt32 = 0
        for c in codes { maxCode = max(maxCode, c) }
        let w = width(forMax: maxCode)
        out.append(UInt8(w))
        guard w > 0 else { return }
        var acc: UInt64 = 0
        var bits = 0
        for c in codes {
            acc |= UInt64(c) << UInt64(bits)
            bits += w
            while bits >= 8 {
                out.append(UInt8(truncatingIfNeeded: acc))
                acc >>= 8
                bits -= 8
            }
        }
        if bits > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
    }

    static func encode(_ codes: [UInt32], into out: inout [UInt8]) {
        codes.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// Decodes `count` codes into `out` (replaced). Throws on short input or a bad width.
    static func decode(_ r: inout ByteReader, count: Int, into out: inout [UInt32]) throws(EventBlockError) {
        let at = r.offset
        guard let w8 = r.readUInt8() else { throw .corrupt(offset: at, what: "code column width") }
        guard w8 <= 32 else { throw .corrupt(offset: at, what: "code column width \(w8)") }
        let w = Int(w8)
        out.removeAll(keepingCapacity: true)
        if w == 0 {
            out.append(contentsOf: repeatElement(0, count: count))
            return
        }
        let n = (count * w + 7) / 8
        guard let bytes = r.readBytes(n) else { throw .corrupt(offset: at, what: "code column of \(count) × \(w) bits") }
        out.reserveCapacity(count)
        let mask: UInt64 = (1 << UInt64(w)) - 1
        var bit = 0
        for _ in 0..<count {
            let first = bit >> 3
            var word: UInt64 = 0
            if first + 8 <= n {
                word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: first, as: UInt64.self))
            } else {
                var b = 0
                while first + b < n {
                    word |= UInt64(bytes[first + b]) << UInt64(8 * b)
                    b += 1
                }
            }
            out.append(UInt32(truncatingIfNeeded: (word >> UInt64(bit & 7)) & mask))
            bit += w
        }
    }

    /// Skips a packed column of `count` codes.
    static func skip(_ r: inout ByteReader, count: Int) throws(EventBlockError) {
        let at = r.offset
        guard let w8 = r.readUInt8(), w8 <= 32 else { throw .corrupt(offset: at, what: "code column width") }
        guard r.readBytes((count * Int(w8) + 7) / 8) != nil else { throw .corrupt(offset: at, what: "code column") }
    }
}
