/// How a chunk's bytes are laid out; stored next to every chunk reference
/// (head chunk files, block index) so the format can evolve.
/// Byte diagrams: docs/format/chunks.md.
public enum ChunkEncoding: UInt8, Sendable, CaseIterable {
    /// Gorilla-style XOR chunk, cheap to append to: the head's encoding
    /// (`XORChunkAppender`, `XORChunk`).
    case xor = 1
    /// A timestamp column followed by a value column, each adaptive and
    /// self-describing (`TimestampColumn`, `ValueColumn`, `ColumnarChunk`):
    /// the encoding of persisted blocks.
    case columnar = 2
}

/// Limits shared by every decoder, so that a corrupt count can never make
/// us allocate gigabytes.
public enum CodecLimits {
    /// Largest sample count a column may declare. A 2 h block at a 1 s
    /// scrape interval holds 7,200 samples per series; 2^20 leaves room for
    /// sub-second data while capping a bogus header at 8 MiB per buffer.
    public static let maxColumnSamples = 1 << 20
    /// Largest sample count of an XOR chunk: its header field is 16 bits.
    public static let maxXORSamples = Int(UInt16.max)
}
