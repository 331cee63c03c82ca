import Foundation
import StrataCodec
import StrataStorage
import StrataTestSupport
import Testing

@testable import StrataBench

@Suite struct InProcessIngestTests {
    /// The in-process phase commits every generated sample (paced over two
    /// tasks, as the HTTP runner sends them), flushes them into blocks, and
    /// the database holds exactly what the workload generated.
    @Test func commitsEveryGeneratedSample() async throws {
        let tmp = try TempDirectory("strata-inprocess-test")
        defer { tmp.remove() }
        let w = NodeWorkload(hosts: 3, start: 1_700_000_000_000)
        let load = LoadGenerator(connections: 2, batchSamples: 700).generate(w, rounds: 40)
        let dir = tmp.sub("data")
        let r = try await InProcessIngest(directory: dir, timeoutSeconds: 600, maxLeadRounds: 4)
            .run(load, progress: ProgressLine(enabled: false))
        #expect(r.samples == load.samples)
        #expect(r.rejected == 0)
        #expect(!r.timedOut)
        #expect(r.blockBytes > 0)
        #expect(r.blockBytesPerSample > 0 && r.blockBytesPerSample < 16)

        // Reopened, the blocks hold every sample of every series.
        let db = try Database.open(directory: dir, logger: quietLogger)
        defer { try? db.close() }
        var n = 0
        var ts: [Int64] = [], vs: [Double] = []
        var d = ChunkIterator()
        for series in db.querier(mint: .min, maxt: .max).select([try Matcher(.regexMatch, "__name__", ".+")]) {
            ts.removeAll(keepingCapacity: true)
            vs.removeAll(keepingCapacity: true)
            series.appendSamples(ts: &ts, vs: &vs, decoder: &d)
            n += vs.count
        }
        #expect(n == load.samples)
    }
}
