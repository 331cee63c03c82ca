import Foundation
import Testing
import StrataTestSupport
@testable import StrataServer

/// Issue #7, disk full: the real binary ingests onto a small tmpfs until the
/// WAL runs into ENOSPC.
///
/// - Data that is not in the WAL never gets a 2xx: every batch answered 204
///   is read back exactly (count and sum per series), and no refused one is.
/// - Refused writes get 507 in Prometheus' error envelope, counted in
///   `strata_wal_write_errors_total{reason="no_space"}`.
/// - Reads keep working while the disk is full, and the server starts on a
///   full disk after `kill -9`.
/// - Writes resume once space is freed, without a restart.
/// - After `kill -9` and a restart nothing acknowledged is lost.
///
/// WAL segments are 256 KiB here, so the disk also fills up while a segment
/// is rolled over (the segment header write or its creation fails).
@Suite(.serialized) struct DiskFullTests {
    static let series = 100
    static let samplesPerBatch = 20
    /// Half a minute ago, on a second. Each batch is one second of data and
    /// the test sends dozens a second, so its data soon runs ahead of the
    /// clock (by at most ~5 min, within the 10 min future limit). That
    /// matters for the flushes: a flush refuses samples older than the
    /// newest it persisted, and the server writes series of its own at "now"
    /// (`strata_audit_events_total`, counting the audited flushes).
    static let t0: Int64 = (Int64(Date().timeIntervalSince1970) - 30) * 1000
    static let tmpfsBytes = 6 << 20
    static let fillerBytes = 1 << 20
    /// Bounds on every loop: at ~24 KB of WAL per batch, 6 MiB fill after
    /// ~250 batches.
    static let maxBatches = 1500
    static let maxSeconds: Double = 300

    /// Batch `k`: one sample per 50 ms over second k, for each series, with
    /// value 20k + j (exact in a Double, so sums are exact).
    static func batch(_ k: Int) -> [UInt8] {
        var samples: [(Int64, Double)] = []
        for j in 0..<samplesPerBatch {
            let t: Int64 = t0 + Int64(k) * 1000 + Int64(j) * 50
            samples.append((t, Double(k * samplesPerBatch + j)))
        }
        var all: [(labels: [(String, String)], samples: [(Int64, Double)])] = []
        for i in 0..<series { all.append((labels: [("__name__", "dfull"), ("i", String(i))], samples: samples)) }
        return HTTP.remoteWriteBody(all)
    }

