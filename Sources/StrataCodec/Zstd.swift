import CZstd

/// Zstandard (Debian's libzstd), for cold data where ratio matters more
/// than inflate speed (compacted blocks, if it measures smaller).
/// Frames record their content size; `decompress` still takes the size
/// the caller expects and refuses anything else, so a corrupt frame can
/// neither allocate without bound nor pass as valid.
public enum Zstd {
    /// A sane cap on one frame's content, 1 GiB.
    public static let maxContentSize = 1 << 30

    public static func compressBound(_ n: Int) -> Int { ZSTD_compressBound(n) }

    /// Appends a zstd frame of `input` to `out` and returns its length.
    @discardableResult
    public static func compress(_ input: UnsafeRawBufferPointer, into out: inout [UInt8], level: Int = 3) throws(CodecError) -> Int {
        guard input.count <= maxContentSize else { throw .compression(library: "zstd", code: -1) }
        let bound = compressBound(input.count)
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: bound))
        let written: Int = out.withUnsafeMutableBytes { raw in
            ZSTD_compress(raw.baseAddress!.advanced(by: start), bound, input.baseAddress, input.count, Int32(level))
        }
        if ZSTD_isError(written) != 0 {
            out.removeLast(bound)
            throw .compression(library: "zstd", code: -Int(bitPattern: UInt(written)))
        }
        out.removeLast(bound - written)
        return written
    }

    /// Appends the content of one zstd frame to `out`; throws unless it is
    /// exactly `expectedSize` bytes.
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedSize: Int, into out: inout [UInt8]) throws(CodecError) {
        guard expectedSize >= 0, expectedSize <= maxContentSize else {
            throw .badHeader(offset: 0, what: "zstd frame: content size \(expectedSize)")
        }
        guard !input.isEmpty else { throw .truncated(offset: 0, what: "zstd frame") }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: expectedSize + 1))
        let got: Int = out.withUnsafeMutableBytes { raw in
            ZSTD_decompress(raw.baseAddress!.advanced(by: start), expectedSize + 1, input.baseAddress, input.count)
        }
        guard ZSTD_isError(got) == 0, got == expectedSize else {
            out.removeLast(expectedSize + 1)
            throw ZSTD_isError(got) != 0
                ? .corrupt(offset: 0, what: "zstd frame does not decode (\(String(cString: ZSTD_getErrorName(got))))")
                : .corrupt(offset: 0, what: "zstd frame inflates to \(got) bytes, expected \(expectedSize)")
        }
        out.removeLast(1)
    }

    public static func compress(_ input: [UInt8], into out: inout [UInt8], level: Int = 3) throws(CodecError) {
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
