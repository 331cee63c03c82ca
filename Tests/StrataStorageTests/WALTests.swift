#if canImport(Glibc)
import Glibc
#endif
import Testing
import StrataCodec
import StrataTestSupport
@testable import StrataStorage

/// Writes a samples record of `n` samples with values derived from `seed`.
private func samplesRecord(_ seed: Int, _ n: Int, into buf: inout [UInt8]) {
    WAL.beginRecord(&buf)
    let refs = (0..<n).map { SeriesRef(seed * 1000 + $0) }
    let ts = (0..<n).map { Int64(seed) * 15_000 + Int64($0) }
    let vs = (0..<n).map { Double(seed) + Double($0) / 8 }
    refs.withUnsafeBufferPointer { r in
        ts.withUnsafeBufferPointer { t in
            vs.withUnsafeBufferPointer { v in WALRecord.encodeSamples(refs: r, ts: t, vs: v, into: &buf) }
        }
    }
}

/// Replays and returns the seeds of every samples record seen, checking contents.
private func replaySeeds(_ dir: String) throws -> (seeds: [Int], stats: WALReplayStats) {
    var seeds: [Int] = []
    let stats = try WALReplay.replay(directory: dir) { (payload) throws(WALCorruption) in
        guard payload.first == WALRecordType.samples.rawValue else { return }
        var first: (SeriesRef, Int64, Double)?
        var count = 0
        do {
            try WALRecord.decodeSamples(payload) { r, t, v in
                if first == nil { first = (r, t, v) }
                count += 1
            }
        } catch {
            throw WALCorruption(segment: 0, offset: 0, reason: .badContent("\(error)"))
        }
        if let f = first { seeds.append(Int(f.0 / 1000)) }
    }
    return (seeds, stats)
}

