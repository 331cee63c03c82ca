import Foundation
import StrataServer
import StrataTestSupport
import Testing

/// A real Alertmanager (Debian `prometheus-alertmanager`) on loopback gets
/// the alert through `POST /api/v2/alerts`, lists it, and drops it once
/// Strata sends it resolved.
@Suite(.serialized) struct AlertmanagerPeerTests {
    @Test func alertmanagerReceivesFiringAndResolved() async throws {
        let tmp = try TempDirectory("alertmanager")
        defer { tmp.remove() }
        let cfg = tmp.sub("am.yml")
        try """
        route:
          receiver: blackhole
          group_wait: 0s
        receivers:
          - name: blackhole
        """.write(toFile: cfg, atomically: true, encoding: .utf8)
        let port = PeerProcess.freePort()
        let am = try PeerProcess("prometheus-alertmanager", [
            "--config.file=\(cfg)", "--storage.path=\(tmp.sub("am-data"))",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=",
        ], logTo: tmp.sub("am.log"))
        defer { am.stop() }
        let amURL = "http://127.0.0.1:\(port)"
        try await waitUntil(timeout: .seconds(60), "alertmanager ready") { try await HTTP.get(amURL + "/-/ready").status == 200 }

        func listed(_ name: String) async throws -> Bool {
            let r = try await HTTP.get(amURL + "/api/v2/alerts")
            let list = (try? JSONSerialization.jsonObject(with: Data(r.body))) as? [[String: Any]] ?? []
            return list.contains { ($0["labels"] as? [String: String])?["alertname"] == name }
        }

        try await withServer { s in
            var r = try await AlertTest.putSettings(s, #"{"receivers":[{"name":"am","alertmanager_url":"\#(amURL)"}]}"#)
            #expect(r.status == 200, "\(r.text)")
            r = try await AlertTest.postGroup(s, AlertingEndToEndTests.group())
            #expect(r.status == 201)
            try await AlertTest.push(s, "probe_duration_seconds", ["instance": "a"], 0.9)
            try await waitUntil(timeout: .seconds(60), "alertmanager lists the alert") { try await listed("HighLatency") }
            try await AlertTest.push(s, "probe_duration_seconds", ["instance": "a"], 0.1)
            try await waitUntil(timeout: .seconds(60), "alertmanager resolves the alert") { try await !listed("HighLatency") }
        }
    }
}
