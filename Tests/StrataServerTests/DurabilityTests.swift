import Foundation
import Synchronization
import Testing
import StrataTestSupport
@testable import StrataServer

/// Acknowledged writes survive `kill -9` of the real binary, at many random
/// moments, with nothing duplicated.
@Suite(.serialized) struct DurabilityTests {
    static let seriesPerShard = 25
    static let shards = 2
    /// An hour ago: recent data, as a live sender writes it. (Data a year old
    /// is cut into blocks by the restarted server as stale head data, after
    /// which later batches fall before its min valid time and get 400.)
    static let t0: Int64 = (Int64(Date().timeIntervalSince1970) - 3600) * 1000

    /// Batch `k` of `shard` writes one sample per series of the shard at t0 + k·1 s with value k.
    /// Like Prometheus' remote-write shards, each shard owns its series and sends in order.
    static func batch(shard: Int, _ k: Int) -> [UInt8] {
        HTTP.remoteWriteBody((0..<seriesPerShard).map { i in
            (labels: [("__name__", "dur"), ("i", String(shard * seriesPerShard + i))],
             samples: [(t0 + Int64(k) * 1000, Double(k))])
        })
    }

    @Test func acknowledgedSamplesSurviveKill9() async throws {
        let tmp = try TempDirectory("strata-durability")
        defer { tmp.remove() }
        let dataDir = tmp.sub("data")
        var rng = WorkloadRandom(seed: 20_261_129)
        // acked[shard] = batch numbers answered 204.
        var acked: [Set<Int>] = Array(repeating: [], count: Self.shards)
        var nextBatch = Array(repeating: 0, count: Self.shards)
        let kills = 24
        for round in 0..<kills {
            let server = try ServerProcess.start(dataDir: dataDir)
            // Kill once a random number of batches were acknowledged, while the
            // other shard's request is (usually) in flight.
            let ackTarget = Int(rng.int(1...15))
            let acks = AckCounter()
            let starts = nextBatch
            let results = await withTaskGroup(of: (Int, [Int], Int, String).self) { group -> [(Int, [Int], Int, String)] in
                for shard in 0..<Self.shards {
                    group.addTask {
                        var ok: [Int] = []
                        var k = starts[shard]
                        var stop = ""
                        // Bounded: at most 100 batches per round.
                        while k < starts[shard] + 100 {
                            let body = Self.batch(shard: shard, k)
                            var r: HTTPResult?
                            var failure = ""
                            do { r = try await HTTP.remoteWrite(server.base, body) } catch { failure = "\(error)" }
                            k += 1
                            guard let r, r.status == 204 else {   // the server is gone
                                stop = r.map { "HTTP \($0.status): \($0.text.prefix(300))" } ?? failure
                                break
                            }
                            ok.append(k - 1)
                            if acks.value.add(1, ordering: .relaxed).newValue >= ackTarget { server.kill9(); break }
                        }
                        return (shard, ok, k, stop)
                    }
                }
                var out: [(Int, [Int], Int, String)] = []
                for await r in group { out.append(r) }
                return out
            }
            server.kill9()
            for (shard, ok, next, _) in results {
                acked[shard].formUnion(ok)
                // A batch whose answer was lost may or may not be stored; never resend its timestamp.
                nextBatch[shard] = next
            }
            #expect(results.contains { !$0.1.isEmpty }, "round \(round) acknowledged nothing: \(results.map(\.3))")
        }
        // Restart once more and read everything back.
        let server = try ServerProcess.start(dataDir: dataDir)
        defer { server.terminate() }
        let end = Self.t0 + Int64(nextBatch.max()!) * 1000
        let r = try await HTTP.get(HTTP.url(server.base, "/api/v1/query", [
            ("query", "dur[1d]"), ("time", PromNumber.formatTimestamp(end)),
        ]))
        #expect(r.status == 200)
        let result = (r.data as? [String: Any])?["result"] as? [[String: Any]] ?? []
        #expect(result.count == Self.shards * Self.seriesPerShard)
        var lost = 0, checked = 0
        for series in result {
            let i = Int((series["metric"] as? [String: String])?["i"] ?? "") ?? -1
            let shard = i / Self.seriesPerShard
            let values = series["values"] as? [[Any]] ?? []
            let ks = values.compactMap { ($0[1] as? String).flatMap(Double.init).map(Int.init) }
            #expect(Set(ks).count == ks.count, "duplicates in series \(i)")
            lost += acked[shard].subtracting(ks).count
            checked += acked[shard].count
        }
        #expect(lost == 0, "acknowledged samples lost: \(lost) of \(checked)")
        print("durability: \(kills) kill -9 rounds, \(checked) acknowledged samples checked, \(lost) lost")
        #expect(checked > kills * Self.seriesPerShard)
    }
}

final class AckCounter: Sendable {
    let value = Atomic<Int>(0)
}
