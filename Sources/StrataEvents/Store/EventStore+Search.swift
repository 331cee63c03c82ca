import StrataCodec
import StrataStorage

extension EventStore {
    /// One page of events matching `q`, newest first, with the total and
    /// facet counts over the whole window (docs/events.md, "Search").
    ///
    /// Each source (head partition or block) resolves the filters through
    /// its postings, counts every match by its key byte, and offers its
    /// newest `limit + 1` matches below the cursor; only the final page is
    /// decoded. Blocks are visited newest first, so once a page is full an
    /// older block only counts.
    public func search(_ q: EventQuery) throws -> EventPage {
        var state = SearchState(query: q)
        let (parts, blks) = sources()
        let heads = parts.filter { $0.start <= q.end && $0.end > q.start }.sorted { $0.start > $1.start }
        for p in heads { searchHead(p, &state) }
        let relevant = blks.filter { $0.count > 0 && $0.meta.maxTime >= q.start && $0.meta.minTime <= q.end }
            .sorted { $0.meta.maxTime > $1.meta.maxTime }
        for b in relevant {
            do { try searchBlock(b, &state) } catch { throw EventStoreError.block(path: b.path, error) }
        }
        return try state.finish(heads: heads, blocks: relevant)
    }

    // MARK: head

    private func searchHead(_ p: PartitionHead, _ s: inout SearchState) {
        p.lock.withReadLock {
            let q = s.query
            var lists: [[UInt32]] = []
            if let u = q.user {
                guard let l = p.postings(term: IndexTerms.userTerm(u)) else { return }
                lists.append(l)
            }
            for t in q.text.terms {
                guard let l = p.postings(term: t) else { return }
                lists.append(l)
            }
            for pre in q.text.prefixes {
                let l = p.postings(prefix: pre)
                if l.isEmpty { return }
                lists.append(l)
            }
            for ph in q.text.phrases {
                for (j, tok) in ph.tokens.enumerated() {
                    let l = (j == ph.tokens.count - 1 && ph.lastIsPrefix) ? p.postings(prefix: tok) : (p.postings(term: tok) ?? [])
                    if l.isEmpty { return }
                    lists.append(l)
                }
            }
            var m: [UInt32] = []
            let constrained = !lists.isEmpty
            if constrained { Postings.intersect(lists, into: &m) }
            let n = constrained ? m.count : p.count
            let typeMask = s.typeMask, sevMask = s.sevMask
            let hasPhrases = !q.text.phrases.isEmpty
            var scratch: [UInt8] = []
            var top = TopK(capacity: s.capacity)
            for j in 0..<n {
                let i = constrained ? Int(m[j]) : j
                let t = p.timestamps[i]
                guard t >= q.start && t <= q.end else { continue }
                if hasPhrases {
                    guard let d = p.draft(i), PhraseMatcher.matches(d, q.text.phrases, scratch: &scratch) else { continue }
                }
                let k = p.keys[i]
                let tOK = (typeMask >> UInt64(k >> 2)) & 1 != 0
                let sOK = (sevMask >> (k & 3)) & 1 != 0
                if sOK { s.typeFacets[Int(k >> 2)] += 1 }
                if tOK { s.severityFacets[Int(k & 3)] += 1 }
                guard tOK && sOK else { continue }
                s.total += 1
                let pos = EventCursor.Position(timestamp: t, id: p.ids[i])
                if let after = q.after, !(pos < after) { continue }
                top.offer(pos, local: i)
            }
            s.offer(top, source: .head(p))
        }
    }

    // MARK: blocks

