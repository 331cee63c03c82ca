#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import StrataCodec
import StrataTestSupport
@testable import StrataStorage

/// Compaction interrupted at every file operation (fault injection through
/// `Failpoints`): the database must reopen consistent — the same samples,
/// no overlapping blocks, nothing quarantined — and a later compaction
/// must finish the job.
@Suite(.serialized) struct CompactionCrashTests {
    /// 3 series over 14 h in 2 h blocks (one 12 h merge), a duplicate block
    /// overlapping one of them, and a deletion in the last block (a
    /// tombstone rewrite). Returns what queries answer.
    func makeTemplate(_ dir: String) throws -> (samples: [Labels: [(Int64, Double)]], overlaps: Set<String>) {
        let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
        let data = generatedSeries(3, from: epoch, to: epoch + 14 * h)
        try db.importBlocks(series: data, blockDuration: 2 * h)
        let (l, ts, vs) = data[0]
        let slice = ts.indices.filter { ts[$0] >= epoch + 2 * h && ts[$0] < epoch + 3 * h }
        try db.importBlocks(series: [(l, slice.map { ts[$0] }, slice.map { vs[$0] })], blockDuration: 2 * h)
        try db.deleteSeries(matchers: [eq("i", "1")], mint: epoch + 12 * h + 600_000, maxt: epoch + 13 * h)
        let expected = allSamples(db)
        let overlaps = Set(overlappingRawBlocks(db).map { $0.0 + $0.1 })
        try db.close()
        return (expected, overlaps)
    }

    func checkConsistent(_ dir: String, _ expected: [Labels: [(Int64, Double)]], overlaps: Set<String>, _ context: String) throws {
        let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
        defer { try? db.close() }
        #expect(db.quarantined.isEmpty, "\(context)")
        // Compaction never adds an overlap (the template's own may still be there).
        #expect(Set(overlappingRawBlocks(db).map { $0.0 + $0.1 }).isSubset(of: overlaps), "\(context)")
        #expect(overlappingRollupBlocks(db).isEmpty, "\(context)")
        let got = allSamples(db)
        expectSameSamples(expected, got, "\(context)")
        #expect(sumOfValues(expected) == sumOfValues(got), "\(context)")
        // Overlaps that were there before compaction may remain; a clean
        // compaction then leaves none, and the same data.
        try db.compact()
        #expect(overlappingRawBlocks(db).isEmpty, "\(context)")
        #expect(overlappingRollupBlocks(db).isEmpty, "\(context)")
        expectSameSamples(expected, allSamples(db), "\(context)")
        #expect(db.compactionPlanner.plan(db.blocks.map(\.meta)).isEmpty, "\(context)")
        #expect(db.blocks.filter { $0.resolution == 0 }.allSatisfy { $0.tombstones.isEmpty }, "\(context)")
    }

    @Test func crashAtEveryStepLeavesAConsistentDatabase() throws {
        let tmp = try MemoryTempDirectory("strata-crash")
        defer { tmp.remove() }
        let template = tmp.sub("template")
        let (expected, overlaps) = try makeTemplate(template)
        #expect(overlaps.count == 1)
        #expect(sampleCount(expected) > 0)

        var run = 0
        var runs: [Failpoints.Op: Int] = [:]
        for op in [Failpoints.Op.write, .fsync, .rename, .remove] {
            var k = 0
            while true {
                run += 1
                let dir = tmp.sub("run\(run)")
                try FileManager.default.copyItem(atPath: template, toPath: dir)
                let db = try Database.open(directory: dir, options: testOptions(), logger: quietLogger)
                // The k-th operation of this kind and every later one fail: the process is as good as dead.
                Failpoints.arm(.init(op: op, pathContains: dir, after: k, errno: EIO))
                var failed = false
                do { try db.compact() } catch { failed = true }
                Failpoints.disarm(pathContains: dir)
                try db.close()
                try checkConsistent(dir, expected, overlaps: overlaps, "\(op) #\(k)")
                try? FileIO.removeTree(dir)
                if !failed { break }
                runs[op, default: 0] += 1
                k += 1
            }
            // Every kind of operation was interrupted at least once.
            #expect(k > 0, "\(op)")
        }
        // Every operation of the compaction was a crash point (27 writes, 76 fsyncs, 20 renames and 56 removals when written).
        #expect(runs.values.reduce(0, +) > 100)
    }

    @Test func crashDuringRetentionLeavesNoHalfDeletedBlock() throws {
        let tmp = try MemoryTempDirectory("strata-crash")
        defer { tmp.remove() }
        let template = tmp.sub("template")
        var options = testOptions(retention: 9 * h)
        options.rollups.resolutions = []
        let data = generatedSeries(2, from: epoch, to: epoch + 20 * h)
        do {
            let db = try Database.open(directory: template, options: options, logger: quietLogger)
            try db.importBlocks(series: data, blockDuration: 2 * h)
            try db.close()
        }
        // The newest data ends with the last 2 h block at 20 h: retention keeps [11 h, 20 h).
        let inside = expectedSamples(data).mapValues { $0.filter { $0.0 >= epoch + 11 * h } }
        var k = 0
        while true {
            let dir = tmp.sub("run\(k)")
            try FileManager.default.copyItem(atPath: template, toPath: dir)
            let db = try Database.open(directory: dir, options: options, logger: quietLogger)
            Failpoints.arm(.init(op: .remove, pathContains: dir, after: k, errno: EIO))
            var failed = false
            do { try db.compact() } catch { failed = true }
            Failpoints.disarm(pathContains: dir)
            try db.close()
            let reopened = try Database.open(directory: dir, options: options, logger: quietLogger)
            #expect(reopened.quarantined.isEmpty)
            // Whatever survived is whole; a clean round then applies retention fully.
            try reopened.compact()
            let newest = reopened.newestDataTime!
            #expect(newest == epoch + 20 * h)
            #expect(reopened.blocks.allSatisfy { $0.maxTime > newest - 9 * h })
            // Nothing inside retention is lost; the block straddling the boundary stays whole.
            let samples = allSamples(reopened)
            expectSameSamples(inside, samples.mapValues { $0.filter { $0.0 >= newest - 9 * h } })
            let oldest = samples.values.compactMap { $0.first?.0 }.min()!
            #expect(oldest < newest - 9 * h)
            try reopened.close()
            try? FileIO.removeTree(dir)
            if !failed { break }
            k += 1
        }
        #expect(k > 0)
    }
}
