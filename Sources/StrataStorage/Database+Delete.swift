/// Deleting series (issue #5), as Prometheus' `POST /api/v1/admin/tsdb/delete_series`.
extension Database {
    public struct DeleteError: Error, Sendable, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }

    /// Deletes the samples in [mint, maxt] (inclusive) of every series
    /// matching all `matchers` (at least one).
    ///
    /// Blocks get a `tombstones` file (docs/format/tombstones.md), replaced
    /// atomically; the head gets a `tombstones` WAL record, fsynced. From
    /// then on queries skip the deleted samples; compaction drops them for
    /// good (a block with tombstones is rewritten, `clean_tombstones`). In
    /// rollup blocks a window is deleted if it intersects the range.
    /// Returns the number of (block or head) series marked.
    @discardableResult
    public func deleteSeries(matchers: [Matcher], mint: Int64 = .min, maxt: Int64 = .max) throws -> Int {
        guard !matchers.isEmpty else { throw DeleteError(message: "delete_series needs at least one matcher") }
        guard mint <= maxt else { return 0 }
        // Compaction reads tombstones once per task, and a block cut moves
        // head data into a block: neither may run in between. (Lock order:
        // compaction, then maintenance.)
        compactionLock.lock()
        defer { compactionLock.unlock() }
        maintenance.lock()
        defer { maintenance.unlock() }
        var marked = 0
        for b in blocks where b.maxTime > mint && b.minTime <= maxt {
            // A rollup chunk's times are window starts: its windows reach `res − 1` further.
            let reach = b.resolution == 0 ? 0 : b.resolution - 1
            var add = Tombstones()
            for id in Querier.blockPostings(b, matchers) {
                let s = b.series[Int(id)]
                guard s.chunks.contains(where: { $0.maxTime &+ reach >= mint && $0.minTime <= maxt }) else { continue }
                add.add(UInt64(id), DeletedRange(mint, maxt))
            }
            guard !add.isEmpty else { continue }
            try b.addTombstones(add)
            marked += add.count
        }
        let refs = Querier.headPostings(head, matchers).filter { ref in
            guard let snap = head.chunks(ref: ref, mint: mint, maxt: maxt) else { return false }
            return !snap.chunks.isEmpty
        }
        try head.delete(refs: refs, mint: mint, maxt: maxt)
        marked += refs.count
        if marked > 0 {
            logger.info("series deleted", metadata: ["matchers": "\(matchers)", "mint": "\(mint)", "maxt": "\(maxt)", "series": "\(marked)"])
        }
        return marked
    }
}
