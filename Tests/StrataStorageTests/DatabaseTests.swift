#if canImport(Glibc)
import Glibc
#endif
import Testing
import StrataCodec
import StrataTestSupport
@testable import StrataStorage

/// Copies a directory tree byte for byte: what `kill -9` leaves on disk is
/// exactly what the page cache holds, which a copy made while the database
/// is open reproduces.
func snapshotDirectory(_ from: String, _ to: String) throws {
    try FileIO.mkdirs(to)
    for name in try FileIO.list(from) {
        let src = from + "/" + name, dst = to + "/" + name
        if FileIO.isDirectory(src) {
            try snapshotDirectory(src, dst)
        } else if name != "lock" {
            try FileIO.writeFileAtomically(dst, try FileIO.readFile(src))
        }
    }
}

/// Appends `steps` scrapes of `n` series, 15 s apart from `start`.
func ingest(_ db: Database, series n: Int, steps: Range<Int>, start: Int64 = 1_700_000_000_000) async throws {
    var app = db.appender()
    for step in steps {
        for i in 0..<n {
            try app.append(series("m", ("i", "\(i)")), start + Int64(step) * 15_000, Double(step * 10 + i))
        }
        if app.count >= 1000 {
            let r = try await app.commit()
            #expect(r.rejected.isEmpty)
        }
    }
    let r = try await app.commit()
    #expect(r.rejected.isEmpty)
}

func allSamples(_ db: Database) -> [Labels: [(Int64, Double)]] {
    var out: [Labels: [(Int64, Double)]] = [:]
    for s in db.querier(mint: .min, maxt: .max).select([try! Matcher(.regexMatch, "__name__", ".+")]) {
        let (t, v) = s.samples()
        out[s.labels] = Array(zip(t, v))
    }
    return out
}

func sameSamples(_ a: [Labels: [(Int64, Double)]], _ b: [Labels: [(Int64, Double)]]) -> Bool {
    guard a.count == b.count else { return false }
    for (k, v) in a {
        guard let w = b[k], w.count == v.count else { return false }
        for (x, y) in zip(v, w) where x.0 != y.0 || x.1.bitPattern != y.1.bitPattern { return false }
    }
    return true
}

