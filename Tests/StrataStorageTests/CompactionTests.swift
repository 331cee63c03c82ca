import Testing
import StrataCodec
import StrataTestSupport
@testable import StrataStorage

@Suite struct CompactionTests {
    @Test func levelsMergeAndDataIsUnchanged() async throws {
        let data = generatedSeries(12, from: epoch, to: epoch + 4 * day)
        let expected = expectedSamples(data)
        try await withDatabase(options: testOptions()) { db, _ in
            let imported = try db.importBlocks(series: data, blockDuration: 2 * h)
            #expect(imported.blocks.count == 48)
            #expect(imported.samples == sampleCount(expected))
            expectSameSamples(expected, allSamples(db))

            let report = try db.compact()
            #expect(!report.tasks.isEmpty)
            let raw = db.blocks.filter { $0.resolution == 0 }
            // [0, 3 d) as one block, then the last day in 12 h blocks.
            #expect(raw.map { ($0.maxTime - $0.minTime) / h } == [72, 12, 12])
            #expect(raw[0].meta.compaction.sources.count == 36)
            #expect(raw[0].meta.compaction.level == 2)
            #expect(raw[1].meta.compaction.parents.count == 6)
            #expect(overlappingRawBlocks(db).isEmpty)
            expectSameSamples(expected, allSamples(db))
            // Every raw block has its rollups, and nothing else is left over.
            for r in [Int64(300_000), 3_600_000] {
                let rollups = db.blocks.filter { $0.resolution == r }
                #expect(Set(rollups.compactMap(\.meta.rollupSource)) == Set(raw.map(\.id)))
            }
            #expect(overlappingRollupBlocks(db).isEmpty)
            #expect(db.blocks.count == 9)

            // Idempotent.
            let again = try db.compact()
            #expect(again.tasks.isEmpty && again.rollupBlocks.isEmpty)
            // And it all reopens the same.
        }
    }

    @Test func reopenAfterCompactionGivesSameAnswers() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let data = generatedSeries(6, from: epoch, to: epoch + 26 * h)
        let ids: [String]
        do {
            let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
            try db.importBlocks(series: data, blockDuration: 2 * h)
            try db.compact()
            ids = db.blocks.map(\.id)
            try db.close()
        }
        let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
        defer { try? db.close() }
        #expect(db.blocks.map(\.id) == ids)
        expectSameSamples(expectedSamples(data), allSamples(db))
        #expect(db.quarantined.isEmpty)
    }

    @Test func overlappingBlocksFromAFlushAreMergedWithoutDuplicates() async throws {
        let start = epoch
        try await withDatabase(options: testOptions()) { db, _ in
            // 30 min of data, flushed: a block [start, start + 30 min).
            try await ingest(db, series: 5, steps: 0..<120, start: start)
            let flushed = try db.flush()
            #expect(flushed.count == 1)
            // Four more hours: the cut writes [start, start + 2 h), overlapping the flushed one.
            try await ingest(db, series: 5, steps: 120..<1100, start: start)
            try db.cutBlocksIfNeeded()
            let expected = allSamples(db)
            #expect(!overlappingRawBlocks(db).isEmpty)
            let report = try db.compact()
            #expect(report.tasks.first?.reason == .overlap)
            #expect(overlappingRawBlocks(db).isEmpty)
            expectSameSamples(expected, allSamples(db))
            let merged = db.blocks.first { $0.resolution == 0 && $0.minTime == start }!
            #expect(merged.maxTime == start + 2 * h)
            #expect(merged.meta.stats.samples == 5 * 480)
        }
    }

    @Test func newerBlockWinsOnConflictingSamples() async throws {
        try await withDatabase(options: testOptions()) { db, _ in
            let l = series("m", ("i", "0"))
            try db.importBlocks(series: [(l, [epoch, epoch + 1000, epoch + 2000], [1.0, 2, 3])], blockDuration: 2 * h)
            try db.importBlocks(series: [(l, [epoch + 1000, epoch + 3000], [20.0, 40])], blockDuration: 2 * h)
            let before = select(db, [eq("__name__", "m")])
            try db.compact()
            let after = select(db, [eq("__name__", "m")])
            #expect(after.count == 1)
            #expect(after[0].1 == [epoch, epoch + 1000, epoch + 2000, epoch + 3000])
            #expect(after[0].2 == [1, 20, 3, 40])
            #expect(before[0].1 == after[0].1)
        }
    }

    @Test func queriesInFlightKeepReadingReplacedBlocks() async throws {
        let data = generatedSeries(4, from: epoch, to: epoch + 14 * h)
        try await withDatabase(options: testOptions()) { db, _ in
            try db.importBlocks(series: data, blockDuration: 2 * h)
            let old = db.querier(mint: .min, maxt: .max).select([anyMetric])
            let oldBlocks = db.blocks.map(\.directory)
            try db.compact()
            // The replaced blocks' files are gone…
            let replaced = Set(oldBlocks).subtracting(db.blocks.map(\.directory))
            #expect(replaced.count == 6)
            for d in replaced { #expect(!FileIO.exists(d)) }
            // …but a query that started before still reads them.
            var got: [Labels: [(Int64, Double)]] = [:]
            for s in old {
                let (t, v) = s.samples()
                got[s.labels] = Array(zip(t, v))
            }
            expectSameSamples(expectedSamples(data), got)
        }
    }

    @Test func importSplitsByWindowAndDeduplicates() async throws {
        try await withDatabase(options: testOptions()) { db, _ in
            let l = series("m", ("i", "0"))
            // Unsorted, with a duplicate timestamp (last wins) and a second
            // appearance of the same series (a second block of the window).
            let first = (l, [epoch + 3 * day + 5, epoch, epoch + 10, epoch + 10], [4.0, 1, 2, 3])
            let second = (l, [epoch + 20], [5.0])
            let report = try db.importBlocks(series: [first, second, (series("m", ("i", "1")), [epoch], [7.0])])
            #expect(report.blocks.map(\.minTime) == [epoch, epoch, epoch + 3 * day])
            #expect(select(db, [eq("i", "0")])[0].1 == [epoch, epoch + 10, epoch + 20, epoch + 3 * day + 5])
            #expect(select(db, [eq("i", "0")])[0].2 == [1, 3, 5, 4])
            try db.compact()
            #expect(overlappingRawBlocks(db).isEmpty)
            #expect(select(db, [eq("i", "0")])[0].2 == [1, 3, 5, 4])
            #expect(select(db, [eq("i", "1")])[0].2 == [7])
        }
    }

    @Test func importRejectsBadInput() async throws {
        try await withDatabase(options: testOptions()) { db, _ in
            let bad = Labels(sortedUnchecked: [Label("__name__", "m"), Label("0bad", "x")])
            #expect(throws: ImportError.self) { try db.importBlocks(series: [(bad, [epoch], [1.0])]) }
            #expect(throws: ImportError.self) { try db.importBlocks(series: [(series("m"), [epoch, epoch + 1], [1.0])]) }
            #expect(db.blocks.isEmpty)
            // Nothing left behind.
            let left = try FileIO.list(db.blocksDirectory)
            #expect(left.isEmpty)
        }
    }
}