    private func searchBlock(_ b: EventBlock, _ s: inout SearchState) throws(EventBlockError) {
        let q = s.query
        let range = try b.positions(start: q.start, end: q.end)
        guard !range.isEmpty else { return }
        var m: [UInt32] = []
        let constrained = try blockMatches(b, q, range, &m)
        let typeMask = s.typeMask, sevMask = s.sevMask
        var tf = [Int](repeating: 0, count: 64)
        var sf = [Int](repeating: 0, count: 4)
        var total = 0
        b.keys.withUnsafeBufferPointer { keys in
            @inline(__always) func count(_ k: UInt8) {
                let tOK = (typeMask >> UInt64(k >> 2)) & 1 != 0
                let sOK = (sevMask >> (k & 3)) & 1 != 0
                if sOK { tf[Int(k >> 2)] += 1 }
                if tOK { sf[Int(k & 3)] += 1 }
                if tOK && sOK { total += 1 }
            }
            if constrained {
                for p in m { count(keys[Int(p)]) }
            } else {
                for p in range { count(keys[p]) }
            }
        }
        for i in 0..<64 where tf[i] > 0 { s.typeFacets[i] += tf[i] }
        for i in 0..<4 { s.severityFacets[i] += sf[i] }
        s.total += total
        guard total > 0 else { return }

        // Candidates: only if this block can still reach the page.
        if let worst = s.worst, b.meta.maxTime < worst.timestamp { return }
        let below = try q.after.map { (c: EventCursor.Position) throws(EventBlockError) -> Int in try b.positions(below: c) } ?? b.count
        var picked: [Int] = []
        picked.reserveCapacity(s.capacity)
        b.keys.withUnsafeBufferPointer { keys in
            @inline(__always) func ok(_ p: Int) -> Bool {
                let k = keys[p]
                return (typeMask >> UInt64(k >> 2)) & 1 != 0 && (sevMask >> (k & 3)) & 1 != 0
            }
            if constrained {
                var j = m.count - 1
                while j >= 0 && picked.count < s.capacity {
                    let p = Int(m[j])
                    if p < below && ok(p) { picked.append(p) }
                    j -= 1
                }
            } else {
                var p = min(range.upperBound, below) - 1
                while p >= range.lowerBound && picked.count < s.capacity {
                    if ok(p) { picked.append(p) }
                    p -= 1
                }
            }
        }
        guard !picked.isEmpty else { return }
        // Positions → (timestamp, id): decode the page columns (no text).
        var top = TopK(capacity: s.capacity)
        var page = BlockPage()
        for p in picked {
            let pg = b.page(of: p)
            try b.decodePage(pg, into: &page, want: .timeAndIDs)
            let i = p - b.pageFirstPos[pg]
            top.offer(EventCursor.Position(timestamp: page.timestamps[i], id: UInt64(bitPattern: page.ids[i])), local: p)
        }
        s.offer(top, source: .block(b))
    }

    /// Positions in `range` matching the user and text filters, into `m`.
    /// Returns false when there are no such filters (every position matches).
    private func blockMatches(_ b: EventBlock, _ q: EventQuery, _ range: Range<Int>, _ m: inout [UInt32]) throws(EventBlockError) -> Bool {
        var lists: [[UInt32]] = []
        var tmp: [UInt32] = []
        let lo = UInt32(range.lowerBound), hi = UInt32(range.upperBound)
        func add() -> Bool {
            // Restrict to the window before intersecting.
            let a = lowerBound(tmp, lo)
            let z = lowerBound(tmp, hi)
            if a >= z { return false }
            lists.append(Array(tmp[a..<z]))
            return true
        }
        if let u = q.user {
            guard try b.postings(term: IndexTerms.userTerm(u), into: &tmp), add() else { m = []; return true }
        }
        for t in q.text.terms {
            guard try b.postings(term: t, into: &tmp), add() else { m = []; return true }
        }
        for pre in q.text.prefixes {
            try b.postings(prefix: pre, into: &tmp)
            guard add() else { m = []; return true }
        }
        // Phrases: every token, plus the bigrams of frequent pairs; a phrase
        // all of whose pairs are indexed bigrams and that has two tokens is
        // exact, the others are checked against the candidates' text.
        var verify: [TextQuery.Phrase] = []
        let threshold = b.meta.bigramThreshold
        for ph in q.text.phrases {
            var counts: [Int] = []
            for (j, tok) in ph.tokens.enumerated() {
                if j == ph.tokens.count - 1 && ph.lastIsPrefix {
                    try b.postings(prefix: tok, into: &tmp)
                } else if try !b.postings(term: tok, into: &tmp) {
                    tmp.removeAll()
                }
                counts.append(tmp.count)
                guard add() else { m = []; return true }
            }
            var exact = threshold > 0 && ph.tokens.count == 2 && !ph.lastIsPrefix
            for j in 0..<(ph.tokens.count - 1) {
                let prefixPair = ph.lastIsPrefix && j == ph.tokens.count - 2
                guard threshold > 0, !prefixPair, counts[j] >= threshold, counts[j + 1] >= threshold else {
                    exact = false
                    continue
                }
                // Both tokens are frequent: the bigram's absence proves the phrase absent.
                guard try b.postings(term: IndexTerms.bigramTerm(ph.tokens[j], ph.tokens[j + 1]), into: &tmp), add() else {
                    m = []
                    return true
                }
            }
            if !exact { verify.append(ph) }
        }
        if lists.isEmpty { return false }
        Postings.intersect(lists, into: &m)
        if !verify.isEmpty && !m.isEmpty {
            var page = BlockPage()
            var scratch: [UInt8] = []
            var kept: [UInt32] = []
            for p in m {
                let e = try b.event(at: Int(p), page: &page)
                if PhraseMatcher.matches(e.draft, verify, scratch: &scratch) { kept.append(p) }
            }
            m = kept
        }
        return true
    }
}

