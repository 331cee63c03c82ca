/// Builds a Gorilla-style XOR chunk (`ChunkEncoding.xor`) one sample at a
/// time: the head's open chunk. Byte layout: docs/format/chunks.md.
///
/// ```
/// ┌──────────────────┬───────────────────────────────────────────────┐
/// │ count (u16, BE)  │ bit stream: t0 (64) v0 (64) { dod-bucket xor } │
/// └──────────────────┴───────────────────────────────────────────────┘
/// ```
///
/// An append is a few shifts into a 64-bit accumulator; the byte array only
/// grows (amortised) every 64 bits, and its initial capacity covers a
/// typical 120-sample chunk, so appending does not allocate per sample.
public struct XORChunkAppender: Sendable {
    /// The bit stream after the header; the header (the count) is written
    /// when bytes are read out.
    @usableFromInline var writer: BitWriter
    @usableFromInline var timestampEncoder: DoDTimestampEncoder
    @usableFromInline var valueEncoder: XORValueEncoder

    @usableFromInline var _count: Int
    @usableFromInline var _minTime: Int64
    @usableFromInline var _maxTime: Int64

    /// Samples appended so far.
    @inlinable public var count: Int { _count }
    /// Timestamp of the first sample; `Int64.max` while empty.
    @inlinable public var minTime: Int64 { _minTime }
    /// Timestamp of the last sample; `Int64.min` while empty. (The caller
    /// guarantees non-decreasing timestamps, so this is the maximum.)
    @inlinable public var maxTime: Int64 { _maxTime }

    /// Size of the header in bytes.
    public static let headerSize = 2

    /// A typical 120-sample head chunk of scraped data takes 150 to 250
    /// bytes (about 1.3 to 2 bytes per sample on the node workload, see
    /// docs/benchmarks.md); reserving that avoids the array's early
    /// doublings.
    public static let defaultCapacity = 256

    @inlinable
    public init(reservingCapacity capacity: Int = XORChunkAppender.defaultCapacity) {
        writer = BitWriter(reservingCapacity: capacity - Self.headerSize)
        timestampEncoder = DoDTimestampEncoder()
        valueEncoder = XORValueEncoder()
        _count = 0
        _minTime = .max
        _maxTime = .min
    }

    /// Continues appending to an existing chunk (e.g. the open chunk
    /// rebuilt from a head chunk file). Decodes it once to recover the
    /// encoder state.
    public init(resuming bytes: [UInt8]) throws(CodecError) {
        // `Array.withUnsafeBytes` rethrows untyped errors; carry the typed
        // one out through a Result.
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(CodecError) in try XORChunk.resumeState(raw) }
        }
        let state = try result.get()
        writer = BitWriter(
            continuing: bytes[Self.headerSize...], bitCount: state.bitCount - Self.headerSize * 8,
            reservingCapacity: Swift.max(Self.defaultCapacity, bytes.count + 64))
        timestampEncoder = state.timestamps
        valueEncoder = state.values
        _count = state.count
        _minTime = state.count > 0 ? state.minTime : .max
        _maxTime = state.count > 0 ? state.maxTime : .min
    }

    /// Appends one sample. Timestamps must not decrease (the head rejects
    /// out-of-order samples before they get here); the encoding itself
    /// round-trips any sequence.
    @inlinable
    public mutating func append(_ t: Int64, _ v: Double) {
        precondition(count < CodecLimits.maxXORSamples, "XOR chunk is full (65535 samples)")
        timestampEncoder.encode(t, into: &writer)
        valueEncoder.encode(v.bitPattern, into: &writer)
        if _count == 0 { _minTime = t }
        _maxTime = t
        _count &+= 1
    }

    /// Bytes of the complete chunk.
    @inlinable public var byteCount: Int { Self.headerSize &+ writer.byteCount }

    /// The complete chunk, header up to date (a copy).
    @inlinable
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(byteCount + 8)
        copyBytes(into: &out)
        return out
    }

    /// Appends the complete chunk to `out` without allocating when `out`
    /// has the capacity: lets a reader snapshot the open chunk into a
    /// reusable buffer.
    @inlinable
    public func copyBytes(into out: inout [UInt8]) {
        out.append(UInt8(truncatingIfNeeded: _count >> 8))
        out.append(UInt8(truncatingIfNeeded: _count))
        writer.copyBytes(into: &out)
    }
}
