import CLZ4

/// LZ4 block compression (Debian's liblz4), for data read often: fast to
/// inflate (several GB/s), moderate ratio. Raw LZ4 blocks carry no size, so
/// the caller stores the uncompressed size next to them and passes it back
/// to `decompress`, which refuses anything else.
public enum LZ4 {
    /// Largest input LZ4 accepts (`LZ4_MAX_INPUT_SIZE`).
    public static let maxInputSize = 0x7E00_0000

    /// Worst-case compressed size of `n` bytes.
    public static func compressBound(_ n: Int) -> Int {
        Int(LZ4_compressBound(Int32(clamping: n)))
    }

    /// Appends the compressed form of `input` to `out` and returns its
    /// length. `level` 0 is LZ4's fast mode; 1...12 use LZ4HC (slower to
    /// compress, same decoding speed, smaller).
    @discardableResult
    public static func compress(_ input: UnsafeRawBufferPointer, into out: inout [UInt8], level: Int = 0) throws(CodecError) -> Int {
        guard input.count <= maxInputSize else { throw .compression(library: "lz4", code: -1) }
        let bound = compressBound(input.count)
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: bound))
        let written: Int32 = out.withUnsafeMutableBytes { raw in
            let dst = raw.baseAddress!.advanced(by: start).assumingMemoryBound(to: CChar.self)
            let src = input.baseAddress?.assumingMemoryBound(to: CChar.self)
            if input.isEmpty {
                // LZ4 encodes empty input as a single token byte.
                return LZ4_compress_default(dst, dst, 0, Int32(bound))
            }
            if level > 0 {
                return LZ4_compress_HC(src, dst, Int32(input.count), Int32(bound), Int32(min(level, 12)))
            }
            return LZ4_compress_default(src, dst, Int32(input.count), Int32(bound))
        }
        guard written > 0 else {
            out.removeLast(bound)
            throw .compression(library: "lz4", code: Int(written))
        }
        out.removeLast(bound - Int(written))
        return Int(written)
    }

    /// Appends the decompressed form of `input` to `out`. Throws unless it
    /// inflates to exactly `expectedSize` bytes; LZ4's safe decoder never
    /// reads or writes outside the buffers, whatever the input.
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int, into out: inout [UInt8]) throws(CodecError) {
        guard expectedSize >= 0, expectedSize <= maxInputSize else {
            throw .badHeader(offset: 0, what: "LZ4 block: uncompressed size \(expectedSize)")
        }
        guard input.count <= Int(Int32.max), !input.isEmpty else {
            throw .truncated(offset: 0, what: "LZ4 block")
        }
        let start = out.count
        // One spare byte lets us notice input that inflates to more than
        // `expectedSize`.
        out.append(contentsOf: repeatElement(0, count: expectedSize + 1))
        let got: Int32 = out.withUnsafeMutableBytes { raw in
            LZ4_decompress_safe(
                input.baseAddress!.assumingMemoryBound(to: CChar.self),
                raw.baseAddress!.advanced(by: start).assumingMemoryBound(to: CChar.self),
                Int32(input.count), Int32(expectedSize + 1))
        }
        guard got == Int32(expectedSize) else {
            out.removeLast(expectedSize + 1)
            throw got < 0
                ? .corrupt(offset: Int(-got), what: "LZ4 block does not decode")
                : .corrupt(offset: 0, what: "LZ4 block inflates to \(got) bytes, expected \(expectedSize)")
        }
        out.removeLast(1)
    }

    public static func compress(_ input: [UInt8], into out: inout [UInt8], level: Int = 0) throws(CodecError) {
        let r = input.withUnsafeBytes { raw in Result { () throws(CodecError) in try compress(raw, into: &out, level: level) } }
        _ = try r.get()
    }

    public static func decompress(_ input: [UInt8], expectedSize: Int, into out: inout [UInt8]) throws(CodecError) {
        let r = input.withUnsafeBytes { raw in
            Result { () throws(CodecError) in try decompress(raw, expectedSize: expectedSize, into: &out) }
        }
        try r.get()
    }
}
