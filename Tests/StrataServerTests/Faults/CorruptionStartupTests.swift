import Foundation
import Testing
import StrataCodec
import StrataTestSupport
@testable import StrataServer
@testable import StrataStorage

/// Issue #7, WAL corruption matrix and corrupt blocks, seen from the server:
/// whatever the damage, `strata serve` starts, serves everything before the
/// damage (and the segments after it), counts the damage in `/metrics`, and
/// never answers from a corrupt block.
///
/// The byte-level cases themselves (every torn offset, each kind of damage
/// in segment k of n, replay of the salvaged segments) are in the storage
/// tests (`WALTests`); here each kind goes through the whole server once.
@Suite struct CorruptionStartupTests {
    static let t0: Int64 = 1_764_374_400_000
    static let series = 4
    static let commits = 80

    static func labels(_ i: Int) -> Labels { Labels(sorting: [Label("__name__", "walc"), Label("i", "\(i)")]) }

    /// Writes `commits` records (one per commit, `series` samples each, at
    /// `t0 + k s`) through a database with 1 KiB WAL segments and returns
    /// which commits went to which segment.
    static func writeWAL(_ dir: String) async throws -> [Int: [Int]] {
        var opts = DatabaseOptions()
        opts.wal.segmentSize = 1024
        let db = try Database.open(directory: dir, options: opts, logger: quietLogger)
        var bySegment: [Int: [Int]] = [:]
        for k in 0..<commits {
            var app = db.appender()
            for i in 0..<series { _ = try app.append(labels(i), t0 + Int64(k) * 1000, Double(k)) }
            let r = try await app.commit()
            #expect(r.appended == series)
            bySegment[db.wal.currentSegment, default: []].append(k)
        }
        try db.close()
        return bySegment
    }

