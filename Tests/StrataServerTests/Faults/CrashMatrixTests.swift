import Foundation
import Synchronization
import Testing
import StrataTestSupport
@testable import StrataServer

/// Issue #7, crash matrix: the real binary is stopped with `kill -9` (or,
/// through `STRATA_FAILPOINTS`, with `_exit` exactly between two file
/// operations) while it ingests, cuts blocks, checkpoints the WAL, compacts
/// and applies retention. 60 s blocks and a 100 ms maintenance loop make
/// those happen every few rounds.
///
/// After every restart: open succeeded, the `*.tmp` leftovers of the crash
/// are gone. Every 10 rounds and at the end: after a compaction no two blocks
/// of one resolution overlap. At the end: every acknowledged sample within
/// retention is there exactly once.
@Suite(.serialized) struct CrashMatrixTests {
    static let seriesPerShard = 20
    static let shards = 2
    /// Three days ago, on a block boundary: every sample is in the past.
    static let t0: Int64 = (Int64(Date().timeIntervalSince1970 * 1000) - 3 * 86_400_000) / 3_600_000 * 3_600_000
    static let retentionMs: Int64 = 20 * 60_000
    /// 60 s blocks: a cut every few rounds (each round adds ~8 s of data),
    /// cheap enough for a loaded machine to keep up with between kills.
    static let config = Mutex("")
    static var args: [String] {
        ["--block-range", "60s", "--maintenance-interval", "100ms", "--retention", "20m", "--config", config.withLock { $0 }]
    }

    static func batch(shard: Int, _ k: Int) -> [UInt8] {
        HTTP.remoteWriteBody((0..<seriesPerShard).map { i in
            (labels: [("__name__", "crash"), ("i", String(shard * seriesPerShard + i))],
             samples: [(t0 + Int64(k) * 1000, Double(k))])
        })
    }

    /// Where a failpoint may stop the process: every mutation of blocks (cut,
    /// compaction, rollups, retention's deletions), of WAL segments and of
    /// checkpoints, before and after the call.
    static let failpointTargets: [(op: String, path: String)] = [
        ("write", "blocks/"), ("fsync", "blocks/"), ("rename", "blocks/"), ("remove", "blocks/"), ("create", "blocks/"),
        ("write", "checkpoint"), ("fsync", "checkpoint"), ("rename", "checkpoint"), ("remove", "wal/"),
        ("write", "wal/0"), ("fsync", "wal/0"), ("truncate", "wal/"), ("remove", ".deleted.tmp"),
    ]

    enum Mode: String, CaseIterable { case ingest, flush, compact, failpoint }

