import CSnappy

/// Why a snappy block could not be decompressed.
public enum SnappyError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The varint preamble (the declared decoded length) is missing, truncated,
    /// or longer than the 5 bytes / 32 bits the format allows.
    case invalidPreamble
    /// The declared decoded length is above the caller's cap. Checked before
    /// anything is allocated, so a tiny body claiming gigabytes costs nothing.
    case decodedLengthExceedsLimit(declared: Int, limit: Int)
    /// The declared decoded length cannot be produced from a body this small
    /// (snappy expands at most 64 bytes per 3 input bytes).
    case decodedLengthImpossible(declared: Int, compressedLength: Int)
    /// libsnappy rejected the body, or it decoded to a different length than declared.
    case corrupt

    public var description: String {
        switch self {
        case .invalidPreamble:
            return "snappy: invalid or truncated length preamble"
        case .decodedLengthExceedsLimit(let d, let l):
            return "snappy: declared decoded length \(d) bytes exceeds the limit of \(l) bytes"
        case .decodedLengthImpossible(let d, let c):
            return "snappy: declared decoded length \(d) bytes is impossible for a \(c)-byte body"
        case .corrupt:
            return "snappy: corrupt input"
        }
    }
}

/// Snappy *block* format (not the framed/stream format), as used by the
/// Prometheus remote write and remote read protocols. Compression and
/// decompression are libsnappy's (Debian `libsnappy-dev`, `snappy-c.h`).
///
/// Format reference: https://github.com/google/snappy/blob/main/format_description.txt
/// — a block starts with the decoded length as a little-endian base-128
/// varint of at most 32 bits, followed by literal and copy elements.
public enum Snappy {
    /// Remote write bodies are small (Prometheus sends ~ 500 KiB at most by
    /// default); 32 MiB matches the cap issue #3 asks for and leaves headroom
    /// for large JSON-sized batches from other senders.
    public static let defaultMaxDecodedLength = 32 << 20

    /// The snappy format caps the decoded length at 2^32 − 1 (the preamble is
    /// a varint of at most 32 bits, i.e. at most 5 bytes).
    static let maxPreambleBytes = 5

    /// Reads the varint preamble only: no allocation, no decompression.
    public static func decodedLength(_ bytes: UnsafeRawBufferPointer) throws(SnappyError) -> Int {
        try preamble(bytes).length
    }

    public static func decodedLength(_ bytes: [UInt8]) throws(SnappyError) -> Int {
        let r = bytes.withUnsafeBytes { raw in Result { () throws(SnappyError) in try preamble(raw).length } }
        return try r.get()
    }

    /// Decompresses `bytes` into `out`, replacing its contents (its capacity
    /// is reused). The declared length is checked against `maxDecodedLength`
    /// and against what the body could possibly expand to *before* `out` grows.
    public static func decompress(
        _ bytes: UnsafeRawBufferPointer,
        maxDecodedLength: Int = defaultMaxDecodedLength,
        into out: inout [UInt8]
    ) throws(SnappyError) {
        let (declared, preambleLength) = try preamble(bytes)
        if declared > maxDecodedLength {
            throw .decodedLengthExceedsLimit(declared: declared, limit: maxDecodedLength)
        }
        // The largest expansion in the format is a 3-byte copy element
        // (tag + 2-byte offset) that emits 64 bytes: ratio 64/3 < 22.
        let body = bytes.count - preambleLength
        if declared > body * 22 {
            throw .decodedLengthImpossible(declared: declared, compressedLength: bytes.count)
        }
        resize(&out, to: declared)
        if declared == 0 {
            // An empty block is just the preamble `00`; anything after it is garbage.
            if body != 0 { throw .corrupt }
            return
        }
        let status = out.withUnsafeMutableBytes { dst -> snappy_status in
            var outLength = dst.count
            let s = snappy_uncompress(
                bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count,
                dst.baseAddress!.assumingMemoryBound(to: CChar.self), &outLength)
            return (s == SNAPPY_OK && outLength != declared) ? SNAPPY_INVALID_INPUT : s
        }
        if status != SNAPPY_OK {
            out.removeAll(keepingCapacity: true)
            throw .corrupt
        }
    }

    public static func decompress(
        _ bytes: [UInt8],
        maxDecodedLength: Int = defaultMaxDecodedLength,
        into out: inout [UInt8]
    ) throws(SnappyError) {
        let r = bytes.withUnsafeBytes { raw in
            Result { () throws(SnappyError) in try decompress(raw, maxDecodedLength: maxDecodedLength, into: &out) }
        }
        try r.get()
    }

    /// Compresses `bytes` into `out`, replacing its contents (capacity reused).
    public static func compress(_ bytes: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        let bound = snappy_max_compressed_length(bytes.count)
        resize(&out, to: bound)
        let written = out.withUnsafeMutableBytes { dst -> Int in
            var outLength = dst.count
            // An empty input still has a valid encoding (the preamble `00`);
            // libsnappy wants a non-null source pointer for it.
            var empty: UInt8 = 0
            let status = withUnsafePointer(to: &empty) { emptyPtr in
                let src = bytes.baseAddress ?? UnsafeRawPointer(emptyPtr)
                return snappy_compress(
                    src.assumingMemoryBound(to: CChar.self), bytes.count,
                    dst.baseAddress!.assumingMemoryBound(to: CChar.self), &outLength)
            }
            // Only fails if the output buffer is too small, and it is sized by
            // libsnappy's own bound: a failure is a bug, not bad input.
            precondition(status == SNAPPY_OK, "snappy_compress failed with a buffer of its own bound")
            return outLength
        }
        out.removeLast(out.count - written)
    }

    public static func compress(_ bytes: [UInt8], into out: inout [UInt8]) {
        bytes.withUnsafeBytes { compress($0, into: &out) }
    }

    /// Parses the preamble: (declared decoded length, bytes the preamble used).
    static func preamble(_ bytes: UnsafeRawBufferPointer) throws(SnappyError) -> (length: Int, size: Int) {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var i = 0
        while i < bytes.count && i < maxPreambleBytes {
            let b = bytes[i]
            value |= UInt64(b & 0x7f) << shift
            i += 1
            if b < 0x80 {
                guard value <= UInt64(UInt32.max) else { throw .invalidPreamble }
                return (Int(value), i)
            }
            shift += 7
        }
        throw .invalidPreamble
    }

    /// Sets `buf.count` to `n` reusing capacity; only newly exposed bytes are
    /// zero-filled (Swift arrays can't expose uninitialised storage).
    static func resize(_ buf: inout [UInt8], to n: Int) {
        if buf.count > n {
            buf.removeLast(buf.count - n)
        } else if buf.count < n {
            buf.append(contentsOf: repeatElement(0, count: n - buf.count))
        }
    }
}