@Suite struct DatabaseTests {
    @Test func reopenAfterCloseGivesSameAnswers() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let before: [Labels: [(Int64, Double)]]
        do {
            let db = try Database.open(directory: dir, logger: quietLogger)
            try await ingest(db, series: 20, steps: 0..<100)
            before = allSamples(db)
            try db.close()
        }
        let db = try Database.open(directory: dir, logger: quietLogger)
        defer { try? db.close() }
        #expect(before.count == 20)
        #expect(sameSamples(before, allSamples(db)))
        #expect(db.replayStats.samples == 2000)
    }

    @Test func crashSnapshotRecoversEverythingCommitted() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
        try await ingest(db, series: 10, steps: 0..<50)
        let expected = allSamples(db)
        // "kill -9": take the on-disk state without closing anything.
        try snapshotDirectory(tmp.sub("data"), tmp.sub("crashed"))
        try db.close()
        let reopened = try Database.open(directory: tmp.sub("crashed"), logger: quietLogger)
        defer { try? reopened.close() }
        #expect(sameSamples(expected, allSamples(reopened)))
    }

    @Test func blockCutPersistsAndReopens() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let start: Int64 = 1_700_000_000_000 - 1_700_000_000_000 % 7_200_000
        let before: [Labels: [(Int64, Double)]]
        do {
            let db = try Database.open(directory: dir, logger: quietLogger)
            // 5 h of data at 15 s: the head spans > 3 h, so 2 blocks are cut.
            try await ingest(db, series: 30, steps: 0..<1200, start: start)
            before = allSamples(db)
            let cut = try db.cutBlocksIfNeeded()
            #expect(cut.count == 1)
            #expect(db.blocks.count == 1)
            #expect(db.blocks[0].minTime == start && db.blocks[0].maxTime == start + 7_200_000)
            #expect(db.head.minTime! >= start + 7_200_000)
            // Same answers from block + head.
            #expect(sameSamples(before, allSamples(db)))
            // Older samples are now refused.
            var app = db.appender()
            try app.append(series("m", ("i", "0")), start + 1000, 1)
            let r = try await app.commit()
            #expect(r.rejected.first?.rejection == .outOfBounds(minValid: start + 7_200_000))
            try db.close()
        }
        let db = try Database.open(directory: dir, logger: quietLogger)
        defer { try? db.close() }
        #expect(db.blocks.count == 1)
        #expect(sameSamples(before, allSamples(db)))
        // The WAL checkpoint replaced the old segments: replay only holds head data.
        #expect(db.replayStats.samples < 30 * 1200)
    }

    @Test func flushPersistsEverything() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let before: [Labels: [(Int64, Double)]]
        do {
            let db = try Database.open(directory: dir, logger: quietLogger)
            try await ingest(db, series: 10, steps: 0..<700)
            before = allSamples(db)
            let metas = try db.flush()
            #expect(metas.map(\.stats.samples).reduce(0, +) == 7000)
            #expect(db.head.minTime == nil)
            #expect(sameSamples(before, allSamples(db)))
            try db.close()
        }
        let db = try Database.open(directory: dir, logger: quietLogger)
        defer { try? db.close() }
        #expect(db.replayStats.samples == 0)
        #expect(sameSamples(before, allSamples(db)))
    }

    @Test func unfinishedBlockDirectoryIsRemovedAtOpen() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let leftover = dir + "/blocks/" + BlockID.generate().string + ".tmp"
        try FileIO.mkdirs(leftover + "/chunks")
        let db = try Database.open(directory: dir, logger: quietLogger)
        defer { try? db.close() }
        #expect(!FileIO.exists(leftover))
    }

    @Test func corruptBlockIsQuarantined() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let id: String
        do {
            let db = try Database.open(directory: dir, logger: quietLogger)
            try await ingest(db, series: 5, steps: 0..<100)
            id = try #require(try db.flush().first?.id)
            try db.close()
        }
        let chunkFile = dir + "/blocks/" + id + "/chunks/000001"
        var bytes = try FileIO.readFile(chunkFile)
        bytes[bytes.count / 2] ^= 0xff
        try FileIO.writeFileAtomically(chunkFile, bytes)
        let db = try Database.open(directory: dir, logger: quietLogger)
        defer { try? db.close() }
        #expect(db.blocks.isEmpty)
        #expect(db.quarantined.count == 1)
        #expect(FileIO.exists(dir + "/blocks/quarantine/" + id))
    }

    @Test func tornWALTailAtManyOffsets() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        // Commit batches one by one, recording the WAL size after each.
        let db = try Database.open(directory: dir, logger: quietLogger)
        var sizes: [Int] = []
        var expectedAfter: [[Labels: [(Int64, Double)]]] = []
        let seg = dir + "/wal/" + WALSegment.name(db.wal.currentSegment)
        for step in 0..<12 {
            try await ingest(db, series: 3, steps: step..<(step + 1))
            sizes.append(try FileIO.fileSize(seg))
            expectedAfter.append(allSamples(db))
        }
        try db.close()
        let full = try FileIO.readFile(seg)
        for cut in stride(from: sizes[5], to: full.count, by: 7) {
            let d = tmp.sub("cut\(cut)")
            try snapshotDirectory(dir, d)
            try FileIO.writeFileAtomically(d + "/wal/" + WALSegment.name(0), Array(full[0..<cut]))
            let complete = sizes.lastIndex { $0 <= cut }!
            let r = try Database.open(directory: d, logger: quietLogger)
            #expect(sameSamples(expectedAfter[complete], allSamples(r)), "cut at \(cut)")
            try r.close()
            try FileIO.removeTree(d)
        }
    }

    @Test func concurrentAppendAndQuery() async throws {
        try await withDatabase { db, _ in
            let writers = 4, steps = 200, perWriter = 25
            await withTaskGroup(of: Void.self) { group in
                for w in 0..<writers {
                    group.addTask {
                        var app = db.appender()
                        for step in 0..<steps {
                            for i in 0..<perWriter {
                                try! app.append(series("c", ("w", "\(w)"), ("i", "\(i)")), Int64(step) * 1000, Double(step))
                            }
                            let r = try! await app.commit()
                            #expect(r.rejected.isEmpty)
                        }
                    }
                }
                group.addTask {
                    // Readers see monotonically growing, internally consistent series.
                    var last = 0
                    for _ in 0..<200 {
                        let got = db.querier(mint: .min, maxt: .max).select([eq("__name__", "c")])
                        var total = 0
                        for s in got {
                            let (t, v) = s.samples()
                            #expect(t == t.sorted())
                            #expect(zip(t, v).allSatisfy { Double($0.0 / 1000) == $0.1 })
                            total += t.count
                        }
                        #expect(total >= last)
                        last = total
                        await Task.yield()
                    }
                }
            }
            let got = select(db, [eq("__name__", "c")])
            #expect(got.count == writers * perWriter)
            #expect(got.allSatisfy { $0.1.count == steps })
        }
    }
}