    /// The commits found by a query, per series.
    static func present(_ s: TestServer) async throws -> [String: [Int]] {
        let r = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [
            ("query", "walc[1h]"), ("time", PromNumber.formatTimestamp(t0 + Int64(commits) * 1000)),
        ]))
        #expect(r.status == 200, "\(r.text)")
        var out: [String: [Int]] = [:]
        for e in (r.data as? [String: Any])?["result"] as? [[String: Any]] ?? [] {
            let i = (e["metric"] as? [String: String])?["i"] ?? "?"
            out[i] = (e["values"] as? [[Any]] ?? []).compactMap { ($0[1] as? String).flatMap(Double.init).map(Int.init) }
        }
        return out
    }

    static func metric(_ s: TestServer, _ name: String) async throws -> Double? {
        let m = try await HTTP.get(s.base + "/metrics")
        for line in m.text.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1))
        }
        Issue.record("no \(name) in /metrics: \(m.text.prefix(3000))")
        return nil
    }

    static let cases = ["torn last record", "bad header", "bad fragment sequence", "bad fragment kind", "bad checksum",
                        "bad length", "bad content", "zeroed tail"]

    @Test(arguments: cases)
    func damagedWALStillStarts(_ kind: String) async throws {
        let tmp = try TempDirectory("strata-wal-corruption")
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let bySegment = try await Self.writeWAL(dir)
        let segs = try WALReplay.layout(dir + "/wal").segments.filter { !(bySegment[$0] ?? []).isEmpty }
        #expect(segs.count >= 3, "\(segs)")
        let expected: [Int]
        let k: Int
        if kind == "torn last record" {
            // The last record of the last segment loses its final bytes.
            k = segs.last!
            let path = dir + "/wal/" + WALSegment.name(k)
            let bytes = try FileIO.readFile(path)
            try FileIO.writeFileAtomically(path, Array(bytes.dropLast(3)))
            expected = Array(0..<(Self.commits - 1))
        } else {
            // Damage the second record of segment k, the second of n.
            k = segs[1]
            let path = dir + "/wal/" + WALSegment.name(k)
            var bytes = try FileIO.readFile(path)
            let firstLen = Int(UInt32(bytes[9]) | UInt32(bytes[10]) << 8 | UInt32(bytes[11]) << 16 | UInt32(bytes[12]) << 24)
            let second = WALSegment.headerSize + WALSegment.fragmentHeaderSize + firstLen
            switch kind {
            case "bad header": bytes[0] = UInt8(ascii: "X")
            case "bad checksum": bytes[second + WALSegment.fragmentHeaderSize + 1] ^= 0x40
            case "bad length": bytes[second + 4] = 0x7f   // > 1 MiB
            case "bad fragment kind": bytes[second] = 9
            case "bad fragment sequence": bytes[second] = WALSegment.Kind.middle.rawValue
            case "zeroed tail": for i in second..<bytes.count { bytes[i] = 0 }
            default:
                // Valid framing around a payload that does not decode (it claims 1000 samples and has one).
                var payload: [UInt8] = [WALRecordType.samples.rawValue]
                payload.appendUVarint(1000)
                payload.appendUVarint(1)
                payload.appendVarint(5)
                var rec = [UInt8](repeating: 0, count: WALSegment.fragmentHeaderSize) + payload
                WAL.frame(&rec, kind: .full, payloadOffset: WALSegment.fragmentHeaderSize, payloadLen: payload.count)
                bytes = Array(bytes[0..<second]) + rec + Array(bytes[second...])
            }
            try FileIO.writeFileAtomically(path, bytes)
            let before = segs.filter { $0 < k }.flatMap { bySegment[$0] ?? [] }
            let inK = bySegment[k] ?? []
            let after = segs.filter { $0 > k }.flatMap { bySegment[$0] ?? [] }
            expected = before + (kind == "bad header" ? [] : Array(inK.prefix(1))) + after
        }
        try await withServer({ $0.dataDir = dir }) { s in
            let got = try await Self.present(s)
            #expect(got.count == Self.series)
            for i in 0..<Self.series {
                #expect(got["\(i)"] == expected, "\(kind) in segment \(k) of \(segs): series \(i)")
            }
            #expect(try await Self.metric(s, "strata_wal_corruptions_total") == 1, "\(kind)")
            let info = try await HTTP.get(s.base + "/api/v1/status/runtimeinfo")
            #expect((info.data as? [String: Any])?["corruptionCount"] as? Int == 1)
            // Writes work after the repair.
            let w = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([
                (labels: [("__name__", "walc_after")], samples: [(Self.t0 + 500_000, 1)]),
            ]))
            #expect(w.status == 204)
        }
        print("wal corruption: \(kind) in segment \(k): recovered \(expected.count) of \(Self.commits) commits")
    }

    /// A block whose chunks fail their checksum is moved aside and reported;
    /// the other block keeps serving; queries over the bad block's range
    /// answer with nothing rather than with wrong data.
    @Test func corruptBlockIsQuarantinedAndOthersServe() async throws {
        let tmp = try TempDirectory("strata-block-corruption")
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        let ids: [String]
        do {
            let db = try Database.open(directory: dir, logger: quietLogger)
            var out: [String] = []
            for part in 0..<2 {
                let base = Self.t0 + Int64(part) * 4 * 3_600_000
                for k in 0..<40 {
                    var app = db.appender()
                    for i in 0..<Self.series { _ = try app.append(Self.labels(i), base + Int64(k) * 15_000, Double(part * 1000 + k)) }
                    _ = try await app.commit()
                }
                out += try db.flush().map(\.id)
            }
            try db.close()
            ids = out
        }
        #expect(ids.count == 2)
        let bad = ids[0]
        let chunkFile = dir + "/blocks/" + bad + "/chunks/000001"
        var bytes = try FileIO.readFile(chunkFile)
        bytes[bytes.count / 2] ^= 0xff
        try FileIO.writeFileAtomically(chunkFile, bytes)
        try await withServer({ $0.dataDir = dir }) { s in
            let st = try await HTTP.get(s.base + "/api/v1/status/tsdb")
            let data = st.data as? [String: Any]
            let q = data?["quarantinedBlocks"] as? [Any] ?? []
            #expect(q.count == 1, "\(st.text)")
            #expect("\(q)".contains(bad))
            #expect((data?["blocks"] as? [Any])?.count == 1)
            #expect(try await Self.metric(s, "strata_blocks_quarantined") == 1)
            func values(at t: Int64) async throws -> [Int] {
                let r = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "walc{i=\"0\"}[20m]"),
                                                                              ("time", PromNumber.formatTimestamp(t))]))
                #expect(r.status == 200)
                let res = (r.data as? [String: Any])?["result"] as? [[String: Any]] ?? []
                return res.flatMap { ($0["values"] as? [[Any]] ?? []).compactMap { ($0[1] as? String).flatMap(Double.init).map(Int.init) } }
            }
            #expect(try await values(at: Self.t0 + 4 * 3_600_000 + 600_000) == Array(1000..<1040))
            #expect(try await values(at: Self.t0 + 600_000) == [])
        }
        #expect(FileIO.exists(dir + "/blocks/quarantine/" + bad))
    }
}
