import Crypto

/// The audit log's hash chain (docs/format/events.md, "Hash chain"):
///
///     h(0)  = 32 zero bytes
///     h(id) = SHA-256( h(id − 1) ‖ id as u64 LE ‖ body(id) )
///
/// where `body` is the event's canonical encoding (`EventBody`). Event `id`
/// "carries" `h(id − 1)`: changing, removing or reordering any event changes
/// every later hash, so the stored anchors (block chain sections, WAL batch
/// headers) and the published head hash no longer match.
///
/// SHA-256 itself is swift-crypto's (`Crypto.SHA256`, BoringSSL on Linux,
/// which uses the CPU's SHA extensions where present).
public enum EventChain {
    public static let genesis = ChainHash.zero

    /// h(id) from h(id − 1) and the event's body bytes.
    public static func next(prev: ChainHash, id: UInt64, body: UnsafeRawBufferPointer) -> ChainHash {
        // The 40-byte prefix h(id − 1) ‖ id LE, built on the stack.
        var prefix = (prev.a.bigEndian, prev.b.bigEndian, prev.c.bigEndian, prev.d.bigEndian, id.littleEndian)
        var hasher = Crypto.SHA256()
        withUnsafeBytes(of: &prefix) { hasher.update(bufferPointer: $0) }
        hasher.update(bufferPointer: body)
        return hasher.finalize().withUnsafeBytes { ChainHash(reading: $0, at: 0) }
    }

    public static func next(prev: ChainHash, id: UInt64, body: [UInt8]) -> ChainHash {
        body.withUnsafeBytes { next(prev: prev, id: id, body: $0) }
    }

    /// Every how many events of a run a block stores the chain value (besides
    /// each run's first event), so that the hash of any stored event can be
    /// recomputed from at most this many predecessors.
    public static let anchorInterval = 256
}
