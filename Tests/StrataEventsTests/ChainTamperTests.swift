import Foundation
import Testing
import StrataCodec
import StrataStorage
import StrataTestSupport
@testable import StrataEvents

/// The hash chain detects altered, removed and reordered events, in blocks
/// and in the WAL, even when the attacker fixes every CRC.
@Suite struct ChainTamperTests {
    static let t0: Int64 = 1_764_374_400_000

    /// A store with ~1000 events: the first 20 h in blocks, the rest in the WAL.
    func makeStore(_ fx: StoreFixture) throws -> [Event] {
        var gen = EventWorkload(seed: 31)
        let store = try fx.open()
        let all = try appendAll(store, gen.events(1000, start: Self.t0, span: 24 * 3_600_000))
        try store.cutIfNeeded(now: Self.t0 + 22 * 3_600_000)
        try store.close()
        return all
    }

    func blocks(_ fx: StoreFixture) throws -> [EventBlock] {
        try FileManager.default.contentsOfDirectory(atPath: fx.dir + "/blocks").filter { BlockID($0) != nil }.sorted()
            .map { try EventBlock(path: fx.dir + "/blocks/" + $0) }
    }

    /// Rewrites a block with `change` applied to its events but its original
    /// chain anchors, valid CRCs and all: the best an attacker can do without
    /// recomputing the rest of the chain.
    func rewrite(_ b: EventBlock, _ change: (inout [Event]) -> Void) throws {
        var events: [Event] = []
        try b.forEachEvent { _, e in events.append(e) }
        change(&events)
        var be = BlockEvents()
        for e in events { be.append(id: e.id, e.draft) }
        var o = EventBlockWriter.Options(partitionStart: b.meta.partitionStart, partitionEnd: b.meta.partitionEnd)
        o.level = b.meta.level
        let anchors = zip(b.anchorIDs, b.anchorHashes).map { (id: $0, hash: $1) }
        let (file, _) = try EventBlockWriter.encode(events: be, anchors: anchors, options: o, id: b.id)
        try FileIO.writeFileAtomically(b.path, file)
    }

