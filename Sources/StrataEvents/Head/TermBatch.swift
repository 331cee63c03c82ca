/// The index terms of a batch of events, tokenised and hashed before the
/// ingest critical section, kept in flat buffers.
struct TermBatch {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    private var hashes: [UInt64] = []
    /// Per event, the end of its terms in `ends`/`hashes`.
    private var eventEnds: [Int] = []
    private var scratch: [UInt8] = []

    init(capacity events: Int = 0) {
        eventEnds.reserveCapacity(events)
        ends.reserveCapacity(events * 14)
        hashes.reserveCapacity(events * 14)
        bytes.reserveCapacity(events * 80)
    }

    mutating func add(_ d: EventDraft, text: Bool) {
        var s = scratch
        IndexTerms.forEachBytes(d, text: text, scratch: &s) { t in
            bytes.append(contentsOf: t)
            ends.append(bytes.count)
            hashes.append(TermHash.hash(t))
        }
        scratch = s
        eventEnds.append(ends.count)
    }

    /// Calls `body(hash, bytes)` for each term of event `k`.
    func forEachTerm(ofEvent k: Int, _ body: (UInt64, UnsafeRawBufferPointer) -> Void) {
        let lo = k == 0 ? 0 : eventEnds[k - 1], hi = eventEnds[k]
        bytes.withUnsafeBytes { raw in
            for i in lo..<hi {
                let a = i == 0 ? 0 : ends[i - 1]
                body(hashes[i], UnsafeRawBufferPointer(rebasing: raw[a..<ends[i]]))
            }
        }
    }
}
