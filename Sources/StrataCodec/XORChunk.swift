/// Decoding of XOR chunks written by `XORChunkAppender`.
/// Byte layout: docs/format/chunks.md.
public enum XORChunk {
    /// The sample count in the header, without decoding.
    public static func count(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Int {
        guard bytes.count >= XORChunkAppender.headerSize else {
            throw .truncated(offset: bytes.count, what: "XOR chunk header")
        }
        return Int(bytes[0]) << 8 | Int(bytes[1])
    }

    /// Decodes every sample into `timestamps` and `values`, replacing their
    /// contents and reusing their capacity. Returns the sample count.
    @discardableResult
    public static func decode(
        _ bytes: UnsafeRawBufferPointer, timestamps: inout [Int64], values: inout [Double]
    ) throws(CodecError) -> Int {
        let n = try count(bytes)
        // Every sample after the first takes at least 2 bits, the first 128:
        // reject a count the bytes cannot hold before sizing the buffers.
        let minBits = n == 0 ? 0 : 128 + (n - 1) * 2
        let available = (bytes.count - XORChunkAppender.headerSize) * 8
        guard minBits <= available else {
            throw .truncated(offset: bytes.count, what: "XOR chunk of \(n) samples")
        }
        timestamps.resizeForOverwrite(n)
        values.resizeForOverwrite(n)
        // The reader and decoders live inside the closure: captured from
        // outside, they would be boxed and every bit read would go through
        // memory (measured: 40% slower).
        var overrun = false
        var corrupt = false
        timestamps.withUnsafeMutableBufferPointer { tp in
            values.withUnsafeMutableBufferPointer { vp in
                guard let t = tp.baseAddress, let v = vp.baseAddress else { return }
                let raw = UnsafeMutableRawPointer(v)
                var reader = BitReader(bytes, byteOffset: XORChunkAppender.headerSize)
                var td = DoDTimestampDecoder()
                var vd = XORValueDecoder()
                for i in 0..<n {
                    t[i] = td.decode(&reader)
                    raw.storeBytes(of: vd.decode(&reader), toByteOffset: i &* 8, as: UInt64.self)
                }
                overrun = reader.isOverrun
                corrupt = vd.corrupt
            }
        }
        if overrun {
            timestamps.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            throw .truncated(offset: bytes.count, what: "XOR chunk bit stream (\(n) samples declared)")
        }
        if corrupt {
            timestamps.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
            throw .corrupt(offset: XORChunkAppender.headerSize, what: "impossible XOR window in value stream")
        }
        return n
    }

    struct ResumeState {
        var count: Int
        var minTime: Int64
        var maxTime: Int64
        /// Bits used, header included.
        var bitCount: Int
        var timestamps: DoDTimestampEncoder
        var values: XORValueEncoder
    }

    /// Decodes a chunk to find where its bit stream ends and the encoders'
    /// state there.
    static func resumeState(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> ResumeState {
        let n = try count(bytes)
        var reader = BitReader(bytes, byteOffset: XORChunkAppender.headerSize)
        var td = DoDTimestampDecoder()
        var vd = XORValueDecoder()
        var minTime: Int64 = 0, maxTime: Int64 = 0
        for i in 0..<n {
            let t = td.decode(&reader)
            _ = vd.decode(&reader)
            if i == 0 { minTime = t }
            maxTime = t
            if reader.isOverrun { break }
        }
        if reader.isOverrun {
            throw .truncated(offset: bytes.count, what: "XOR chunk bit stream (\(n) samples declared)")
        }
        if vd.corrupt {
            throw .corrupt(offset: XORChunkAppender.headerSize, what: "impossible XOR window in value stream")
        }
        return ResumeState(
            count: n, minTime: minTime, maxTime: maxTime, bitCount: reader.bitPosition,
            timestamps: td.encoderState, values: vd.encoderState)
    }
}
