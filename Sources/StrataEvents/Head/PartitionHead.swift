import StrataCodec
import StrataStorage

/// The in-memory events of one time partition that are not yet in a block,
/// in the order they entered the log (id order), with an inverted index.
///
/// Appends happen inside the WAL's critical section under the write lock;
/// searches hold the read lock while they work on it. When the partition is
/// cut into a block the store drops the object (or replaces it by one
/// holding the late arrivals), so a search that still holds it sees a
/// consistent set of events.
final class PartitionHead: @unchecked Sendable {
    /// Partition bounds [start, end).
    let start: Int64
    let end: Int64
    let lock = RWLock()

    private(set) var ids: [UInt64] = []
    private(set) var timestamps: [Int64] = []
    private(set) var keys: [UInt8] = []
    /// Body i is bodies[bodyStarts[i] ..< bodyStarts[i + 1]].
    private(set) var bodyStarts: [Int] = [0]
    private(set) var bodies: [UInt8] = []
    /// h(id − 1) for each event (zero when the chain is off).
    private(set) var prevHashes: [ChainHash] = []
    private(set) var terms = TermTable()
    private(set) var minTime = Int64.max
    private(set) var maxTime = Int64.min

    init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    var count: Int { ids.count }

    /// Appends one event; its index terms are event `termIndex` of `batch`.
    /// Caller holds the write lock.
    func append(id: UInt64, timestamp: Int64, key: UInt8, body: UnsafeRawBufferPointer,
                prevHash: ChainHash, batch: TermBatch, termIndex: Int) {
        let local = UInt32(ids.count)
        ids.append(id)
        timestamps.append(timestamp)
        keys.append(key)
        bodies.append(contentsOf: body)
        bodyStarts.append(bodies.count)
        prevHashes.append(prevHash)
        if timestamp < minTime { minTime = timestamp }
        if timestamp > maxTime { maxTime = timestamp }
        batch.forEachTerm(ofEvent: termIndex) { h, t in terms.add(hash: h, term: t, local: local) }
    }

    /// The body of local event `i` (caller holds a lock).
    func withBody<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        bodies.withUnsafeBytes { raw in body(UnsafeRawBufferPointer(rebasing: raw[bodyStarts[i]..<bodyStarts[i + 1]])) }
    }

    func draft(_ i: Int) -> EventDraft? {
        withBody(i) { raw -> EventDraft? in
            var r = ByteReader(raw)
            return try? EventBody.decode(&r)
        }
    }

    func event(_ i: Int) -> Event? {
        draft(i).map { Event(id: ids[i], $0) }
    }

    /// Local index of `id`, if present (ids increase within a partition).
    func index(of id: UInt64) -> Int? {
        var lo = 0, hi = ids.count
        while lo < hi {
            let m = (lo + hi) / 2
            if ids[m] < id { lo = m + 1 } else { hi = m }
        }
        return lo < ids.count && ids[lo] == id ? lo : nil
    }

    func postings(term: String) -> [UInt32]? {
        terms.postings(term: term)
    }

    /// Postings of every term starting with `prefix`, unioned.
    func postings(prefix: String) -> [UInt32] {
        var lists: [[UInt32]] = []
        for e in terms.entries(prefix: prefix) { lists.append(terms.postings[e]) }
        if lists.isEmpty { return [] }
        if lists.count == 1 { return lists[0] }
        var out: [UInt32] = []
        Postings.union(lists, into: &out)
        return out
    }
}

