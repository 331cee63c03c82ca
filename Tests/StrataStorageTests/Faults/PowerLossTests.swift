#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Synchronization
import Testing
import StrataTestSupport
@testable import StrataStorage

/// Issue #7, simulated power loss: the real `Database` runs ingest (fsync
/// `always`), block cuts, WAL checkpoints, flushes and compactions while a
/// `SimulatedDisk` follows every file operation. At ≥ 500 random points the
/// durable state — file bytes as of their last fsync, directory entries as
/// of their directory's last fsync — is written out and opened: every
/// sample acknowledged before that point must be there. Half of the points
/// also keep a random part of each file's unsynced tail (a torn write).
@Suite(.serialized) struct PowerLossTests {
    static let writers = 2
    static let seriesPerWriter = 8
    static let commitsPerWriter = 160

    final class Acks: @unchecked Sendable {
        let lock = NSLock()
        /// (event count when acknowledged, writer, commit number)
        var list: [(Int, Int, Int)] = []
        func add(_ e: Int, _ w: Int, _ k: Int) { lock.lock(); list.append((e, w, k)); lock.unlock() }
    }

    static func labels(_ w: Int, _ i: Int) -> Labels {
        Labels(sorting: [Label("__name__", "pl"), Label("w", "\(w)"), Label("i", "\(i)")])
    }

    @Test func acknowledgedSamplesSurvivePowerLoss() async throws {
        let tmp = try MemoryTempDirectory("strata-powerloss")
        defer { tmp.remove() }
        let dir = tmp.sub("data")
        try FileIO.mkdirs(dir)
        let disk = SimulatedDisk(root: dir, snapshotChance: 0.45, seed: 20_261_129)
        Failpoints.trace(prefix: dir) { disk.record($0) }
        var opts = DatabaseOptions()
        opts.wal.fsync = .always
        opts.head.chunkRange = 10_000
        opts.compactionRanges = [10_000, 60_000, 360_000]
        opts.retention = 365 * 86_400_000
        let db = try Database.open(directory: dir, options: opts, logger: quietLogger)
        let acks = Acks()
        let t0: Int64 = 1_703_980_800_000
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<Self.writers {
                group.addTask {
                    for k in 0..<Self.commitsPerWriter {
                        var app = db.appender()
                        for i in 0..<Self.seriesPerWriter {
                            _ = try? app.append(Self.labels(w, i), t0 + Int64(k) * 1000, Double(k))
                        }
                        do {
                            let r = try await app.commit()
                            if r.appended == Self.seriesPerWriter { acks.add(disk.eventCount, w, k) }
                        } catch {
                            Issue.record("commit failed: \(error)")
                        }
                        await Task.yield()
                    }
                }
            }
            group.addTask {
                // Block cuts, checkpoints and compactions while the writers run.
                for round in 0..<40 {
                    do {
                        if round % 13 == 12 { try db.flush() } else { try db.runMaintenance() }
                    } catch {
                        Issue.record("maintenance failed: \(error)")
                    }
                    try? await Task.sleep(for: .milliseconds(5))
                }
            }
        }
        try db.close()
        Failpoints.untrace(prefix: dir)
        #expect(disk.unmodelled.isEmpty, "operations the model could not follow: \(disk.unmodelled)")
        let ackList = acks.lock.withLock { acks.list }.sorted { $0.0 < $1.0 }

        var points = 0, lostTotal = 0, checkedTotal = 0
        let any = try Matcher(.regexMatch, "__name__", ".+")
        for (n, snap) in disk.snapshots.enumerated() {
            for torn in [0.0, 0.5] where torn == 0 || n % 2 == 0 {
                let target = tmp.sub("crash-\(n)-\(torn)")
                try SimulatedDisk.materialize(snap.tree, into: target, tornTail: torn)
                points += 1
                let reopened: Database
                do {
                    reopened = try Database.open(directory: target, options: opts, logger: quietLogger)
                } catch {
                    Issue.record("open failed after power loss at event \(snap.events): \(error)")
                    continue
                }
                var present: [Labels: Set<Int64>] = [:]
                for s in reopened.querier(mint: .min, maxt: .max).select([any]) {
                    let (ts, _) = s.samples()
                    present[s.labels] = Set(ts)
                }
                var lost = 0
                for (e, w, k) in ackList where e <= snap.events {
                    for i in 0..<Self.seriesPerWriter where present[Self.labels(w, i)]?.contains(t0 + Int64(k) * 1000) != true {
                        lost += 1
                    }
                    checkedTotal += Self.seriesPerWriter
                }
                if lost > 0 { Issue.record("power loss at event \(snap.events) (torn \(torn)): \(lost) acknowledged samples lost") }
                lostTotal += lost
                try reopened.close()
                try FileIO.removeTree(target)
            }
        }
        print("power loss: \(disk.eventCount) file operations, \(points) crash points (\(disk.snapshots.count) strict + torn-tail variants), \(checkedTotal) acknowledged sample checks, \(lostTotal) lost")
        #expect(points >= 500)
        #expect(lostTotal == 0)
    }
}
