import Testing
import StrataStorage
import StrataTestSupport
@testable import StrataEvents

/// Search answers equal a brute-force scan, for every combination of
/// filters, across head partitions, 2 h blocks and compacted day blocks.
@Suite struct SearchCorrectnessTests {
    static let t0: Int64 = 1_764_374_400_000  // 2025-11-29T00:00Z

    @Test func everyFilterCombinationMatchesBruteForce() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        let store = try fx.open()
        var gen = EventWorkload(seed: 10)
        // Three days: day 1 and most of day 2 become blocks (day 1 compacted), the rest stays in the head.
        let all = try appendAll(store, gen.events(2000, start: Self.t0, span: 3 * 86_400_000))
        let indexed = all.map(Oracle.Indexed.init)
        let cut = try store.cutIfNeeded(now: Self.t0 + 2 * 86_400_000 + 6 * 3_600_000)
        #expect(!cut.isEmpty)
        let compacted = try store.compactIfNeeded(now: Self.t0 + 2 * 86_400_000 + 6 * 3_600_000)
        #expect(compacted.count >= 1)
        #expect(store.headCount > 0 && store.blockMetas.count > 1)
        #expect(store.count == all.count)

        var rng = WorkloadRandom(seed: 99)
        let windows: [(Int64, Int64)] = [
            (Self.t0 - 1, Self.t0 + 4 * 86_400_000),
            (Self.t0 + 20 * 3_600_000, Self.t0 + 50 * 3_600_000 + 17),
            (Self.t0 + 60 * 3_600_000, Self.t0 + 61 * 3_600_000),
        ]
        let texts = ["login", "failed login", "\"failed login\"", "perm*", "\"permission denied for\"", "csv report",
                     "10.0.0.7", "token", "größe", "東京", "nosuchword", "deleted series http*", "\"logged in from 10.0.1\"*"]
        var queries = 0
        for mask in 0..<16 {
            for (ws, we) in windows {
                for _ in 0..<2 {
                    var q = EventQuery(start: ws, end: we)
                    if mask & 1 != 0 {
                        q.types = [EventType.audit[Int(rng.int(0...3))]]
                        if rng.chance(0.3) { q.types.insert(EventType.audit[Int(rng.int(0...3))]) }
                    }
                    if mask & 2 != 0 { q.severities = [Severity.allCases[Int(rng.int(0...3))]] }
                    if mask & 4 != 0 { q.user = rng.chance(0.9) ? gen.users[Int(rng.int(0...5))] : "" }
                    if mask & 8 != 0 { q.text = TextQuery.parse(texts[Int(rng.int(0...Int64(texts.count - 1)))]) }
                    q.limit = Int(rng.int(1...80))
                    try check(store, indexed, q)
                    queries += 1
                }
            }
        }
        #expect(queries == 16 * 3 * 2)
        try store.close()
    }

    func check(_ store: EventStore, _ all: [Oracle.Indexed], _ q: EventQuery) throws {
        let want = Oracle.answer(all, q)
        let pages = try allPages(store, q)
        let got = pages.flatMap(\.events)
        #expect(got.map(\.id) == want.events.map(\.id), "query \(q)")
        #expect(got == want.events)
        for p in pages {
            #expect(p.total == want.total, "total for \(q)")
            #expect(p.typeFacets == want.typeFacets, "type facets for \(q)")
            #expect(p.severityFacets == want.severityFacets, "severity facets for \(q)")
            #expect(p.events.count <= q.limit)
        }
        #expect(pages.dropLast().allSatisfy { $0.events.count == q.limit })
    }

    @Test func eventByIDFromHeadAndBlocksWithHashes() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        let store = try fx.open()
        var gen = EventWorkload(seed: 3)
        let all = try appendAll(store, gen.events(900, start: Self.t0, span: 86_400_000))
        try store.cutIfNeeded(now: Self.t0 + 20 * 3_600_000)
        // Recompute the chain by hand in id order.
        var h = EventChain.genesis
        var expected: [UInt64: (ChainHash, ChainHash)] = [:]
        for e in all {
            var body: [UInt8] = []
            EventBody.encode(e.draft, into: &body)
            let next = EventChain.next(prev: h, id: e.id, body: body)
            expected[e.id] = (h, next)
            h = next
        }
        #expect(store.chainHead.hash == h)
        for id: UInt64 in [1, 2, 255, 256, 257, 300, 511, 512, 899, 900] {
            let d = try #require(try store.event(id: id))
            #expect(d.event == all[Int(id - 1)])
            #expect(d.prevHash == expected[id]!.0, "prev hash of \(id)")
            #expect(d.hash == expected[id]!.1, "hash of \(id)")
        }
        #expect(try store.event(id: 901) == nil)
        try store.close()
    }
}