    @Test func intactStoreVerifies() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        let all = try makeStore(fx)
        let r = try ChainVerifier.verify(directory: fx.dir)
        #expect(r.ok, "\(r.problems)")
        #expect(r.events == all.count && r.walEvents > 0 && r.blocks > 0)
        #expect(r.firstID == 1 && r.lastID == UInt64(all.count))
        let store = try fx.open()
        #expect(r.headHash == store.chainHead.hash)
        try store.close()
    }

    @Test func alteredDescriptionInABlockIsDetected() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        _ = try makeStore(fx)
        let b = try blocks(fx)[1]
        try rewrite(b) { events in events[events.count / 2].description = "nothing happened" }
        let r = try ChainVerifier.verify(directory: fx.dir)
        #expect(!r.ok)
        #expect(r.problems.contains { if case .anchorMismatch = $0 { return true }; if case .linkMismatch = $0 { return true }; return false })
    }

    @Test func everyFieldIsCovered() throws {
        let edits: [(inout Event) -> Void] = [
            { $0.timestamp += 1 }, { $0.type = .business }, { $0.severity = .critical }, { $0.user += "x" },
            { $0.source = "1.2.3.4" }, { $0.action = "noop" }, { $0.attributes.append(EventAttribute("zz", "1")) },
        ]
        for (i, edit) in edits.enumerated() {
            let fx = try StoreFixture()
            defer { fx.remove() }
            _ = try makeStore(fx)
            let b = try blocks(fx)[0]
            try rewrite(b) { events in edit(&events[3]) }
            let r = try ChainVerifier.verify(directory: fx.dir)
            #expect(!r.ok, "edit \(i) went unnoticed")
        }
    }

    @Test func removedEventAndRemovedBlockAreDetected() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        _ = try makeStore(fx)
        let bs = try blocks(fx)
        try rewrite(bs[2]) { events in events.remove(at: 10) }
        var r = try ChainVerifier.verify(directory: fx.dir)
        #expect(!r.ok)
        try FileManager.default.removeItem(atPath: bs[4].path)
        r = try ChainVerifier.verify(directory: fx.dir)
        #expect(r.problems.contains { if case .gap = $0 { return true }; return false })
    }

    @Test func swappedEventsAreDetected() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        _ = try makeStore(fx)
        let b = try blocks(fx)[0]
        try rewrite(b) { events in
            let a = events[5].id
            events[5].id = events[6].id
            events[6].id = a
        }
        #expect(!(try ChainVerifier.verify(directory: fx.dir)).ok)
    }

    @Test func alteredEventInTheWALIsDetectedDespiteAValidCRC() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        var gen = EventWorkload(seed: 32)
        let store = try fx.open()
        _ = try appendAll(store, gen.events(60, start: Self.t0, span: 3_600_000), batch: 20)
        try store.close()
        // Find "for" in a description of the first batch record and change a letter; fix the fragment CRC.
        let wal = fx.dir + "/wal"
        let seg = try FileManager.default.contentsOfDirectory(atPath: wal).filter { $0.count == 8 }.sorted().first!
        var bytes = try FileIO.readFile(wal + "/" + seg)
        let start = WALSegment.headerSize
        let len = Int(UInt32(bytes[start + 1]) | UInt32(bytes[start + 2]) << 8 | UInt32(bytes[start + 3]) << 16 | UInt32(bytes[start + 4]) << 24)
        let payload = (start + 9)..<(start + 9 + len)
        guard let hit = (payload.lowerBound..<(payload.upperBound - 2)).first(where: { bytes[$0] == UInt8(ascii: "f") && bytes[$0 + 1] == UInt8(ascii: "o") && bytes[$0 + 2] == UInt8(ascii: "r") }) else {
            Issue.record("no description with 'for' in the first record")
            return
        }
        bytes[hit] = UInt8(ascii: "F")
        let crc = bytes.withUnsafeBytes { raw in
            CRC32C.update(CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[start..<(start + 5)])),
                          UnsafeRawBufferPointer(rebasing: raw[payload]))
        }
        bytes.setUInt32LE(crc, at: start + 5)
        try FileIO.writeFileAtomically(wal + "/" + seg, bytes)
        let r = try ChainVerifier.verify(directory: fx.dir)
        #expect(r.problems.contains { if case .linkMismatch = $0 { return true }; return false }, "\(r.problems)")
    }

    @Test func flippedByteFailsTheChecksumAndTheBlockIsQuarantined() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        let all = try makeStore(fx)
        let b = try blocks(fx)[0]
        var bytes = try FileIO.readFile(b.path)
        bytes[40] ^= 0x20
        try FileIO.writeFileAtomically(b.path, bytes)
        let r = try ChainVerifier.verify(directory: fx.dir)
        #expect(r.problems.contains { if case .unreadableBlock = $0 { return true }; return false })
        let store = try fx.open()
        #expect(store.quarantined.count == 1)
        #expect(store.count == all.count - b.count)
        try store.close()
    }

    /// Compaction recomputes the chain and refuses to launder an altered block.
    @Test func compactionRefusesAlteredBlocks() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        var gen = EventWorkload(seed: 33)
        var store = try fx.open()
        _ = try appendAll(store, gen.events(800, start: Self.t0, span: 30 * 3_600_000))
        try store.cutIfNeeded(now: Self.t0 + 30 * 3_600_000)
        try store.close()
        try rewrite(try blocks(fx)[3]) { events in events[2].user = "nobody" }
        store = try fx.open()
        let before = store.blockMetas.count
        #expect(try store.compactIfNeeded(now: Self.t0 + 30 * 3_600_000).isEmpty)
        #expect(store.blockMetas.count == before)
        try store.close()
        #expect(!(try ChainVerifier.verify(directory: fx.dir)).ok)
    }

    @Test func probeGivesThePublishedHash() throws {
        let fx = try StoreFixture()
        defer { fx.remove() }
        _ = try makeStore(fx)
        let store = try fx.open()
        let d = try #require(try store.event(id: 333))
        try store.close()
        #expect(try ChainVerifier.verify(directory: fx.dir, probe: 333).probeHash == d.hash)
        #expect(try ChainVerifier.verify(directory: fx.dir, probe: 999).probeHash != nil)
    }
}
