/// The audit log's hash chain (docs/format/events.md, "Hash chain"):
///
///     h(0)  = 32 zero bytes
///     h(id) = SHA-256( h(id − 1) ‖ id as u64 LE ‖ body(id) )
///
/// where `body` is the event's canonical encoding (`EventBody`). Event `id`
/// "carries" `h(id − 1)`: changing, removing or reordering any event changes
/// every later hash, so the stored anchors (block chain sections, WAL batch
/// headers) and the published head hash no longer match.
public enum EventChain {
    public static let genesis = SHA256.Digest.zero

    /// h(id) from h(id − 1) and the event's body bytes.
    @inlinable
    public static func next(prev: SHA256.Digest, id: UInt64, body: UnsafeRawBufferPointer) -> SHA256.Digest {
        var s = SHA256()
        s.update(prev)
        s.update(uint64LE: id)
        s.update(body)
        return s.finalize()
    }

    public static func next(prev: SHA256.Digest, id: UInt64, body: [UInt8]) -> SHA256.Digest {
        body.withUnsafeBytes { next(prev: prev, id: id, body: $0) }
    }

    /// Every how many events of a run a block stores the chain value (besides
    /// each run's first event), so that the hash of any stored event can be
    /// recomputed from at most this many predecessors.
    public static let anchorInterval = 256
}
