import StrataEvents
import StrataStorage
import StrataTestSupport

/// A store in a fresh temporary directory.
struct StoreFixture {
    let tmp: TempDirectory
    var dir: String { tmp.sub("events") }

    init() throws { tmp = try TempDirectory("strata-events") }

    static func options(chained: Bool = true, text: Bool = true) -> EventStoreOptions {
        var o = EventStoreOptions()
        o.chained = chained
        o.textIndexed = text
        o.wal.fsync = .interval(milliseconds: 60_000)
        return o
    }

    func open(_ o: EventStoreOptions = StoreFixture.options()) throws -> EventStore {
        try EventStore.open(directory: dir, options: o, logger: quietLogger)
    }

    func remove() { tmp.remove() }
}

/// Everything appended, with ids, for the oracle.
func appendAll(_ store: EventStore, _ drafts: [EventDraft], batch: Int = 100) throws -> [Event] {
    var out: [Event] = []
    var i = 0
    while i < drafts.count {
        let chunk = Array(drafts[i..<min(drafts.count, i + batch)])
        let r = try store.appendWithoutWaiting(chunk)
        for (k, d) in chunk.enumerated() { out.append(Event(id: r.firstID + UInt64(k), d)) }
        i += batch
    }
    return out
}

/// Follows cursors to the end; returns every page.
func allPages(_ store: EventStore, _ q: EventQuery, maxPages: Int = 10_000) throws -> [EventPage] {
    var pages: [EventPage] = []
    var query = q
    while pages.count < maxPages {
        let p = try store.search(query)
        pages.append(p)
        guard let next = p.nextCursor else { break }
        query.after = next
    }
    return pages
}