@Suite struct WALTests {
    @Test func writeCloseReplay() throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("wal")
        let wal = try WAL(directory: dir, options: WALOptions(fsync: .interval(milliseconds: 50)), startSegment: 0)
        var buf: [UInt8] = []
        for seed in 0..<100 {
            samplesRecord(seed, 50, into: &buf)
            try wal.log(&buf)
        }
        try wal.close()
        let (seeds, stats) = try replaySeeds(dir)
        #expect(seeds == Array(0..<100))
        #expect(stats.corruptions.isEmpty)
        #expect(stats.lastSegment == 0)
    }

    @Test func samplesRecordRoundTripsEveryBitPattern() throws {
        let specials: [UInt64] = [0x7ff0_0000_0000_0002, 0x7ff8_0000_0000_0001, 0xfff8_0000_0000_0000,
                                  0x7ff0_0000_0000_0000, 0xfff0_0000_0000_0000, 0x8000_0000_0000_0000, 1, 0]
        let refs: [SeriesRef] = [5, 3, 900, 1, 1 << 40, 7, 7, 7]
        let ts: [Int64] = [0, -5, .max, .min, 1_700_000_000_000, 3, 3, 4]
        let vs = specials.map(Double.init(bitPattern:))
        var buf: [UInt8] = []
        refs.withUnsafeBufferPointer { r in ts.withUnsafeBufferPointer { t in vs.withUnsafeBufferPointer { v in
            WALRecord.encodeSamples(refs: r, ts: t, vs: v, into: &buf) } } }
        var got: [(SeriesRef, Int64, UInt64)] = []
        try buf.withUnsafeBytes { raw in try WALRecord.decodeSamples(raw) { got.append(($0, $1, $2.bitPattern)) } }
        #expect(got.map(\.0) == refs)
        #expect(got.map(\.1) == ts)
        #expect(got.map(\.2) == specials)
    }

    @Test func seriesRecordRoundTrip() throws {
        let a = Labels(["__name__": "up", "job": "node", "instance": "h:9100"])
        let b = Labels(["__name__": "x", "é": "ü"])
        var buf: [UInt8] = []
        WALRecord.encodeSeries([(1, a), (99, b)], into: &buf)
        var got: [(SeriesRef, Labels)] = []
        try buf.withUnsafeBytes { raw in try WALRecord.decodeSeries(raw) { got.append(($0, $1)) } }
        #expect(got.count == 2)
        #expect(got[0].0 == 1 && got[0].1 == a)
        #expect(got[1].0 == 99 && got[1].1 == b)
    }

    @Test func largeRecordsAreFragmentedAndReassembled() throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("wal")
        let wal = try WAL(directory: dir, options: WALOptions(), startSegment: 3)
        var buf: [UInt8] = []
        samplesRecord(1, 10, into: &buf); try wal.log(&buf)
        samplesRecord(2, 300_000, into: &buf); try wal.log(&buf)   // ~3 MiB: 3+ fragments
        samplesRecord(3, 10, into: &buf); try wal.log(&buf)
        try wal.close()
        let (seeds, stats) = try replaySeeds(dir)
        #expect(seeds == [1, 2, 3])
        #expect(stats.corruptions.isEmpty)
        #expect(stats.lastSegment == 3)
    }

    @Test func segmentsRollOverAndReplayInOrder() throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("wal")
        let wal = try WAL(directory: dir, options: WALOptions(segmentSize: 4096), startSegment: 0)
        var buf: [UInt8] = []
        for seed in 0..<200 { samplesRecord(seed, 20, into: &buf); try wal.log(&buf) }
        let last = wal.currentSegment
        try wal.close()
        #expect(last >= 5)
        let layout = try WALReplay.layout(dir)
        #expect(layout.segments == Array(0...last))
        let (seeds, stats) = try replaySeeds(dir)
        #expect(seeds == Array(0..<200))
        #expect(stats.corruptions.isEmpty)
    }

    /// A crash can stop a write at any byte. Replay must keep every record
    /// that was completely written and cut the rest, at every cut point.
    @Test func tornTailAtEveryOffsetOfTheLastRecords() throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("wal")
        let wal = try WAL(directory: dir, options: WALOptions(), startSegment: 0)
        var buf: [UInt8] = []
        var ends: [Int] = []   // file size after each record
        for seed in 0..<6 {
            samplesRecord(seed, 7, into: &buf)
            try wal.log(&buf)
            ends.append(try FileIO.fileSize(dir + "/00000000"))
        }
        try wal.close()
        let full = try FileIO.readFile(dir + "/00000000")
        let startOfLast3 = ends[2]
        for cut in stride(from: startOfLast3, through: full.count, by: 1) {
            let d = tmp.sub("cut\(cut)")
            try FileIO.mkdirs(d)
            try FileIO.writeFileAtomically(d + "/00000000", Array(full[0..<cut]))
            let (seeds, stats) = try replaySeeds(d)
            let complete = ends.filter { $0 <= cut }.count
            #expect(seeds == Array(0..<complete), "cut at \(cut)")
            #expect(stats.corruptions.count == (ends.contains(cut) ? 0 : 1), "cut at \(cut)")
            // The repair truncated the file to the last good record, so a second replay is clean.
            let again = try replaySeeds(d)
            #expect(again.seeds == seeds && again.stats.corruptions.isEmpty, "cut at \(cut)")
            try FileIO.removeTree(d)
        }
    }

    /// Damage of each kind in segment k of n: everything before it is
    /// recovered, the damage is reported, and later segments are salvaged.
    @Test(arguments: ["header", "checksum", "length", "kind", "sequence", "content", "zeros"])
    func corruptionInMiddleSegment(_ kind: String) throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("wal")
        let wal = try WAL(directory: dir, options: WALOptions(segmentSize: 2048), startSegment: 0)
        var buf: [UInt8] = []
        var seedsBySegment: [Int: [Int]] = [:]
        for seed in 0..<60 {
            samplesRecord(seed, 10, into: &buf)
            let seg = wal.currentSegment
            try wal.log(&buf)
            // log() may roll before writing; attribute by the segment after the write.
            seedsBySegment[wal.currentSegment, default: []].append(seed)
            _ = seg
        }
        try wal.close()
        let segs = try WALReplay.layout(dir).segments
        #expect(segs.count >= 4)
        let k = segs[1]
        let path = dir + "/" + WALSegment.name(k)
        var bytes = try FileIO.readFile(path)
        // Damage the second record of segment k.
        let firstLen = Int(UInt32(bytes[9]) | UInt32(bytes[10]) << 8 | UInt32(bytes[11]) << 16 | UInt32(bytes[12]) << 24)
        let second = WALSegment.headerSize + WALSegment.fragmentHeaderSize + firstLen
        switch kind {
        case "header": bytes[0] = UInt8(ascii: "X")
        case "checksum": bytes[second + 20] ^= 0x40
        case "length": bytes[second + 4] = 0x7f   // > 1 MiB
        case "kind": bytes[second] = 9
        case "sequence": bytes[second] = WALSegment.Kind.middle.rawValue
        case "zeros": for i in second..<bytes.count { bytes[i] = 0 }
        default:  // "content": valid framing, undecodable payload (record claims more samples than it has)
            var payload: [UInt8] = [WALRecordType.samples.rawValue]
            payload.appendUVarint(1000)
            payload.appendUVarint(1)
            payload.appendVarint(5)
            var rec = [UInt8](repeating: 0, count: WALSegment.fragmentHeaderSize) + payload
            WAL.frame(&rec, kind: .full, payloadOffset: WALSegment.fragmentHeaderSize, payloadLen: payload.count)
            bytes = Array(bytes[0..<second]) + rec + Array(bytes[second...])
        }
        try FileIO.writeFileAtomically(path, bytes)
        let (seeds, stats) = try replaySeeds(dir)
        #expect(stats.corruptions.count == 1)
        #expect(stats.corruptions.first?.segment == k)
        let before = segs.filter { $0 < k }.flatMap { seedsBySegment[$0] ?? [] }
        let inK = seedsBySegment[k] ?? []
        let after = segs.filter { $0 > k }.flatMap { seedsBySegment[$0] ?? [] }
        let keptInK = kind == "header" ? [] : Array(inK.prefix(1))
        #expect(seeds == before + keptInK + after)
    }

    @Test func groupCommitMakesConcurrentWritersDurable() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("wal")
        let wal = try WAL(directory: dir, options: WALOptions(fsync: .always), startSegment: 0)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0..<8 {
                group.addTask {
                    var buf: [UInt8] = []
                    for i in 0..<25 {
                        samplesRecord(w * 100 + i, 5, into: &buf)
                        let pos = try wal.log(&buf)
                        try await wal.waitDurable(pos)
                    }
                }
            }
            try await group.waitForAll()
        }
        try wal.close()
        let (seeds, _) = try replaySeeds(dir)
        #expect(Set(seeds) == Set((0..<8).flatMap { w in (0..<25).map { w * 100 + $0 } }))
        #expect(seeds.count == 200)
    }

    @Test func checkpointReplacesOldSegments() throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("wal")
        let wal = try WAL(directory: dir, options: WALOptions(segmentSize: 1024), startSegment: 0)
        var buf: [UInt8] = []
        for seed in 0..<30 { samplesRecord(seed, 10, into: &buf); try wal.log(&buf) }
        let closed = try wal.roll()
        try WALReplay.writeCheckpoint(directory: dir, upTo: closed) { (w) throws(IOError) in
            var b: [UInt8] = []
            samplesRecord(500, 3, into: &b)
            _ = try w.log(&b)
        }
        for seed in 30..<35 { samplesRecord(seed, 10, into: &buf); try wal.log(&buf) }
        try wal.close()
        let layout = try WALReplay.layout(dir)
        #expect(layout.checkpoints == [closed])
        #expect(layout.segments.allSatisfy { $0 > closed })
        let (seeds, stats) = try replaySeeds(dir)
        #expect(seeds == [500] + Array(30..<35))
        #expect(stats.checkpoint == closed)
    }

    @Test func failedWriteIsRolledBackAndLaterRecordsStayReadable() throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("wal")
        let wal = try WAL(directory: dir, options: WALOptions(), startSegment: 0)
        var buf: [UInt8] = []
        samplesRecord(1, 5, into: &buf); try wal.log(&buf)
        Failpoints.arm(.init(op: .write, pathContains: tmp.path, times: 1, errno: ENOSPC))
        defer { Failpoints.disarmAll() }
        samplesRecord(2, 5, into: &buf)
        #expect(throws: IOError.self) { try wal.log(&buf) }
        samplesRecord(3, 5, into: &buf); try wal.log(&buf)
        try wal.close()
        let (seeds, stats) = try replaySeeds(dir)
        #expect(seeds == [1, 3])
        #expect(stats.corruptions.isEmpty)
    }

    /// Issue #7, disk full: when the next segment cannot be created (its
    /// creation or its header write fails with ENOSPC), the record that needed
    /// it is refused, the log is not poisoned, and the next write creates the
    /// segment. Nothing is torn: replay sees every other record.
    @Test(arguments: [Failpoints.Op.create, .write, .fsync])
    func segmentCreationOnAFullDiskIsRetriedByTheNextWrite(_ op: Failpoints.Op) throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("wal")
        let wal = try WAL(directory: dir, options: WALOptions(segmentSize: 4096), startSegment: 0)
        Failpoints.arm(.init(op: op, pathContains: dir + "/" + WALSegment.name(2), times: 2, errno: ENOSPC))
        defer { Failpoints.disarm(pathContains: dir) }
        var buf: [UInt8] = []
        var refused: [Int] = []
        for seed in 0..<100 {
            samplesRecord(seed, 20, into: &buf)
            do { try wal.log(&buf) } catch { refused.append(seed) }
        }
        #expect(refused.count == 2, "refused: \(refused)")
        try wal.close()
        let layout = try WALReplay.layout(dir)
        #expect(layout.segments == Array(0...layout.segments.last!))
        let (seeds, stats) = try replaySeeds(dir)
        #expect(seeds == Array(0..<100).filter { !refused.contains($0) })
        #expect(stats.corruptions.isEmpty)
    }

    /// A log opened on a full disk starts without a segment (so that the
    /// server starts and serves reads); the first write after space is freed
    /// creates it, and durability waits work throughout.
    @Test func openOnAFullDiskCreatesTheSegmentOnTheFirstWrite() async throws {
        let tmp = try TempDirectory()
        defer { tmp.remove() }
        let dir = tmp.sub("wal")
        Failpoints.arm(.init(op: .write, pathContains: dir + "/", times: 1, errno: ENOSPC))
        defer { Failpoints.disarm(pathContains: dir) }
        let wal = try WAL(directory: dir, options: WALOptions(fsync: .always), startSegment: 3)
        try await wal.waitDurable(wal.bytesWritten)
        #expect(try WALReplay.layout(dir).segments.isEmpty)
        var buf: [UInt8] = []
        samplesRecord(1, 5, into: &buf)
        let pos = try wal.log(&buf)
        try await wal.waitDurable(pos)
        try wal.close()
        #expect(try WALReplay.layout(dir).segments == [3])
        let (seeds, stats) = try replaySeeds(dir)
        #expect(seeds == [1])
        #expect(stats.corruptions.isEmpty)
    }
}