    @Test func crashMatrix() async throws {
        let tmp = try TempDirectory("strata-crash-matrix")
        defer { tmp.remove() }
        let dataDir = tmp.sub("data")
        // Only the test's samples: self-monitoring would add data at "now",
        // and retention (relative to the newest data) would then delete the
        // test's past samples.
        let configPath = tmp.sub("strata.yml")
        try "monitoring: {self_scrape: false, host_metrics: false}\n".write(toFile: configPath, atomically: true, encoding: .utf8)
        Self.config.withLock { $0 = configPath }
        var rng = WorkloadRandom(seed: 7_2026_1129)
        var acked: [Set<Int>] = Array(repeating: [], count: Self.shards)
        var nextBatch = Array(repeating: 0, count: Self.shards)
        let rounds = Int(ProcessInfo.processInfo.environment["STRATA_CRASH_ROUNDS"] ?? "") ?? 220
        var byMode: [String: Int] = [:]
        var crashedInOpen = 0
        var failpointFired = 0
        for round in 0..<rounds {
            let mode = Mode.allCases[Int(rng.int(0...Int64(Mode.allCases.count - 1)))]
            var env: [String: String] = [:]
            var label = mode.rawValue
            if mode == .failpoint {
                let t = Self.failpointTargets[Int(rng.int(0...Int64(Self.failpointTargets.count - 1)))]
                let phase = rng.int(0...1) == 0 ? "before" : "after"
                let after = rng.int(0...2)
                env["STRATA_FAILPOINTS"] = "\(t.op):\(phase):\(t.path):\(after):crash"
                label = "failpoint \(t.op):\(phase):\(t.path)"
            }
            let leftovers = Self.tmpEntries(dataDir)
            let server: ServerProcess
            do {
                server = try ServerProcess.start(dataDir: dataDir, extraArgs: Self.args, environment: env)
            } catch ServerProcessError.exitedEarly(let status, let log) {
                // A failpoint crash while open() repairs the last crash: a kill point too.
                #expect(status == 137 && mode == .failpoint, "round \(round): open failed (\(status)): \(log)")
                crashedInOpen += 1
                byMode[label + " (in open)", default: 0] += 1
                continue
            }
            // Open removed what the previous crash left half-written.
            let still = Self.tmpEntries(dataDir).intersection(leftovers)
            #expect(still.isEmpty, "round \(round): leftovers after open: \(still)")

            // A failpoint round also waits for a flush and a compaction
            // after its writes, so that its file operation is likely to come.
            let ackTarget = Int(rng.int(2...14)) + (mode == .failpoint ? 10 : 0)
            let admin = Int(rng.int(0...Int64(ackTarget)))
            let acks = AckCounter()
            let starts = nextBatch
            let results = await withTaskGroup(of: (Int, [Int], Int).self) { group -> [(Int, [Int], Int)] in
                for shard in 0..<Self.shards {
                    group.addTask {
                        var ok: [Int] = []
                        var k = starts[shard]
                        while k < starts[shard] + 60 {
                            let r = try? await HTTP.remoteWrite(server.base, Self.batch(shard: shard, k))
                            k += 1
                            guard let r else { break }       // the server is gone
                            if r.status == 204 { ok.append(k - 1) } else if r.status >= 500 { break }
                            // 400: behind a flush's bound; not acknowledged, go on.
                            let n = acks.value.add(1, ordering: .relaxed).newValue
                            if n == admin && (mode == .flush || mode == .compact) {
                                let path = mode == .flush ? "/api/v1/admin/tsdb/flush" : "/api/v1/admin/tsdb/compact"
                                // Not awaited: the kill lands while it runs (or just after).
                                Task { _ = try? await HTTP.request(server.base + path, method: .POST) }
                            }
                            if n >= ackTarget { if mode != .failpoint { server.kill9() }; break }
                        }
                        return (shard, ok, k)
                    }
                }
                var out: [(Int, [Int], Int)] = []
                for await r in group { out.append(r) }
                return out
            }
            if mode == .failpoint {
                // A block cut and checkpoint, then merges, rollups and
                // retention. Only while the server still listens: the HTTP
                // client retries refused connections until its deadline.
                for path in ["/api/v1/admin/tsdb/flush", "/api/v1/admin/tsdb/compact"] where RawHTTP.isListening(port: server.port) {
                    _ = try? await HTTP.request(server.base + path, method: .POST, timeout: .seconds(30))
                }
            }
            server.kill9()
            byMode[label, default: 0] += 1
            if server.exitedByFailpoint { failpointFired += 1 }
            for (shard, ok, next) in results {
                acked[shard].formUnion(ok)
                // A batch whose answer was lost may or may not be stored: never resend its timestamp.
                nextBatch[shard] = next
            }
            if round % 10 == 9 { try await Self.checkNoOverlaps(dataDir, round: round) }
        }
        let server = try ServerProcess.start(dataDir: dataDir, extraArgs: Self.args)
        // kill -9 once more: a graceful stop would wait for the maintenance loop.
        defer { server.kill9() }
        _ = try await HTTP.request(server.base + "/api/v1/admin/tsdb/compact", method: .POST)
        try await Self.checkNoOverlaps(server, round: rounds)
        let end = Self.t0 + Int64(nextBatch.max()!) * 1000
        let r = try await HTTP.get(HTTP.url(server.base, "/api/v1/query", [
            ("query", "crash[1h]"), ("time", PromNumber.formatTimestamp(end)),
        ]))
        #expect(r.status == 200)
        let result = (r.data as? [String: Any])?["result"] as? [[String: Any]] ?? []
        #expect(result.count == Self.shards * Self.seriesPerShard)
        // Retention deletes whole blocks older than the newest data minus 20 m.
        var newest = 0
        var series: [(Int, [Int])] = []
        for s in result {
            let i = Int((s["metric"] as? [String: String])?["i"] ?? "") ?? -1
            let ks = (s["values"] as? [[Any]] ?? []).compactMap { ($0[1] as? String).flatMap(Double.init).map(Int.init) }
            newest = max(newest, ks.max() ?? 0)
            series.append((i, ks))
        }
        let oldestKept = newest - Int(Self.retentionMs / 1000)
        var lost = 0, checked = 0, duplicates = 0
        for (i, ks) in series {
            let shard = i / Self.seriesPerShard
            duplicates += ks.count - Set(ks).count
            let expected = acked[shard].filter { $0 >= oldestKept }
            lost += expected.subtracting(ks).count
            checked += expected.count
        }
        #expect(duplicates == 0)
        #expect(lost == 0, "acknowledged samples lost: \(lost) of \(checked)")
        #expect(checked > 0)
        let total = rounds
        print("crash matrix: \(total) kill points (\(crashedInOpen) during open, \(failpointFired) more by a failpoint between two file operations, the rest kill -9), survived \(total), acknowledged samples checked \(checked) (within retention), lost \(lost), duplicates \(duplicates)")
        for (m, n) in byMode.sorted(by: { $0.key < $1.key }) { print("  \(m): \(n)") }
    }

