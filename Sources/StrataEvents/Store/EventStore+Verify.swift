extension EventStore {
    /// Verifies the hash chain from the store's files (`ChainVerifier`), as
    /// `strata audit verify` does, for `GET /api/v1/audit/verify`.
    ///
    /// Cuts, compactions and retention wait meanwhile (`maintenance`), so no
    /// block is replaced or deleted under the verifier; appends go on (a
    /// record being written at the WAL's end reads as a torn tail: a note,
    /// not a problem).
    public func verifyChain(expect: (id: UInt64, hash: ChainHash)? = nil) throws -> ChainReport {
        maintenance.lock()
        defer { maintenance.unlock() }
        var report = try ChainVerifier.verify(directory: directory, probe: expect?.id)
        if let e = expect { report.expect(id: e.id, hash: e.hash) }
        return report
    }
}
