import StrataCodec

/// On-disk encoding of a postings list of block-local `UInt32` series ids:
/// the first id, then the gaps in blocks of 128, each block bit-packed at
/// the width of its largest gap above the block's minimum ("frame of
/// reference", Goldstein, Ramakrishnan & Shaft 1998; blocks of 128 as in
/// Lemire & Boytsov 2015). Byte diagram: docs/format/postings.md.
///
/// Why this and not delta+uvarint: series ids in a block are assigned in
/// label order, so the postings of `job="api"` or `__name__="x"` are mostly
/// runs of consecutive ids. A run has gap 1 everywhere, which packs at
/// width 0: a full block of 128 ids costs 2 bytes, against 128 with varints.
/// Unpacking is a shift and a mask per id, with no per-byte branch.
public enum PostingsCodec {
    /// Format tag, the first byte of every encoded list.
    public static let formatV1: UInt8 = 1
    /// Gaps per bit-packed block.
    public static let blockSize = 128

    /// Appends the encoding of `ids` (strictly increasing) to `out`.
    public static func encode(_ ids: UnsafeBufferPointer<UInt32>, into out: inout [UInt8]) {
        precondition(Postings.isSortedUnique(ids), "postings must be strictly increasing")
        out.append(formatV1)
        out.appendUVarint(UInt64(ids.count))
        guard ids.count > 0 else { return }
        out.appendUVarint(UInt64(ids[0]))
        var start = 1
        while start < ids.count {
            let end = min(start + blockSize, ids.count)
            // gap - 1 ≥ 0 since ids strictly increase; consecutive ids give 0.
            var lo = UInt32.max, hi: UInt32 = 0
            for i in start..<end {
                let g = ids[i] &- ids[i - 1] &- 1
                lo = min(lo, g)
                hi = max(hi, g)
            }
            let width = UInt32.bitWidth - (hi - lo).leadingZeroBitCount
            out.appendUVarint(UInt64(lo))
            out.append(UInt8(width))
            if width > 0 {
                var acc: UInt64 = 0
                var bits = 0
                for i in start..<end {
                    let v = UInt64(ids[i] &- ids[i - 1] &- 1 &- lo)
                    acc |= v << UInt64(bits)
                    bits += width
                    while bits >= 8 {
                        out.append(UInt8(truncatingIfNeeded: acc))
                        acc >>= 8
                        bits -= 8
                    }
                }
                if bits > 0 { out.append(UInt8(truncatingIfNeeded: acc)) }
            }
            start = end
        }
    }

    /// Array form of `encode(_:into:)`.
    public static func encode(_ ids: [UInt32], into out: inout [UInt8]) {
        ids.withUnsafeBufferPointer { encode($0, into: &out) }
    }

    /// Decodes one list from the start of `bytes` into `out` (overwritten,
    /// capacity kept). Returns the number of bytes consumed, so lists can be
    /// stored back to back.
    @discardableResult
    public static func decode(from bytes: UnsafeRawBufferPointer, into out: inout [UInt32]) throws(PostingsDecodeError) -> Int {
        var r = ByteReader(bytes)
        guard let tag = r.readUInt8() else { throw .truncated(offset: 0) }
        guard tag == formatV1 else { throw .unknownFormat(tag: tag, offset: 0) }
        let countAt = r.offset
        guard let n64 = r.readUVarint() else { throw .truncated(offset: countAt) }
        if n64 == 0 {
            out.removeAll(keepingCapacity: true)
            return r.offset
        }
        // Each block of ≤ 128 gaps takes at least 2 bytes (min, width).
        guard n64 - 1 <= UInt64(r.remaining) * UInt64(blockSize / 2), n64 <= UInt64(UInt32.max) + 1 else {
            throw .implausibleCount(n64, offset: countAt)
        }
        let n = Int(n64)
        let firstAt = r.offset
        guard let first = r.readUVarint() else { throw .truncated(offset: firstAt) }
        guard first <= UInt64(UInt32.max) else { throw .idOverflow(offset: firstAt) }

        var failure: PostingsDecodeError? = nil
        Postings.produce(&out, bound: n) { o in
            o[0] = UInt32(first)
            var prev = first
            var done = 1
            while done < n {
                let blockAt = r.offset
                let len = min(blockSize, n - done)
                guard let lo = r.readUVarint() else { failure = .truncated(offset: blockAt); return 0 }
                guard let w8 = r.readUInt8() else { failure = .truncated(offset: r.offset); return 0 }
                guard w8 <= 32 else { failure = .invalidBitWidth(w8, offset: r.offset - 1); return 0 }
                guard lo <= UInt64(UInt32.max) else { failure = .idOverflow(offset: blockAt); return 0 }
                let width = Int(w8)
                let packedBytes = (len * width + 7) / 8
                guard let packed = r.readBytes(packedBytes) else { failure = .truncated(offset: r.offset); return 0 }
                // prev + len * (lo + 1 + 2^32) stays far below 2^64: no UInt64 overflow.
                let step = lo &+ 1
                if width == 0 {
                    for i in 0..<len {
                        prev &+= step
                        o[done + i] = UInt32(truncatingIfNeeded: prev)
                    }
                } else {
                    unpack(packed, count: len, width: width, step: step, prev: &prev, into: o + done)
                }
                // Ids increase, so checking the block's last one covers the block.
                guard prev <= UInt64(UInt32.max) else { failure = .idOverflow(offset: blockAt); return 0 }
                done += len
            }
            return n
        }
        if let failure {
            out.removeAll(keepingCapacity: true)
            throw failure
        }
        return r.offset
    }

    /// Unpacks `count` values of `width` bits (LSB first) and turns them into ids.
    @inline(__always)
    static func unpack(_ packed: UnsafeRawBufferPointer, count: Int, width: Int, step: UInt64,
                       prev: inout UInt64, into o: UnsafeMutablePointer<UInt32>) {
        let mask: UInt64 = (1 << UInt64(width)) - 1
        let nbytes = packed.count
        var i = 0
        var bit = 0
        // Fast path: an unaligned 8-byte load covers every value (width ≤ 32,
        // shift ≤ 7) while 8 bytes remain from its first byte.
        while i < count && (bit >> 3) + 8 <= nbytes {
            let word = UInt64(littleEndian: packed.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
            prev &+= ((word >> UInt64(bit & 7)) & mask) &+ step
            o[i] = UInt32(truncatingIfNeeded: prev)
            bit &+= width
            i &+= 1
        }
        // The last few values: assemble from the bytes that exist.
        while i < count {
            var word: UInt64 = 0
            let first = bit >> 3
            var b = 0
            while b < 8 && first + b < nbytes {
                word |= UInt64(packed[first + b]) << UInt64(8 * b)
                b += 1
            }
            prev &+= ((word >> UInt64(bit & 7)) & mask) &+ step
            o[i] = UInt32(truncatingIfNeeded: prev)
            bit &+= width
            i &+= 1
        }
    }
}
