import StrataCodec
import StrataIngest
import StrataStorage
import StrataTestSupport

/// The generate phase: turns a workload's rounds into remote write requests
/// for `connections` connections, before anything is sent, so that the
/// ingest phase measures the server and not the generator.
///
/// Series `s` always travels on connection `s % connections` (remote write
/// shards by series too), and each connection's requests follow the rounds
/// in order. Within a request, a series' samples are grouped into one
/// `TimeSeries` in time order. So no series ever arrives out of order,
/// whatever the connections' interleaving; `IngestPacer` bounds how far one
/// connection may run ahead of the others in data time.
public struct LoadGenerator {
    public let connections: Int
    public let batchSamples: Int

    public init(connections: Int, batchSamples: Int) {
        precondition(connections > 0 && batchSamples > 0)
        self.connections = connections
        self.batchSamples = batchSamples
    }

    /// Generates `rounds` rounds of `workload`. `progress` is called after
    /// every round with the number of rounds done.
    public func generate<W: WorkloadRounds>(
        _ workload: W, rounds: Int, progress: (Int) -> Void = { _ in }
    ) -> GeneratedLoad {
        var gen = workload.makeRoundGenerator()
        var round = WorkloadRound()
        var pending = [Pending](repeating: Pending(), count: connections)
        var out = [[RemoteWriteBody]](repeating: [], count: connections)
        var encoder = BodyEncoder()
        var labels: [Labels?] = []
        var samples = 0, stale = 0
        var minT = Int64.max, maxT = Int64.min
        for r in 0..<rounds {
            gen.next(into: &round)
            for i in 0..<round.count {
                let s = round.series[i], t = round.timestamps[i], v = round.values[i]
                if s >= labels.count { labels.append(contentsOf: repeatElement(nil, count: s + 1 - labels.count)) }
                if labels[s] == nil { labels[s] = workload.labels(series: s) }
                if v.bitPattern == workloadStaleNaN.bitPattern { stale += 1 }
                minT = min(minT, t)
                maxT = max(maxT, t)
                let c = s % connections
                pending[c].append(s, t, v, round: r)
                if pending[c].count >= batchSamples {
                    out[c].append(encoder.encode(&pending[c], labels: labels))
                }
            }
            samples += round.count
            progress(r + 1)
        }
        for c in 0..<connections where pending[c].count > 0 {
            out[c].append(encoder.encode(&pending[c], labels: labels))
        }
        return GeneratedLoad(
            connections: out, samples: samples, staleMarkers: stale,
            series: labels.reduce(0) { $0 + ($1 == nil ? 0 : 1) }, rounds: rounds,
            minTime: samples == 0 ? 0 : minT, maxTime: samples == 0 ? 0 : maxT)
    }

    /// Samples collected for one connection's next request, in arrival order.
    struct Pending {
        var series: [Int] = []
        var timestamps: [Int64] = []
        var values: [Double] = []
        var firstRound = 0
        var lastRound = 0

        var count: Int { series.count }

        mutating func append(_ s: Int, _ t: Int64, _ v: Double, round: Int) {
            if series.isEmpty { firstRound = round }
            lastRound = round
            series.append(s)
            timestamps.append(t)
            values.append(v)
        }

        mutating func removeAll() {
            series.removeAll(keepingCapacity: true)
            timestamps.removeAll(keepingCapacity: true)
            values.removeAll(keepingCapacity: true)
        }
    }

    /// Groups pending samples by series (stable, so time order within a
    /// series is kept), encodes a `WriteRequest` and compresses it.
    struct BodyEncoder {
        var order: [Int] = []
        var ts: [Int64] = []
        var vs: [Double] = []
        var raw: [UInt8] = []
        var compressed: [UInt8] = []

        mutating func encode(_ p: inout Pending, labels: [Labels?]) -> RemoteWriteBody {
            let series = p.series
            order.removeAll(keepingCapacity: true)
            order.append(contentsOf: 0..<p.count)
            order.sort { series[$0] != series[$1] ? series[$0] < series[$1] : $0 < $1 }
            raw.removeAll(keepingCapacity: true)
            var i = 0
            while i < order.count {
                let s = series[order[i]]
                ts.removeAll(keepingCapacity: true)
                vs.removeAll(keepingCapacity: true)
                while i < order.count && series[order[i]] == s {
                    ts.append(p.timestamps[order[i]])
                    vs.append(p.values[order[i]])
                    i += 1
                }
                ts.withUnsafeBufferPointer { tb in
                    vs.withUnsafeBufferPointer { vb in
                        WriteRequestEncoder.appendTimeSeries(labels: labels[s]!, timestamps: tb, values: vb, to: &raw)
                    }
                }
            }
            Snappy.compress(raw, into: &compressed)
            let body = RemoteWriteBody(
                bytes: Array(compressed), samples: p.count, rawBytes: raw.count, firstRound: p.firstRound, lastRound: p.lastRound)
            p.removeAll()
            return body
        }
    }
}
