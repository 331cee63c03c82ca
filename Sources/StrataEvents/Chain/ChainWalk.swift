/// Recomputes the hash chain through events sorted by id, starting each
/// run of consecutive ids from its stored anchor and checking every other
/// stored anchor on the way. Used by compaction (which must not launder an
/// altered event), retention (which records where dropped runs ended) and
/// verification.
struct ChainWalk {
    struct Run: Equatable {
        var first: UInt64
        var last: UInt64
        /// h(first − 1), the anchor the run started from.
        var prevHash: ChainHash
        /// h(last).
        var endHash: ChainHash
    }

    struct Mismatch: Equatable {
        var id: UInt64
        var expected: ChainHash
        var stored: ChainHash
    }

    var runs: [Run] = []
    /// Anchors for a block holding exactly these events.
    var anchors: [(id: UInt64, hash: ChainHash)] = []
    var mismatches: [Mismatch] = []
    /// Run starts without a stored anchor (the chain cannot be checked there).
    var unanchored: [UInt64] = []
    /// h(probe), if the walk passed the probed id.
    var probeHash: ChainHash?

    /// `ids` strictly increasing; `body(k)` gives event k's canonical body.
    static func walk(ids: [UInt64], anchors stored: [UInt64: ChainHash], probe: UInt64? = nil,
                     body: (Int, (UnsafeRawBufferPointer) -> Void) -> Void) -> ChainWalk {
        var w = ChainWalk()
        var h = EventChain.genesis
        var runStartK = 0
        for k in 0..<ids.count {
            let id = ids[k]
            if k == 0 || ids[k - 1] + 1 != id {
                if k > 0 { w.runs[w.runs.count - 1].endHash = h }
                runStartK = k
                if let a = stored[id] {
                    h = a
                } else {
                    w.unanchored.append(id)
                    h = id == 1 ? EventChain.genesis : ChainHash.zero
                }
                w.runs.append(Run(first: id, last: id, prevHash: h, endHash: h))
            } else if let a = stored[id], a != h {
                w.mismatches.append(Mismatch(id: id, expected: h, stored: a))
            }
            w.runs[w.runs.count - 1].last = id
            if (k - runStartK) % EventChain.anchorInterval == 0 { w.anchors.append((id, h)) }
            var next = h
            body(k) { next = EventChain.next(prev: h, id: id, body: $0) }
            h = next
            if id == probe { w.probeHash = h }
        }
        if !w.runs.isEmpty { w.runs[w.runs.count - 1].endHash = h }
        return w
    }
}
