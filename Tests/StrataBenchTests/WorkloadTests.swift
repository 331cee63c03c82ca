import PropertyBased
import StrataStorage
import StrataTestSupport
import Testing

@Suite struct WorkloadTests {
    /// Collects `rounds` rounds of `w` as per-series (t, v bits) lists.
    static func collect<W: WorkloadRounds>(_ w: W, rounds: Int) -> [Int: [(Int64, UInt64)]] {
        var g = w.makeRoundGenerator()
        var r = WorkloadRound()
        var out: [Int: [(Int64, UInt64)]] = [:]
        for _ in 0..<rounds {
            g.next(into: &r)
            #expect(Set(r.series).count == r.count, "a series appears at most once per round")
            for i in 0..<r.count { out[r.series[i], default: []].append((r.timestamps[i], r.values[i].bitPattern)) }
        }
        return out
    }

    @Test func nodeRoundsAreTheNodeWorkloadsScrapes() {
        let w = NodeWorkload(hosts: 3, seed: 7)
        let got = Self.collect(w, rounds: 40)
        #expect(got.count == 300)
        for s in [0, 99, 150, 299] {
            let (ts, vs) = w.samples(series: s, scrapes: 0..<40)
            #expect(got[s]!.map(\.0) == ts)
            #expect(got[s]!.map(\.1) == vs.map(\.bitPattern))
        }
    }

    @Test func devopsIsTSBSCpuOnly() {
        let w = DevopsWorkload(hosts: 4, seed: 3, start: 1_000_000, intervalMs: 10_000)
        let got = Self.collect(w, rounds: 50)
        #expect(got.count == 40)
        for (s, samples) in got {
            #expect(samples.map(\.0) == (0..<50).map { 1_000_000 + Int64($0) * 10_000 })
            for (_, bits) in samples {
                let v = Double(bitPattern: bits)
                #expect(v >= 0 && v <= 100 && v == v.rounded(), "series \(s): integer percentage, got \(v)")
            }
            let l = w.labels(series: s)
            #expect(l.count == 11)
            #expect(l.metricName == "cpu_" + DevopsWorkload.fields[s % 10])
            #expect(l["hostname"] == "host_\(s / 10)")
            #expect(l.pairs.map(\.name) == l.pairs.map(\.name).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            do { try l.validate() } catch { Issue.record("invalid labels \(l): \(error)") }
        }
        // Same seed, same data; another seed, other data.
        #expect(Self.collect(w, rounds: 5)[7]!.map(\.1) == got[7]!.prefix(5).map(\.1))
        let other = Self.collect(DevopsWorkload(hosts: 4, seed: 4, start: 1_000_000), rounds: 5)
        #expect(other[7]!.map(\.1) != got[7]!.prefix(5).map(\.1))
    }

    @Test func churnSeriesComeAndGoWithStalenessMarkers() async {
        await propertyCheck(count: 12, input: Gen.uint64(), Gen.int(in: 1...40)) { seed, slots in
            let w = ChurnWorkload(slots: slots, seed: seed)
            var g = w.makeRoundGenerator()
            var r = WorkloadRound()
            var last: [Int: Int64] = [:]
            var ended = Set<Int>()
            // 8 h of 15 s rounds: every slot turns over several times.
            for _ in 0..<1_920 {
                g.next(into: &r)
                var live = 0
                for i in 0..<r.count {
                    let s = r.series[i], t = r.timestamps[i]
                    #expect(!ended.contains(s), "series \(s) reappears after its staleness marker")
                    if let p = last[s] { #expect(t > p, "series \(s) goes back in time") }
                    last[s] = t
                    if r.values[i].bitPattern == workloadStaleNaN.bitPattern { ended.insert(s) } else { live += 1 }
                }
                #expect(live == w.activeSeries)
            }
            #expect(ended.count >= slots * ChurnWorkload.seriesPerPod * 3, "pods turn over every 20–100 min")
            for s in [0, 4, last.keys.max()!] {
                let l = w.labels(series: s)
                #expect(Labels(sorting: l.pairs) == l)
                #expect(l["pod"] != nil && l["namespace"] != nil && l["node"] != nil)
                do { try l.validate() } catch { Issue.record("invalid labels \(l): \(error)") }
            }
        }
    }
}