/// Where a candidate came from.
enum SearchSource {
    case head(PartitionHead)
    case block(EventBlock)
}

/// The best `capacity` positions seen, kept sorted descending.
struct TopK {
    let capacity: Int
    var items: [(pos: EventCursor.Position, local: Int)] = []

    init(capacity: Int) { self.capacity = capacity }

    var isFull: Bool { items.count >= capacity }

    mutating func offer(_ pos: EventCursor.Position, local: Int) {
        if isFull, let last = items.last, !(last.pos < pos) { return }
        var lo = 0, hi = items.count
        while lo < hi {
            let m = (lo + hi) / 2
            if pos < items[m].pos { lo = m + 1 } else { hi = m }
        }
        items.insert((pos, local), at: lo)
        if items.count > capacity { items.removeLast() }
    }
}

/// Totals, facets and the running best candidates of one search.
struct SearchState {
    let query: EventQuery
    let typeMask: UInt64
    let sevMask: UInt8
    /// One more than the page, to know whether a next page exists.
    let capacity: Int
    var total = 0
    var typeFacets = [Int](repeating: 0, count: 64)
    var severityFacets = [Int](repeating: 0, count: 4)
    var best: [(pos: EventCursor.Position, source: Int, local: Int)] = []
    var sourcesSeen: [SearchSource] = []

    init(query: EventQuery) {
        self.query = query
        typeMask = query.typeMask
        sevMask = query.severityMask
        capacity = max(1, query.limit) + 1
    }

    /// The lowest candidate once the page (plus one) is full.
    var worst: EventCursor.Position? { best.count >= capacity ? best.last?.pos : nil }

    mutating func offer(_ top: TopK, source: SearchSource) {
        guard !top.items.isEmpty else { return }
        let si = sourcesSeen.count
        sourcesSeen.append(source)
        var merged: [(pos: EventCursor.Position, source: Int, local: Int)] = []
        merged.reserveCapacity(min(capacity, best.count + top.items.count))
        var i = 0, j = 0
        while merged.count < capacity && (i < best.count || j < top.items.count) {
            if j >= top.items.count || (i < best.count && top.items[j].pos < best[i].pos) {
                merged.append(best[i])
                i += 1
            } else {
                merged.append((top.items[j].pos, si, top.items[j].local))
                j += 1
            }
        }
        best = merged
    }

    func finish(heads: [PartitionHead], blocks: [EventBlock]) throws -> EventPage {
        let limit = max(1, query.limit)
        let shown = Array(best.prefix(limit))
        var events = [Event?](repeating: nil, count: shown.count)
        // Decode block events grouped by source, in position order, so pages are decoded once.
        let order = shown.indices.sorted { (shown[$0].source, shown[$0].local) < (shown[$1].source, shown[$1].local) }
        var page = BlockPage()
        var lastSource = -1
        for k in order {
            let c = shown[k]
            switch sourcesSeen[c.source] {
            case .head(let p):
                events[k] = p.lock.withReadLock { p.event(c.local) }
            case .block(let b):
                if c.source != lastSource { page = BlockPage() }
                do { events[k] = try b.event(at: c.local, page: &page) } catch { throw EventStoreError.block(path: b.path, error) }
            }
            lastSource = c.source
        }
        var tf: [EventType: Int] = [:]
        for i in 0..<64 where typeFacets[i] > 0 { tf[EventType(unchecked: UInt8(i))] = typeFacets[i] }
        var sf: [Severity: Int] = [:]
        for s in Severity.allCases { sf[s] = severityFacets[Int(s.rawValue)] }
        return EventPage(
            events: events.compactMap { $0 },
            nextCursor: best.count > limit ? shown.last?.pos : nil,
            total: total, typeFacets: tf, severityFacets: sf)
    }
}

/// First index of `list` (sorted) whose value is ≥ x.
@inline(__always) func lowerBound(_ list: [UInt32], _ x: UInt32) -> Int {
    var lo = 0, hi = list.count
    while lo < hi {
        let m = (lo + hi) / 2
        if list[m] < x { lo = m + 1 } else { hi = m }
    }
    return lo
}