    /// Why a tmpfs cannot be mounted here (nil: it can). Mounting needs root
    /// (or CAP_SYS_ADMIN); the test is skipped, saying so, without it.
    static let mountProblem: String? = {
        guard let tmp = try? TempDirectory("strata-tmpfs-probe") else { return "cannot create a temp directory" }
        defer { tmp.remove() }
        let (rc, out) = run(["/usr/bin/mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tmp.path])
        guard rc == 0 else { return "mount -t tmpfs failed (\(rc)): \(out)" }
        _ = run(["/usr/bin/umount", tmp.path])
        return nil
    }()

    static func run(_ args: [String]) -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: args[0])
        p.arguments = Array(args.dropFirst())
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (-1, "\(error)") }
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    /// Writes `path` until the file system is full; returns the bytes written.
    static func fillUp(_ path: String) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0x5a, count: 4096)
        var total = 0
        while total < 64 << 20 {
            let n = chunk.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            total += n
        }
        return total
    }

    struct Ingest {
        var acked: [Int] = []
        var refused: [(k: Int, status: Int, body: String)] = []
        var next = 0
    }

    /// Sends batches from `state.next` on until `stopAfterRefusals` were
    /// refused (or the bounds are reached). Transport errors fail the test:
    /// the server must stay up.
    static func ingest(_ base: String, _ state: inout Ingest, stopAfterRefusals: Int, maxBatches: Int) async throws {
        let started = Date()
        var refusals = 0
        let end = state.next + maxBatches
        while state.next < end, refusals < stopAfterRefusals, Date().timeIntervalSince(started) < maxSeconds {
            let k = state.next
            state.next += 1
            let r = try await HTTP.remoteWrite(base, batch(k))
            if r.status == 204 {
                state.acked.append(k)
            } else {
                state.refused.append((k, r.status, r.text))
                refusals += 1
            }
        }
    }

    /// Per series, the count and sum of samples the acknowledged batches wrote.
    static func expected(_ acked: [Int]) -> (count: Int, sum: Double) {
        let n = samplesPerBatch
        var sum = 0.0
        for k in acked { sum += Double(n * n * k + n * (n - 1) / 2) }
        return (acked.count * n, sum)
    }

    /// Reads back every series: exactly the acknowledged samples, nothing lost,
    /// nothing refused stored. Also checks one series point by point with query_range.
    @discardableResult
    static func checkReadable(_ base: String, _ state: Ingest, _ phase: String) async throws -> Int {
        let at = PromNumber.formatTimestamp(t0 + Int64(state.next) * 1000)
        let (count, sum) = expected(state.acked)
        var lost = 0
        for (fn, want) in [("count_over_time", Double(count)), ("sum_over_time", sum)] {
            let r = try await HTTP.get(HTTP.url(base, "/api/v1/query", [("query", "\(fn)(dfull[2h])"), ("time", at)]))
            #expect(r.status == 200, "\(phase): \(fn): \(r.status) \(r.text.prefix(300))")
            let result = (r.data as? [String: Any])?["result"] as? [[String: Any]] ?? []
            #expect(result.count == series, "\(phase): \(fn) found \(result.count) series")
            for s in result {
                let got = ((s["value"] as? [Any])?[1] as? String).flatMap(Double.init) ?? -1
                #expect(got == want, "\(phase): \(fn) of \(s["metric"] ?? "?") is \(got), acknowledged \(want)")
                if fn == "count_over_time" && got < want { lost += Int(want - got) }
            }
        }
        #expect(lost == 0, "\(phase): acknowledged samples lost: \(lost)")
        // query_range, step 1 s at the last sample of each second: batch k's value 20k+19.
        let r = try await HTTP.get(HTTP.url(base, "/api/v1/query_range", [
            ("query", "dfull{i=\"7\"}"), ("start", PromNumber.formatTimestamp(t0 + 950)),
            ("end", PromNumber.formatTimestamp(t0 + Int64(state.next - 1) * 1000 + 950)), ("step", "1"),
        ]))
        #expect(r.status == 200, "\(phase): query_range: \(r.status) \(r.text.prefix(300))")
        let values = (((r.data as? [String: Any])?["result"] as? [[String: Any]])?.first?["values"] as? [[Any]]) ?? []
        var byTime: [Int64: Double] = [:]
        for v in values {
            if let t = (v[0] as? NSNumber)?.doubleValue, let x = (v[1] as? String).flatMap(Double.init) {
                byTime[Int64((t * 1000).rounded())] = x
            }
        }
        var missing = 0
        for k in state.acked where byTime[t0 + Int64(k) * 1000 + 950] != Double(k * samplesPerBatch + samplesPerBatch - 1) {
            missing += 1
        }
        #expect(missing == 0, "\(phase): query_range misses \(missing) of \(state.acked.count) acknowledged batches")
        return lost
    }

    static func checkRefusals(_ refused: ArraySlice<(k: Int, status: Int, body: String)>, _ phase: String) {
        for f in refused {
            #expect(f.status == 507, "\(phase): batch \(f.k) refused with \(f.status), not 507: \(f.body.prefix(300))")
            #expect(f.body.contains("\"status\":\"error\"") && f.body.contains("no space left"),
                    "\(phase): batch \(f.k): not a Prometheus-style error naming the full disk: \(f.body.prefix(300))")
        }
    }

    @Test(.enabled(if: DiskFullTests.mountProblem == nil, "needs root to mount a tmpfs (mount -t tmpfs); see the printed reason"))
    func ingestUntilFullThenFreeAndRestart() async throws {
        let tmp = try TempDirectory("strata-diskfull")
        defer { tmp.remove() }
        let mnt = tmp.sub("mnt")
        try FileManager.default.createDirectory(atPath: mnt, withIntermediateDirectories: true)
        let (rc, out) = Self.run(["/usr/bin/mount", "-t", "tmpfs", "-o", "size=\(Self.tmpfsBytes)", "tmpfs", mnt])
        try #require(rc == 0, "cannot mount a tmpfs on \(mnt): \(out)")
        defer { _ = Self.run(["/usr/bin/umount", "-l", mnt]) }
        // The data directory is the mount itself: ServerProcess keeps its log
        // next to it (<mnt>.log), off the small file system.
        let config = tmp.sub("strata.yml")
        try "monitoring: {self_scrape: false, host_metrics: false}\nstorage: {wal_segment_size: 256KB}\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let args = ["--wal-fsync", "always", "--config", config]
        // Room to free later: a filler file on the same file system.
        let filler = mnt + "/filler"
        try #require(FileManager.default.createFile(atPath: filler, contents: Data(repeating: 0xa5, count: Self.fillerBytes)))

        var state = Ingest()
        var server = try ServerProcess.start(dataDir: mnt, extraArgs: args)
        defer { server.kill9() }

        // 1. Ingest until the disk is full, and 3 refusals more.
        try await Self.ingest(server.base, &state, stopAfterRefusals: 4, maxBatches: Self.maxBatches)
        let ackedBeforeFull = state.acked.count
        try #require(!state.refused.isEmpty, "no write was refused after \(state.next) batches: the disk never filled")
        #expect(ackedBeforeFull > 0)
        Self.checkRefusals(state.refused[...], "full")
        #expect(server.isRunning)

        // 2. Reads keep working while the disk is full; the refusals are counted.
        try await Self.checkReadable(server.base, state, "while full")
        let m = try await HTTP.get(server.base + "/metrics")
        #expect(m.text.contains("strata_wal_write_errors_total{reason=\"no_space\"}"), "refusals not counted in /metrics")
        // A block cut (flush: block, then WAL checkpoint) fails cleanly on the full disk.
        let flushFull = try await HTTP.request(server.base + "/api/v1/admin/tsdb/flush", method: .POST)
        #expect(flushFull.status == 507, "flush on a full disk: \(flushFull.status) \(flushFull.text.prefix(300))")
        #expect(server.isRunning)
        try await Self.checkReadable(server.base, state, "after a failed flush")

        // 3. Free space: writes resume without a restart.
        try FileManager.default.removeItem(atPath: filler)
        var resumed = state
        try await Self.ingest(server.base, &resumed, stopAfterRefusals: 1, maxBatches: 10)
        #expect(resumed.refused.count == state.refused.count,
                "writes did not resume after freeing space: \(resumed.refused.suffix(1).map { "\($0.status) \($0.body.prefix(200))" })")
        #expect(resumed.acked.count == state.acked.count + 10)
        state = resumed
        try await Self.checkReadable(server.base, state, "after freeing space")
        // The flush that failed succeeds now: the data moves into a block, the WAL is checkpointed.
        let flush = try await HTTP.request(server.base + "/api/v1/admin/tsdb/flush", method: .POST)
        #expect(flush.status == 200, "flush after freeing space: \(flush.status) \(flush.text.prefix(300))")
        try await Self.checkReadable(server.base, state, "after the flush")
        let leftovers = ((try? FileManager.default.subpathsOfDirectory(atPath: mnt)) ?? []).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty, "temporary files left behind: \(leftovers)")

        // 4. Fill up again (another file takes the rest), and kill -9 while full.
        let filler2 = mnt + "/filler2"
        let filled = Self.fillUp(filler2)
        #expect(filled > 0)
        let before = state.refused.count
        try await Self.ingest(server.base, &state, stopAfterRefusals: 2, maxBatches: 50)
        #expect(state.refused.count == before + 2, "the disk did not fill up again")
        Self.checkRefusals(state.refused[before...], "full again")
        server.kill9()

        // 5. The server starts on the full disk, everything acknowledged is
        //    there, and writes are refused until space is freed.
        server = try ServerProcess.start(dataDir: mnt, extraArgs: args)
        try await Self.checkReadable(server.base, state, "restarted while full")
        let before2 = state.refused.count
        try await Self.ingest(server.base, &state, stopAfterRefusals: 1, maxBatches: 1)
        if state.refused.count > before2 { Self.checkRefusals(state.refused[before2...], "restarted while full") }
        try FileManager.default.removeItem(atPath: filler2)
        let before3 = state.refused.count
        try await Self.ingest(server.base, &state, stopAfterRefusals: 1, maxBatches: 10)
        #expect(state.refused.count == before3, "writes did not resume after the restart: \(state.refused.suffix(1).map { "\($0.status) \($0.body.prefix(200))" })")

        // 6. kill -9 once more; after the restart nothing acknowledged is lost.
        server.kill9()
        server = try ServerProcess.start(dataDir: mnt, extraArgs: args)
        let lost = try await Self.checkReadable(server.base, state, "after the last restart")
        let (count, _) = Self.expected(state.acked)
        print("disk full: \(ackedBeforeFull) batches (\(ackedBeforeFull * Self.series * Self.samplesPerBatch) samples) acknowledged before ENOSPC on a \(Self.tmpfsBytes >> 20) MiB tmpfs; \(state.refused.count) batches refused with 507; \(state.acked.count) batches (\(count * Self.series) samples) acknowledged in all, 2 kill -9 restarts (one onto the full disk), lost \(lost)")
    }
}
