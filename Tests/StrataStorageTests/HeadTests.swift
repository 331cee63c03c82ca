import Testing
import StrataCodec
import StrataTestSupport
@testable import StrataStorage

/// Opens a database in a fresh temp directory.
func withDatabase(
    options: DatabaseOptions = DatabaseOptions(), _ body: (Database, TempDirectory) async throws -> Void
) async throws {
    let tmp = try TempDirectory()
    defer { tmp.remove() }
    let db = try Database.open(directory: tmp.sub("data"), options: options, logger: quietLogger)
    try await body(db, tmp)
    try? db.close()
}

func series(_ name: String, _ pairs: (String, String)...) -> Labels {
    Labels(sorting: [Label("__name__", name)] + pairs.map { Label($0.0, $0.1) })
}

func select(_ db: Database, _ matchers: [Matcher], _ mint: Int64 = .min, _ maxt: Int64 = .max) -> [(Labels, [Int64], [Double])] {
    db.querier(mint: mint, maxt: maxt).select(matchers).map { s in
        let (t, v) = s.samples()
        return (s.labels, t, v)
    }
}

func eq(_ name: String, _ value: String) -> Matcher { try! Matcher(.equal, name, value) }

@Suite struct HeadTests {
    @Test func appendCommitAndRead() async throws {
        try await withDatabase { db, _ in
            var app = db.appender()
            let a = series("up", ("job", "node"))
            let b = series("up", ("job", "api"))
            for i in 0..<300 {
                try app.append(a, Int64(i) * 15_000, Double(i))
                try app.append(b, Int64(i) * 15_000, -Double(i))
            }
            // Nothing visible before commit.
            #expect(select(db, [eq("__name__", "up")]).isEmpty)
            let r = try await app.commit()
            #expect(r.appended == 600)
            #expect(r.rejected.isEmpty)
            let got = select(db, [eq("__name__", "up")])
            #expect(got.map(\.0) == [b, a])   // sorted by labels: job="api" < job="node"
            #expect(got[1].1 == (0..<300).map { Int64($0) * 15_000 })
            #expect(got[1].2 == (0..<300).map(Double.init))
            // Range restriction is inclusive at both ends.
            let part = select(db, [eq("job", "node")], 15_000, 45_000)
            #expect(part.first?.1 == [15_000, 30_000, 45_000])
        }
    }

    @Test func duplicatesAndOutOfOrderArePerSample() async throws {
        try await withDatabase { db, _ in
            var app = db.appender()
            let a = series("m")
            try app.append(a, 1000, 1)
            try app.append(a, 2000, 2)
            _ = try await app.commit()
            try app.append(a, 2000, 2)        // identical duplicate: accepted, not stored twice
            try app.append(a, 2000, 3)        // conflicting duplicate
            try app.append(a, 1500, 9)        // out of order
            try app.append(a, 3000, 4)        // fine
            try app.append(a, 3000, 4)        // identical duplicate within the batch
            let r = try await app.commit()
            #expect(r.appended == 1)
            #expect(r.duplicates == 2)
            #expect(r.rejected.map(\.index) == [1, 2])
            #expect(r.rejected.map(\.rejection) == [.duplicateTimestamp, .outOfOrder(lastTimestamp: 2000)])
            let got = select(db, [eq("__name__", "m")])
            #expect(got.first?.1 == [1000, 2000, 3000])
            #expect(got.first?.2 == [1, 2, 4])
        }
    }

    @Test func rollbackDiscards() async throws {
        try await withDatabase { db, _ in
            var app = db.appender()
            try app.append(series("m"), 1000, 1)
            app.rollback()
            let r = try await app.commit()
            #expect(r.appended == 0)
            #expect(select(db, [eq("__name__", "m")]).isEmpty)
        }
    }

    @Test func invalidLabelsAreRefused() async throws {
        try await withDatabase { db, _ in
            var app = db.appender()
            #expect(throws: SeriesError.self) { try app.append(Labels(sorting: [Label("__name__", "x"), Label("bad-name", "v")]), 1, 1) }
            #expect(throws: SeriesError.self) { try app.append(Labels(sorting: [Label("job", "x")]), 1, 1) }  // no metric name
            #expect(throws: SeriesError.self) { try app.append(Labels(sortedUnchecked: [Label("__name__", "x"), Label("a", "1"), Label("a", "2")]), 1, 1) }
            #expect(db.head.seriesCount == 0)
        }
    }

    @Test func specialValuesRoundTrip() async throws {
        try await withDatabase { db, _ in
            var app = db.appender()
            let bits: [UInt64] = [0x7ff0_0000_0000_0002, 0x7ff8_0000_0000_0000, 0x7ff0_0000_0000_0000,
                                  0xfff0_0000_0000_0000, 0x8000_0000_0000_0000, 1]
            for (i, b) in bits.enumerated() { try app.append(series("s"), Int64(i), Double(bitPattern: b)) }
            _ = try await app.commit()
            let got = select(db, [eq("__name__", "s")])
            #expect(got.first?.2.map(\.bitPattern) == bits)
        }
    }

    @Test func chunksAreCutAtSampleLimitAndRangeBoundary() async throws {
        var opts = DatabaseOptions()
        opts.head.chunkRange = 3_600_000
        try await withDatabase(options: opts) { db, _ in
            var app = db.appender()
            let a = series("c")
            // 500 samples 1 s apart: cut every 120, and at t = 3_600_000 (boundary).
            for i in 0..<500 { try app.append(a, 3_600_000 - 250_000 + Int64(i) * 1000, Double(i)) }
            _ = try await app.commit()
            let ref = try db.head.getOrCreate(a)
            let snap = try #require(db.head.chunks(ref: ref, mint: .min, maxt: .max))
            #expect(snap.chunks.map(\.count).reduce(0, +) == 500)
            #expect(snap.chunks.allSatisfy { $0.count <= 120 })
            #expect(snap.chunks.allSatisfy { $0.maxTime < 3_600_000 || $0.minTime >= 3_600_000 })
        }
    }

    @Test func seriesRefsAreStableAcrossRestart() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        var refs: [Labels: SeriesRef] = [:]
        do {
            let db = try Database.open(directory: dir, logger: quietLogger)
            var app = db.appender()
            for i in 0..<50 {
                let l = series("m", ("i", "\(i)"))
                refs[l] = try app.append(l, 1000, Double(i))
            }
            _ = try await app.commit()
            try db.close()
        }
        let db = try Database.open(directory: dir, logger: quietLogger)
        defer { try? db.close() }
        for (l, r) in refs { #expect(try db.head.getOrCreate(l) == r) }
        // New series get fresh refs above the old ones.
        #expect(try db.head.getOrCreate(series("new")) > refs.values.max()!)
    }
}
