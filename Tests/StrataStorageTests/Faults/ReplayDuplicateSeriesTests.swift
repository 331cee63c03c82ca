import Testing
import StrataCodec
import StrataTestSupport
@testable import StrataStorage

/// A series that was removed from the head (its data cut into a block) and
/// created again has two series records, under two refs, until the next
/// checkpoint. A crash in between used to replay them as two series with
/// the same labels, and a crash loop multiplied them (the crash matrix of
/// issue #7 found 20,391 series for 40 label sets).
@Suite struct ReplayDuplicateSeriesTests {
    @Test func secondRefOfALabelSetMapsOntoTheFirstSeries() throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let x = Labels(sorting: [Label("__name__", "dup"), Label("i", "1")])
        let y = Labels(sorting: [Label("__name__", "dup"), Label("i", "2")])
        let wal = try WAL(directory: dir + "/wal", options: WALOptions(), startSegment: 0)
        var buf: [UInt8] = []
        func series(_ ref: SeriesRef, _ l: Labels) throws {
            WAL.beginRecord(&buf)
            WALRecord.encodeSeries([(ref, l)], into: &buf)
            _ = try wal.log(&buf)
        }
        func sample(_ ref: SeriesRef, _ t: Int64) throws {
            WAL.beginRecord(&buf)
            let r = [ref], ts = [t], vs = [Double(t)]
            r.withUnsafeBufferPointer { r in ts.withUnsafeBufferPointer { t in vs.withUnsafeBufferPointer { v in
                WALRecord.encodeSamples(refs: r, ts: t, vs: v, into: &buf) } } }
            _ = try wal.log(&buf)
        }
        try series(1, x)
        try sample(1, 1000)
        try series(2, y)
        try sample(2, 1000)
        try series(3, x)       // x again, under a new ref
        try sample(3, 2000)
        try sample(1, 3000)    // (the old ref still names x)
        try wal.close()

        let db = try Database.open(directory: dir, logger: quietLogger)
        #expect(db.head.seriesCount == 2)
        var got: [Labels: [Int64]] = [:]
        for s in db.querier(mint: .min, maxt: .max).select([try Matcher(.equal, "__name__", "dup")]) {
            got[s.labels, default: []] += s.samples().0
        }
        #expect(got == [x: [1000, 2000, 3000], y: [1000]])
        // New series get refs above every replayed one, aliases included.
        var app = db.appender()
        let z = Labels(sorting: [Label("__name__", "dup"), Label("i", "3")])
        let ref = try app.append(z, 4000, 1)
        #expect(ref > 3)
        _ = try app.commitWithoutWaiting()
        try db.close()
    }
}
