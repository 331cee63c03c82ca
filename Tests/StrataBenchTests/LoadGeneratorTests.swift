import PropertyBased
import StrataCodec
import StrataIngest
import StrataStorage
import StrataTestSupport
import Testing

@testable import StrataBench

@Suite struct LoadGeneratorTests {
    struct Decoded {
        var connection: Int
        var request: Int
        var labels: Labels
        var timestamps: [Int64]
        var values: [Double]
    }

    /// Decompresses and decodes every request, as a server would.
    static func decode(_ load: GeneratedLoad) throws -> [Decoded] {
        var out: [Decoded] = []
        var raw: [UInt8] = []
        var decoder = WriteRequestDecoder()
        for (c, bodies) in load.connections.enumerated() {
            for (i, body) in bodies.enumerated() {
                try Snappy.decompress(body.bytes, into: &raw)
                #expect(raw.count == body.rawBytes)
                var batch = IngestBatch()
                try decoder.decode(raw, into: &batch)
                #expect(batch.sampleCount == body.samples)
                for s in batch.series {
                    #expect(s.labelsSorted)
                    out.append(Decoded(
                        connection: c, request: i, labels: s.labels,
                        timestamps: Array(batch.timestamps[s.samples]), values: Array(batch.values[s.samples])))
                }
            }
        }
        return out
    }

    @Test func everySampleArrivesOnceInOrderOnOneConnection() async throws {
        await propertyCheck(count: 20, input: Gen.int(in: 1...4), Gen.int(in: 1...3_000), Gen.int(in: 1...30)) { conns, batch, rounds in
            let w = ChurnWorkload(slots: 7, seed: UInt64(batch))
            let load = LoadGenerator(connections: conns, batchSamples: batch).generate(w, rounds: rounds)
            #expect(load.samples == rounds * w.activeSeries + load.staleMarkers)
            #expect(load.connections.count == conns)
            let decoded: [Decoded]
            do { decoded = try Self.decode(load) } catch {
                Issue.record("decode failed: \(error)")
                return
            }
            // Reference: the same rounds, straight from the generator.
            var g = w.makeRoundGenerator()
            var r = WorkloadRound()
            var expected: [Labels: [Int64]] = [:]
            for _ in 0..<rounds {
                g.next(into: &r)
                for i in 0..<r.count { expected[w.labels(series: r.series[i]), default: []].append(r.timestamps[i]) }
            }
            var got: [Labels: [Int64]] = [:]
            var connectionOf: [Labels: Int] = [:]
            for d in decoded {
                got[d.labels, default: []] += d.timestamps
                if let c = connectionOf[d.labels] { #expect(c == d.connection, "\(d.labels) on two connections") }
                connectionOf[d.labels] = d.connection
            }
            #expect(got == expected)
            for (c, bodies) in load.connections.enumerated() {
                for (i, b) in bodies.enumerated() {
                    #expect(b.samples <= batch)
                    #expect(b.firstRound <= b.lastRound)
                    if i > 0 { #expect(bodies[i - 1].lastRound <= b.firstRound, "connection \(c) goes back in rounds") }
                    if i + 1 < bodies.count { #expect(b.samples == batch, "only a connection's last request is short") }
                }
            }
        }
    }

    @Test func nodeDefaultShape() throws {
        // 2 hosts × 100 series, 10 scrapes, 2 connections, 500-sample requests.
        let load = LoadGenerator(connections: 2, batchSamples: 500).generate(NodeWorkload(hosts: 2), rounds: 10)
        #expect(load.samples == 2_000)
        #expect(load.series == 200)
        #expect(load.requests == 4)
        #expect(load.staleMarkers == 0)
        let decoded = try Self.decode(load)
        // 100 series per connection, 5 samples each per request, in time order.
        #expect(decoded.count == 400)
        for d in decoded {
            #expect(d.timestamps.count == 5)
            #expect(d.timestamps == d.timestamps.sorted())
        }
        #expect(load.minTime >= NodeWorkload().start - 10)
        #expect(load.maxTime < NodeWorkload().start + 10 * 15_000 + 15_000)
    }
}
