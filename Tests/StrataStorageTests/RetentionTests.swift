import Testing
import StrataCodec
import StrataTestSupport
@testable import StrataStorage

@Suite struct RetentionTests {
    /// 40 days at 1 sample per 10 minutes, 3 d blocks, retention 30 d: after
    /// two compaction cycles (the second after newer data arrived) nothing
    /// inside retention is lost and no block lies entirely outside it.
    @Test func boundaryAcrossTwoCycles() async throws {
        var options = testOptions(retention: 30 * day)
        options.rollups.resolutions = []
        try await withDatabase(options: options) { db, _ in
            let data = generatedSeries(3, from: epoch, to: epoch + 40 * day, step: 600_000)
            var all = expectedSamples(data)
            try db.importBlocks(series: data)

            func check(newest: Int64, _ all: [Labels: [(Int64, Double)]]) {
                #expect(db.newestDataTime == newest)
                let cutoff = newest - 30 * day
                // No block lies entirely outside retention…
                #expect(db.blocks.allSatisfy { $0.maxTime > cutoff })
                // …and every sample inside is still there.
                let got = allSamples(db)
                let inside = all.mapValues { $0.filter { $0.0 >= cutoff } }
                expectSameSamples(inside, got.mapValues { $0.filter { $0.0 >= cutoff } })
                // What is left outside is only the straddling block's head.
                let oldest = got.values.compactMap { $0.first?.0 }.min()!
                #expect(oldest >= cutoff - 3 * day)
            }

            // Cycle 1: newest is the end of the last 3 d block.
            let r1 = try db.compact()
            let newest1 = db.blocks.map(\.maxTime).max()!
            #expect(!r1.deletedByTime.isEmpty)
            check(newest: newest1, all)

            // Cycle 2: head data 5 days later moves the boundary.
            let later = epoch + 45 * day
            var app = db.appender()
            for (l, _, _) in data {
                try app.append(l, later, 1)
                all[l, default: []].append((later, 1))
            }
            _ = try await app.commit()
            let r2 = try db.compact()
            #expect(!r2.deletedByTime.isEmpty)
            check(newest: later + 1, all)
            // The head is never touched by retention.
            #expect(select(db, [anyMetric], later, later).count == 3)
        }
    }

    @Test func sizeBoundDeletesOldestBlocksNeverTheHead() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        var options = testOptions(retention: 365 * day)
        options.rollups.resolutions = []
        let sizes: [Int]
        do {
            let db = try Database.open(directory: dir, options: options, logger: quietLogger)
            try db.importBlocks(series: generatedSeries(3, from: epoch, to: epoch + 8 * h), blockDuration: 2 * h)
            try await ingest(db, series: 3, steps: 0..<10, start: epoch + 9 * h)
            sizes = db.blocks.map(\.sizeOnDisk)
            #expect(sizes.count == 4)
            try db.close()
        }
        // Room for the two newest blocks and a bit.
        options.retentionBytes = Int64(sizes[2] + sizes[3] + sizes[0] / 2)
        let db = try Database.open(directory: dir, options: options, logger: quietLogger)
        defer { try? db.close() }
        let report = try db.compact()
        #expect(report.deletedBySize.count == 2)
        #expect(db.blocks.map(\.minTime) == [epoch + 4 * h, epoch + 6 * h])
        // The head is not counted and not touched.
        #expect(select(db, [anyMetric], epoch + 9 * h, .max).count == 3)
        #expect(select(db, [anyMetric], epoch + 9 * h, .max).allSatisfy { $0.1.count == 10 })
    }
}
