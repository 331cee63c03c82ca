import Foundation
import Testing
import StrataStorage
import StrataTestSupport
@testable import StrataEvents

@Suite struct RetentionTests {
    static let t0: Int64 = 1_764_374_400_000
    static let day: Int64 = 86_400_000

    @Test func wholeOldBlocksGoAndTheChainStillVerifies() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        var o = StoreFixture.options()
        o.retention = 3 * Self.day
        let store = try fx.open(o)
        var gen = EventWorkload(seed: 41)
        let all = try appendAll(store, gen.events(2000, start: Self.t0, span: 6 * Self.day))
        let now = Self.t0 + 6 * Self.day
        try store.cutIfNeeded(now: now)
        try store.compactIfNeeded(now: now)
        let out = try store.applyRetention(now: now)
        #expect(!out.dropped.isEmpty)
        #expect(out.dropped.allSatisfy { $0.partitionEnd <= now - 3 * Self.day })
        let cutoff = out.dropped.map(\.partitionEnd).max()!
        // What is left: everything not in a dropped block, plus the retention record.
        var q = EventQuery(start: .min, end: .max)
        q.limit = 1000
        let left = try allPages(store, q).flatMap(\.events)
        let droppedCount = out.dropped.reduce(0) { $0 + $1.count }
        #expect(left.count == all.count - droppedCount + 1)
        #expect(left.filter { $0.action != "retention" }.allSatisfy { $0.timestamp >= Self.t0 })
        #expect(all.filter { $0.timestamp >= cutoff }.allSatisfy { e in left.contains { $0.id == e.id } })
        let record = try #require(left.first { $0.action == "retention" })
        #expect(record.type == .security && record.user == "strata")
        #expect(record.attributes.contains { $0.key == "dropped_ids" })
        try store.close()
        let r = try ChainVerifier.verify(directory: fx.dir)
        #expect(r.ok, "\(r.problems)")
        #expect(r.retentionRecords == 1)
        #expect(r.firstID! > 1)
    }

    @Test func deletingTheOldestBlockWithoutARecordIsReported() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        let store = try fx.open()
        var gen = EventWorkload(seed: 42)
        _ = try appendAll(store, gen.events(500, start: Self.t0, span: Self.day))
        try store.cutIfNeeded(now: Self.t0 + 2 * Self.day)
        let oldest = store.blockMetas.min { $0.minID < $1.minID }!
        try store.close()
        try FileManager.default.removeItem(atPath: fx.dir + "/blocks/" + oldest.id)
        let r = try ChainVerifier.verify(directory: fx.dir)
        #expect(r.problems.contains { if case .unexplainedStart = $0 { return true }; if case .gap = $0 { return true }; return false })
    }
}
