import Testing
import PropertyBased
import StrataCodec
import StrataTestSupport
@testable import StrataStorage

@Suite struct TombstoneTests {
    @Test func rangesMergeAndFilter() {
        var t = Tombstones()
        t.add(1, DeletedRange(10, 20))
        t.add(1, DeletedRange(30, 40))
        t.add(1, DeletedRange(21, 25))   // touches [10, 20]: merged
        t.add(1, DeletedRange(50, 40))   // empty: ignored
        t.add(2, DeletedRange(.min, .max))
        #expect(t[1] == [DeletedRange(10, 25), DeletedRange(30, 40)])
        t.add(1, DeletedRange(0, 35))
        #expect(t[1] == [DeletedRange(0, 40)])
        #expect(t.isDeleted(2, .min) && t.isDeleted(2, 0) && t.isDeleted(2, .max))
        #expect(!t.isDeleted(1, 41) && t.isDeleted(1, 40) && !t.isDeleted(3, 0))
        var ts: [Int64] = [-5, 0, 5, 40, 41, 100], vs: [Double] = [1, 2, 3, 4, 5, 6]
        Tombstones.filter(t[1]!, ts: &ts, vs: &vs)
        #expect(ts == [-5, 41, 100] && vs == [1, 5, 6])
        t.truncate(before: 41)
        #expect(t[1] == nil && t[2] != nil)
    }

