import Foundation
import Testing
import StrataStorage
import StrataTestSupport
@testable import StrataEvents

@Suite struct PersistenceTests {
    static let t0: Int64 = 1_764_374_400_000

    func everything(_ store: EventStore) throws -> [Event] {
        var q = EventQuery(start: .min, end: .max)
        q.limit = 1000
        return try allPages(store, q).flatMap(\.events).sorted { $0.id < $1.id }
    }

    @Test func reopenRestoresHeadBlocksAndChain() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        var gen = EventWorkload(seed: 5)
        var store = try fx.open()
        let all = try appendAll(store, gen.events(1200, start: Self.t0, span: 30 * 3_600_000))
        try store.cutIfNeeded(now: Self.t0 + 20 * 3_600_000)
        let head = store.chainHead
        try store.close()
        store = try fx.open()
        #expect(try everything(store) == all)
        #expect(store.chainHead == head)
        #expect(store.replayStats.events == store.headCount)
        // The chain continues where it was.
        let more = try appendAll(store, gen.events(10, start: Self.t0 + 31 * 3_600_000, span: 1000))
        #expect(more.first?.id == UInt64(all.count + 1))
        try store.close()
        let report = try ChainVerifier.verify(directory: fx.dir)
        #expect(report.ok, "\(report.problems)")
        #expect(report.events == all.count + 10)
    }

    @Test func crashKeepsEverythingWrittenIncludingCheckpoints() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        var gen = EventWorkload(seed: 6)
        let store = try fx.open()
        var all = try appendAll(store, gen.events(800, start: Self.t0, span: 10 * 3_600_000))
        try store.cutIfNeeded(now: Self.t0 + 9 * 3_600_000)   // blocks + checkpoint
        all += try appendAll(store, gen.events(300, start: Self.t0 + 10 * 3_600_000, span: 3_600_000))
        let copy = fx.tmp.sub("crashed")
        try crashCopy(fx.dir, to: copy)
        let reopened = try EventStore.open(directory: copy, options: StoreFixture.options(), logger: quietLogger)
        #expect(try everything(reopened) == all)
        #expect(reopened.chainHead == store.chainHead)
        try reopened.close()
        try store.close()
    }

    /// A crash after a block was written but before the WAL checkpoint: the
    /// events are in the block and still in the log; they come back once.
    @Test func crashBetweenBlockWriteAndCheckpointDeduplicates() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        var gen = EventWorkload(seed: 7)
        let store = try fx.open()
        let all = try appendAll(store, gen.events(600, start: Self.t0, span: 8 * 3_600_000))
        let before = fx.tmp.sub("before-cut")
        try crashCopy(fx.dir, to: before)
        let cut = try store.cutIfNeeded(now: Self.t0 + 8 * 3_600_000)
        #expect(!cut.isEmpty)
        for m in cut {
            try FileManager.default.copyItem(atPath: fx.dir + "/blocks/" + m.id, toPath: before + "/blocks/" + m.id)
        }
        let reopened = try EventStore.open(directory: before, options: StoreFixture.options(), logger: quietLogger)
        #expect(reopened.replayStats.alreadyPersisted == cut.reduce(0) { $0 + $1.count })
        #expect(try everything(reopened) == all)
        #expect(reopened.count == all.count)
        try reopened.close()
        let report = try ChainVerifier.verify(directory: before)
        #expect(report.ok, "\(report.problems)")
        try store.close()
    }

    @Test func tornWALTailIsRepaired() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        var gen = EventWorkload(seed: 8)
        let store = try fx.open()
        let all = try appendAll(store, gen.events(50, start: Self.t0, span: 3_600_000), batch: 10)
        let copy = fx.tmp.sub("torn")
        try crashCopy(fx.dir, to: copy)
        try store.close()
        // Cut the last record in half, as a crash mid-write would.
        let wal = copy + "/wal"
        let seg = try FileManager.default.contentsOfDirectory(atPath: wal).filter { $0.count == 8 }.sorted().last!
        let path = wal + "/" + seg
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let fh = FileHandle(forWritingAtPath: path)!
        try fh.truncate(atOffset: UInt64(size - 30))
        try fh.close()
        let verify = try ChainVerifier.verify(directory: copy)
        #expect(verify.ok, "a torn tail is a crash, not tampering: \(verify.problems)")
        #expect(!verify.notes.isEmpty)
        let reopened = try EventStore.open(directory: copy, options: StoreFixture.options(), logger: quietLogger)
        #expect(try everything(reopened) == Array(all.prefix(40)))
        #expect(reopened.chainHead.nextID == 41)
        try reopened.close()
    }

    @Test func compactionMergesADayAndKeepsResults() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        var gen = EventWorkload(seed: 9)
        let store = try fx.open()
        let all = try appendAll(store, gen.events(1500, start: Self.t0, span: 2 * 86_400_000))
        try store.cutIfNeeded(now: Self.t0 + 2 * 86_400_000)
        let beforeBlocks = store.blockMetas
        let merged = try store.compactIfNeeded(now: Self.t0 + 2 * 86_400_000)
        #expect(merged.count == 1)
        #expect(merged[0].level == 2)
        #expect(merged[0].partitionStart == Self.t0 && merged[0].partitionEnd == Self.t0 + 86_400_000)
        #expect(store.blockMetas.count < beforeBlocks.count)
        #expect(try everything(store) == all)
        try store.close()
        let report = try ChainVerifier.verify(directory: fx.dir)
        #expect(report.ok, "\(report.problems)")
        // Reopen: the sources are gone for good.
        let again = try fx.open()
        #expect(again.blockMetas.count == store.blockMetas.count)
        try again.close()
    }

    /// Canonically equivalent but differently encoded strings stay distinct, byte for byte.
    @Test func unicodeSpellingsSurviveBlocksByteForByte() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        let store = try fx.open()
        let nfc = "Jos\u{E9}", nfd = "Jose\u{301}"
        #expect(nfc == nfd && !nfc.utf8.elementsEqual(nfd.utf8))
        let drafts = [nfc, nfd, nfc].enumerated().map { i, u in
            EventDraft(timestamp: Self.t0 + Int64(i), type: .authentication, user: u, source: u, action: u,
                       description: "caf\u{E9} " + u, attributes: [EventAttribute("k", u)])
        }
        let all = try appendAll(store, drafts)
        try store.flush()
        #expect(store.headCount == 0)
        let got = try everything(store)
        #expect(got.map { Array($0.user.utf8) } == all.map { Array($0.user.utf8) })
        #expect(got.map { Array($0.description.utf8) } == all.map { Array($0.description.utf8) })
        var q = EventQuery(start: .min, end: .max)
        q.user = nfd
        #expect(try store.search(q).events.map(\.id) == [2])
        try store.close()
        #expect(try ChainVerifier.verify(directory: fx.dir).ok)
    }
}
