/// Checking the chain against a head published earlier (docs/events.md,
/// "Verifying the chain"): someone able to rewrite the whole chain from some
/// event on, anchors included, is caught only by a hash recorded elsewhere.
extension ChainReport {
    /// Parses `<id>:<64 hex digits>`, the form `strata audit verify
    /// --expect-head` and `GET /api/v1/audit/verify?expect_head=` take
    /// (`last_id` and `head_hash` of `GET /api/v1/audit/chain`).
    public static func parseHead(_ text: String) -> (id: UInt64, hash: ChainHash)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let id = UInt64(parts[0]), id > 0, let hash = ChainHash(hex: String(parts[1])) else { return nil }
        return (id, hash)
    }

    /// Adds a problem unless the chain still passes through (`id`, `hash`).
    /// The report must come from `ChainVerifier.verify(directory:probe: id)`.
    public mutating func expect(id: UInt64, hash: ChainHash) {
        guard probeHash != hash else { return }
        problems.append(.headMismatch(computed: probeHash.map { "\(id):\($0.hex)" } ?? "event \(id) missing",
                                      recorded: "\(id):\(hash.hex)"))
    }
}