    /// `*.tmp` entries (with their inode, since a name can be reused) in blocks/ and wal/.
    static func tmpEntries(_ dataDir: String) -> Set<String> {
        var out: Set<String> = []
        for sub in ["blocks", "wal"] {
            let dir = dataDir + "/" + sub
            for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasSuffix(".tmp") {
                var st = stat()
                if stat(dir + "/" + name, &st) == 0 { out.insert("\(sub)/\(name)#\(st.st_ino)") }
            }
        }
        return out
    }

    /// Starts the server without failpoints, flushes, compacts, and checks the block list.
    static func checkNoOverlaps(_ dataDir: String, round: Int) async throws {
        let server = try ServerProcess.start(dataDir: dataDir, extraArgs: args)
        defer { server.kill9() }
        // Flush first: the head's backlog (rounds are shorter than a block
        // cut on a loaded machine) goes into blocks, so it stays bounded.
        let f = try await HTTP.request(server.base + "/api/v1/admin/tsdb/flush", method: .POST)
        #expect(f.status == 200, "flush: \(f.text)")
        let c = try await HTTP.request(server.base + "/api/v1/admin/tsdb/compact", method: .POST)
        #expect(c.status == 200, "compact: \(c.text)")
        try await checkNoOverlaps(server, round: round)
    }

    static func checkNoOverlaps(_ server: ServerProcess, round: Int) async throws {
        let st = try await HTTP.get(server.base + "/api/v1/status/tsdb")
        let blocks = (st.data as? [String: Any])?["blocks"] as? [[String: Any]] ?? []
        var byRes: [Int: [(Int64, Int64)]] = [:]
        for b in blocks {
            let res = (b["resolution"] as? Int) ?? -1
            byRes[res, default: []].append(((b["minTime"] as? NSNumber)?.int64Value ?? 0, (b["maxTime"] as? NSNumber)?.int64Value ?? 0))
        }
        for (res, list) in byRes {
            let sorted = list.sorted { $0.0 < $1.0 }
            for i in sorted.indices.dropFirst() {
                #expect(sorted[i].0 >= sorted[i - 1].1, "round \(round): overlapping blocks of resolution \(res): \(sorted[i - 1]) and \(sorted[i])")
            }
        }
    }
}