    @Test func addingIsOrderIndependent() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            var rng = WorkloadRandom(seed: seed)
            let ranges = (0..<20).map { _ in
                let a = rng.int(0...200)
                return DeletedRange(a, a + rng.int(0...20))
            }
            var x = Tombstones(), y = Tombstones()
            for r in ranges { x.add(7, r) }
            for r in ranges.reversed() { y.add(7, r) }
            #expect(x == y)
            for t in Int64(-1)...230 {
                #expect(x.isDeleted(7, t) == ranges.contains { $0.contains(t) })
            }
        }
    }

    @Test func fileRoundTripsAndRejectsDamage() throws {
        var t = Tombstones()
        t.add(3, DeletedRange(-100, 5))
        t.add(3, DeletedRange(10, 10))
        t.add(0, DeletedRange(.min, .max))
        let bytes = t.encodedFile()
        #expect(try Tombstones.decodeFile(bytes, block: "b") == t)
        #expect(Array(bytes[0..<4]) == Array("STMB".utf8))
        for i in 0..<bytes.count {
            var bad = bytes
            bad[i] ^= 0x40
            #expect(throws: BlockError.self) { try Tombstones.decodeFile(bad, block: "b") }
        }
        #expect(throws: BlockError.self) { try Tombstones.decodeFile(Array(bytes.dropLast()), block: "b") }
        #expect(try Tombstones.decodeFile(Tombstones().encodedFile(), block: "b").isEmpty)
    }

    @Test func deletedHeadSamplesAreGoneAndStayGoneAfterReplay() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let start = epoch
        do {
            let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
            try await ingest(db, series: 4, steps: 0..<100, start: start)
            let n = try db.deleteSeries(matchers: [eq("i", "1")], mint: start + 15_000 * 10, maxt: start + 15_000 * 19)
            #expect(n == 1)
            try db.deleteSeries(matchers: [eq("i", "2")])
            let s1 = select(db, [eq("i", "1")])
            #expect(s1[0].1.count == 90)
            #expect(!s1[0].1.contains(start + 15_000 * 10) && s1[0].1.contains(start + 15_000 * 20))
            #expect(select(db, [eq("i", "2")]).isEmpty)
            #expect(!db.querier(mint: .min, maxt: .max).series([anyMetric]).contains(series("m", ("i", "2"))))
            try db.close()
        }
        // Replay of the tombstones record.
        let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
        defer { try? db.close() }
        #expect(select(db, [eq("i", "1")])[0].1.count == 90)
        #expect(select(db, [eq("i", "2")]).isEmpty)
        #expect(select(db, [eq("i", "0")])[0].1.count == 100)
    }

    @Test func headDeletionsSurviveCheckpointsAndBlockCuts() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let start = epoch
        // 15 s steps: 480 per 2 h.
        do {
            let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
            try await ingest(db, series: 3, steps: 0..<700, start: start)
            // One range inside what will be cut, one beyond it (still in the head after the cut).
            try db.deleteSeries(matchers: [eq("i", "0")], mint: start + 100 * 15_000, maxt: start + 109 * 15_000)
            try db.deleteSeries(matchers: [eq("i", "0")], mint: start + 600 * 15_000, maxt: start + 609 * 15_000)
            try await ingest(db, series: 3, steps: 700..<1000, start: start)
            // The cut persists [start, start + 2 h) without the deleted samples and checkpoints the WAL.
            #expect(try db.cutBlocksIfNeeded().count == 1)
            #expect(db.blocks[0].tombstones.isEmpty)
            #expect(select(db, [eq("i", "0")])[0].1.count == 980)
            try db.close()
        }
        let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
        defer { try? db.close() }
        let s0 = select(db, [eq("i", "0")])[0]
        #expect(s0.1.count == 980)
        #expect(!s0.1.contains(start + 605 * 15_000))
        #expect(select(db, [eq("i", "1")])[0].1.count == 1000)
    }

    @Test func deletedBlockSamplesAreGoneAndCompactionDropsThem() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let data = generatedSeries(4, from: epoch, to: epoch + 6 * h)
        var expected = expectedSamples(data)
        let victim = data[1].0
        let lo = epoch + h, hi = epoch + 3 * h + 1_000
        expected[victim] = expected[victim]!.filter { $0.0 < lo || $0.0 > hi }
        expected[data[3].0] = nil
        do {
            let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
            try db.importBlocks(series: data, blockDuration: 2 * h)
            try db.deleteSeries(matchers: [eq("i", "1")], mint: lo, maxt: hi)
            try db.deleteSeries(matchers: [eq("i", "3")])
            expectSameSamples(expected, allSamples(db))
            #expect(db.querier(mint: .min, maxt: .max).series([anyMetric]).count == 3)
            #expect(db.blocks.filter { !$0.tombstones.isEmpty }.count == 3)
            try db.close()
        }
        let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
        defer { try? db.close() }
        // The tombstones files are read back.
        expectSameSamples(expected, allSamples(db))
        let before = db.blocks.reduce(0) { $0 + $1.meta.stats.samples }
        let report = try db.compact()
        #expect(report.tasks.map(\.reason) == [.tombstones, .tombstones, .tombstones])
        #expect(db.blocks.allSatisfy { $0.tombstones.isEmpty })
        #expect(db.blocks.allSatisfy { !FileIO.exists($0.directory + "/" + Tombstones.fileName) })
        expectSameSamples(expected, allSamples(db))
        let raw = db.blocks.filter { $0.resolution == 0 }
        #expect(raw.reduce(0) { $0 + $1.meta.stats.samples } == sampleCount(expected))
        #expect(raw.reduce(0) { $0 + $1.meta.stats.samples } < before)
        #expect(raw.allSatisfy { $0.meta.stats.series == 3 })
    }

    @Test func deletionsReachRollups() async throws {
        try await withDatabase(options: testOptions()) { db, _ in
            let data = generatedSeries(2, from: epoch, to: epoch + 4 * h)
            try db.importBlocks(series: data, blockDuration: 2 * h)
            try db.compact()
            // Delete within the raw retention: the raw block is rewritten, its rollups recomputed.
            try db.deleteSeries(matchers: [eq("i", "0")], mint: epoch + 30 * 60_000, maxt: epoch + 90 * 60_000 - 1)
            let q = db.rollupQuerier(resolution: 300_000, mint: .min, maxt: .max)
            var w = q.select([eq("i", "0")])[0].windows()
            // Windows intersecting the range are hidden at once.
            #expect(!w.timestamps.contains { $0 >= epoch + 30 * 60_000 && $0 < epoch + 90 * 60_000 })
            #expect(w.windows == 48 - 12)
            try db.compact()
            w = db.rollupQuerier(resolution: 300_000, mint: .min, maxt: .max).select([eq("i", "0")])[0].windows()
            #expect(w.windows == 48 - 12)
            #expect(db.blocks.allSatisfy { $0.tombstones.isEmpty })
            // The other series is untouched.
            #expect(db.rollupQuerier(resolution: 300_000, mint: .min, maxt: .max).select([eq("i", "1")])[0].windows().windows == 48)
        }
    }

    @Test func cleanTombstonesRewritesOnlyDeletedBlocks() async throws {
        try await withDatabase(options: testOptions()) { db, _ in
            try db.importBlocks(series: generatedSeries(2, from: epoch, to: epoch + 8 * h), blockDuration: 2 * h)
            try db.deleteSeries(matchers: [eq("i", "0")], mint: epoch + 5 * h, maxt: epoch + 5 * h + 600_000)
            let before = Set(db.blocks.map(\.id))
            let report = try db.cleanTombstones()
            #expect(report.tasks.map(\.reason) == [.tombstones])
            let after = Set(db.blocks.filter { $0.resolution == 0 }.map(\.id))
            #expect(before.subtracting(after).count == 1)
            #expect(db.blocks.allSatisfy { $0.tombstones.isEmpty })
            #expect(!select(db, [eq("i", "0")])[0].1.contains { $0 >= epoch + 5 * h && $0 <= epoch + 5 * h + 600_000 })
        }
    }

    @Test func deleteNeedsAMatcher() async throws {
        try await withDatabase { db, _ in
            #expect(throws: Database.DeleteError.self) { try db.deleteSeries(matchers: []) }
        }
    }
}
