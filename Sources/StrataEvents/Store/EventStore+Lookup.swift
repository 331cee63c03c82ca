import StrataCodec
import StrataStorage

extension EventStore {
    /// One event in detail: the event, h(id − 1) and h(id) (chained stores).
    public struct EventDetail: Sendable {
        public var event: Event
        public var prevHash: ChainHash?
        public var hash: ChainHash?
    }

    /// The event with `id`, wherever it is stored.
    public func event(id: UInt64) throws -> EventDetail? {
        let (parts, blks) = sources()
        for p in parts {
            let found: EventDetail? = p.lock.withReadLock {
                guard let i = p.index(of: id), let e = p.event(i) else { return nil }
                let prev = p.prevHashes[i]
                let h = p.withBody(i) { EventChain.next(prev: prev, id: id, body: $0) }
                return EventDetail(event: e, prevHash: options.chained ? prev : nil, hash: options.chained ? h : nil)
            }
            if let found { return found }
        }
        for b in blks where b.count > 0 && b.meta.minID <= id && id <= b.meta.maxID {
            do {
                guard let pos = try b.position(ofID: id) else { continue }
                var page = BlockPage()
                let e = try b.event(at: pos, page: &page)
                guard options.chained, let prev = try prevHash(in: b, id: id) else {
                    return EventDetail(event: e, prevHash: nil, hash: nil)
                }
                var body: [UInt8] = []
                EventBody.encode(e.draft, into: &body)
                return EventDetail(event: e, prevHash: prev, hash: EventChain.next(prev: prev, id: id, body: body))
            } catch {
                throw EventStoreError.block(path: b.path, error)
            }
        }
        return nil
    }

    /// h(id − 1) for an event of block `b`: from the nearest anchor at or
    /// before it, hashing forward through its run (at most
    /// `EventChain.anchorInterval` events).
    func prevHash(in b: EventBlock, id: UInt64) throws(EventBlockError) -> ChainHash? {
        guard let (aid, ahash) = b.anchor(atOrBefore: id) else { return nil }
        if aid == id { return ahash }
        let events = try b.events(ids: aid...(id - 1))
        var h = ahash
        var body: [UInt8] = []
        for k in aid..<id {
            guard let e = events[k] else { return nil }
            body.removeAll(keepingCapacity: true)
            EventBody.encode(e.draft, into: &body)
            h = EventChain.next(prev: h, id: k, body: body)
        }
        return h
    }

    /// h(id) for a stored event (used to continue the chain when the WAL holds no state).
    func hashAfter(id: UInt64) throws -> ChainHash? {
        guard let d = try event(id: id) else { return nil }
        return d.hash
    }

    /// Calls `body` with every event whose timestamp lies in [start, end],
    /// source by source (not in time order). For summaries and exports of
    /// whole windows.
    public func forEachEvent(start: Int64, end: Int64, _ body: (Event) throws -> Void) throws {
        let (parts, blks) = sources()
        for p in parts where p.start <= end && p.end > start {
            let events: [Event] = p.lock.withReadLock {
                var out: [Event] = []
                for i in 0..<p.count where p.timestamps[i] >= start && p.timestamps[i] <= end {
                    if let e = p.event(i) { out.append(e) }
                }
                return out
            }
            for e in events { try body(e) }
        }
        for b in blks where b.count > 0 && b.meta.maxTime >= start && b.meta.minTime <= end {
            let range: Range<Int>
            do { range = try b.positions(start: start, end: end) } catch { throw EventStoreError.block(path: b.path, error) }
            try b.forEachEvent(in: range) { _, e in try body(e) }
        }
    }
}

extension EventBlock {
    /// The events with ids in `ids` that this block holds, scanning only the
    /// pages whose id range overlaps.
    func events(ids: ClosedRange<UInt64>) throws(EventBlockError) -> [UInt64: Event] {
        var out: [UInt64: Event] = [:]
        var page = BlockPage()
        for p in 0..<pageCount where pageMinID[p] <= ids.upperBound && pageMaxID[p] >= ids.lowerBound {
            try decodePage(p, into: &page, want: .text)
            for i in 0..<page.count {
                let id = UInt64(bitPattern: page.ids[i])
                if ids.contains(id) { out[id] = event(inPage: page, i) }
            }
        }
        return out
    }
}
