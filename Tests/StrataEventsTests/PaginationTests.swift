import Testing
import StrataTestSupport
@testable import StrataEvents

/// Cursor pagination stays stable while events are appended: every event
/// that matched when the first page was taken appears exactly once, in
/// order, whatever arrives meanwhile (newer events, backdated ones, block
/// cuts).
@Suite struct PaginationTests {
    static let t0: Int64 = 1_764_374_400_000

    @Test func pagesStayStableWhileAppending() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        let store = try fx.open()
        var gen = EventWorkload(seed: 21)
        var all = try appendAll(store, gen.events(1500, start: Self.t0, span: 20 * 3_600_000))
        for variant in 0..<4 {
            var q = EventQuery(start: Self.t0, end: Self.t0 + 30 * 3_600_000)
            q.limit = 37
            switch variant {
            case 1: q.types = [.authentication]
            case 2: q.text = TextQuery.parse("login")
            case 3: q.severities = [.info]; q.user = gen.users[0]
            default: break
            }
            let before = Oracle.answer(all.map(Oracle.Indexed.init), q).events
            var seen: [Event] = []
            var query = q
            var round = 0
            while true {
                let page = try store.search(query)
                seen += page.events
                // Between pages: newer events, backdated events, sometimes a block cut.
                var more: [EventDraft] = []
                for _ in 0..<25 { more.append(gen.event(at: Self.t0 + 25 * 3_600_000 + gen.rng.int(0...3_600_000))) }
                for _ in 0..<25 { more.append(gen.event(at: Self.t0 + gen.rng.int(0...(20 * 3_600_000)))) }
                all += try appendAll(store, more)
                if round % 3 == 2 { try store.cutIfNeeded(now: Self.t0 + Int64(round) * 3_600_000) }
                round += 1
                guard let c = page.nextCursor else { break }
                query.after = c
            }
            let ids = seen.map(\.id)
            #expect(Set(ids).count == ids.count, "variant \(variant): an event was shown twice")
            let seenSet = Set(ids)
            #expect(before.allSatisfy { seenSet.contains($0.id) }, "variant \(variant): an event that matched at the start was skipped")
            let positions = seen.map { EventCursor.Position(timestamp: $0.timestamp, id: $0.id) }
            #expect(zip(positions, positions.dropFirst()).allSatisfy { $1 < $0 }, "variant \(variant): not newest first")
            // Nothing newer than the first page's first event appears later.
            if let top = positions.first { #expect(positions.allSatisfy { $0 <= top }) }
        }
        try store.close()
    }
}
