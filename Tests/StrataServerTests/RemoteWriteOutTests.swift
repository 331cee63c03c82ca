import Foundation
import Testing
import StrataStorage
import StrataTestSupport
@testable import StrataServer

/// Remote write out into a real VictoriaMetrics 1.79 (Debian), and
/// at-least-once delivery across a restart of Strata.
@Suite(.serialized) struct RemoteWriteOutTests {
    static func startVM(_ tmp: TempDirectory) async throws -> (PeerProcess, String) {
        let port = PeerProcess.freePort()
        let vm = try PeerProcess("victoria-metrics", [
            "-storageDataPath=\(tmp.sub("vm"))", "-httpListenAddr=127.0.0.1:\(port)",
            "-search.latencyOffset=0s", "-retentionPeriod=100y",
        ], logTo: tmp.sub("vm.log"))
        let base = "http://127.0.0.1:\(port)"
        try await waitUntil(timeout: .seconds(30), "victoria-metrics ready") {
            try await HTTP.get(base + "/health").status == 200
        }
        return (vm, base)
    }

    /// Samples VictoriaMetrics holds for `selector`, as series-labels → [(t, v)].
    static func vmSamples(_ base: String, _ selector: String) async throws -> [String: [String]] {
        _ = try await HTTP.get(base + "/internal/force_flush")
        let r = try await HTTP.get(HTTP.url(base, "/api/v1/export", [("match[]", selector)]))
        var out: [String: [String]] = [:]
        for line in r.text.split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let metric = obj["metric"] as? [String: String],
                  let values = obj["values"] as? [Double], let ts = obj["timestamps"] as? [Int64] else { continue }
            let key = metric.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            out[key] = zip(ts, values).map { "\($0.0)@\($0.1)" }
        }
        return out
    }

    static let t0 = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000 - 3_600_000

    static func batch(_ k: Int, series: Int = 20) -> [UInt8] {
        HTTP.remoteWriteBody((0..<series).map { i in
            (labels: [("__name__", i % 2 == 0 ? "fwd_even" : "fwd_odd"), ("i", String(i))],
             samples: [(t0 + Int64(k) * 1000, Double(k * 100 + i))])
        })
    }

    @Test func forwardsMatchingSeriesToVictoriaMetrics() async throws {
        let tmp = try TempDirectory("strata-rw-out")
        defer { tmp.remove() }
        let (vm, vmBase) = try await Self.startVM(tmp)
        defer { vm.stop() }
        try await withServer({ cfg in
            var t = RemoteWriteTarget(url: vmBase + "/api/v1/write", name: "vm")
            t.match = ["fwd_even"]
            t.maxSamplesPerSend = 7   // several requests per poll
            cfg.remoteWrite = [t]
            // Prometheus' global.external_labels: added where a series lacks the name.
            cfg.externalLabels = Labels(["cluster": "eu1", "i": "not-this"])
        }) { s in
            for k in 0..<30 {
                #expect(try await HTTP.remoteWrite(s.base, Self.batch(k)).status == 204)
            }
            try await waitUntil(timeout: .seconds(60), "victoria-metrics has every forwarded sample") {
                let got = try await Self.vmSamples(vmBase, "{__name__=~\"fwd_.*\"}")
                return got.count == 10 && got.values.allSatisfy { $0.count == 30 }
            }
            let got = try await Self.vmSamples(vmBase, "{__name__=~\"fwd_.*\"}")
            // Only the matching series, with exactly the values Strata
            // acknowledged and the external label (the series' own `i` wins).
            #expect(got.keys.allSatisfy { $0.contains("__name__=fwd_even") })
            #expect(got["__name__=fwd_even,cluster=eu1,i=4"] == (0..<30).map { "\(Self.t0 + Int64($0) * 1000)@\(Double($0 * 100 + 4))" })
            let m = try await HTTP.get(s.base + "/metrics")
            #expect(m.text.contains("strata_remote_write_samples_sent_total{remote_name=\"vm\""))
        }
    }

    @Test func nothingIsLostAcrossARestartWhileTheReceiverIsDown() async throws {
        let tmp = try TempDirectory("strata-rw-restart")
        defer { tmp.remove() }
        // VictoriaMetrics is not running yet: Strata must keep the data.
        let vmPort = PeerProcess.freePort()
        let config = """
        remote_write:
          - url: http://127.0.0.1:\(vmPort)/api/v1/write
            name: vm
        """
        try config.write(toFile: tmp.sub("strata.yml"), atomically: true, encoding: .utf8)
        let dataDir = tmp.sub("data")
        var server = try ServerProcess.start(dataDir: dataDir, extraArgs: ["--config", tmp.sub("strata.yml")])
        for k in 0..<10 { #expect(try await HTTP.remoteWrite(server.base, Self.batch(k)).status == 204) }
        server.kill9()
        server = try ServerProcess.start(dataDir: dataDir, extraArgs: ["--config", tmp.sub("strata.yml")])
        defer { server.terminate() }
        for k in 10..<20 { #expect(try await HTTP.remoteWrite(server.base, Self.batch(k)).status == 204) }
        // Now the receiver comes up on the configured port.
        let vm = try PeerProcess("victoria-metrics", [
            "-storageDataPath=\(tmp.sub("vm"))", "-httpListenAddr=127.0.0.1:\(vmPort)",
            "-search.latencyOffset=0s", "-retentionPeriod=100y",
        ], logTo: tmp.sub("vm.log"))
        defer { vm.stop() }
        let vmBase = "http://127.0.0.1:\(vmPort)"
        try await waitUntil(timeout: .seconds(90), "every sample reached VictoriaMetrics") {
            let got = try await Self.vmSamples(vmBase, "{__name__=~\"fwd_.*\"}")
            return got.count == 20 && got.values.allSatisfy { $0.count == 20 }
        }
    }
}
