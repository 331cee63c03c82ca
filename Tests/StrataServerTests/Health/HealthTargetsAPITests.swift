import Foundation
import StrataStorage
import StrataTestSupport
import Testing
@testable import StrataServer

/// `/api/v1/targets`: create, read, replace, delete, validation errors in
/// Prometheus' envelope, config targets read-only, changes persisted.
@Suite struct HealthTargetsAPITests {
    static func json(_ s: String) -> [UInt8] { Array(s.utf8) }

    @Test func crudValidationAndPersistence() async throws {
        let flap = try await FlappingTarget.start()
        defer { Task { await flap.stop() } }
        let tmp = try TempDirectory("strata-targets")
        defer { tmp.remove() }
        let dataDir = tmp.sub("data")
        let configure: (inout ServeConfig) -> Void = { cfg in
            cfg.dataDir = dataDir
            cfg.monitoring.selfScrape = false
            cfg.monitoring.hostMetrics = false
            cfg.targets = [TargetSpec(id: "from-config", url: "http://127.0.0.1:\(flap.port)/probe", kind: .http,
                                      intervalMs: 60_000, source: .config)]
        }
        try await withServer(configure) { s in
            let url = s.base + "/api/v1/targets"
            // Create.
            let created = try await HTTP.request(url, method: .POST, body: Self.json("""
                {"id":"web","name":"Web","url":"http://127.0.0.1:\(flap.port)","kind":"prometheus","interval":"250ms","timeout":"200ms","labels":{"env":"test"}}
                """))
            #expect(created.status == 201, "\(created.text)")
            let t = created.data as? [String: Any]
            #expect(t?["scrapeUrl"] as? String == "http://127.0.0.1:\(flap.port)/metrics")
            #expect((t?["labels"] as? [String: String]) == ["env": "test", "job": "web", "instance": "127.0.0.1:\(flap.port)"])
            #expect(t?["scrapeInterval"] as? String == "250ms")
            // It is scraped.
            try await waitUntil(timeout: .seconds(20), "web scraped") {
                TSDB.samples(s.server.db, "up", ["job": "web"]).first?.vs.last == 1
            }
            // Listed in Prometheus' shape.
            let list = try await HTTP.get(url)
            let active = (list.data as? [String: Any])?["activeTargets"] as? [[String: Any]] ?? []
            #expect(Set(active.compactMap { $0["id"] as? String }) == ["from-config", "web"])
            #expect(active.first { $0["id"] as? String == "web" }?["health"] as? String == "up")
            #expect(((list.data as? [String: Any])?["droppedTargets"] as? [Any])?.isEmpty == true)

            // Validation errors are 400 bad_data.
            for bad in [
                #"{"url":"ftp://x"}"#, #"{"id":"-x","url":"http://a:1"}"#, #"{"id":"a","url":"http://a:1","interval":"1s","timeout":"2s"}"#,
                #"{"id":"a","url":"http://a:1","kind":"smtp"}"#, #"{"id":"a","url":"http://a:1","labels":{"__x":"y"}}"#,
                #"{"id":"a","url":"http://a:1","intervall":"1s"}"#, "[1,2", #"{"id":"a"}"#,
            ] {
                let r = try await HTTP.request(url, method: .POST, body: Self.json(bad))
                #expect(r.status == 400, "\(bad): \(r.status) \(r.text)")
                #expect(r.errorType == "bad_data", "\(bad)")
            }
            // Duplicate id, config targets, same job+instance: 409.
            let dup = try await HTTP.request(url, method: .POST, body: Self.json(#"{"id":"web","url":"http://127.0.0.1:1"}"#))
            #expect(dup.status == 409)
            let cfgPut = try await HTTP.request(url + "/from-config", method: .PUT, body: Self.json(#"{"url":"http://127.0.0.1:1"}"#))
            #expect(cfgPut.status == 409)
            #expect(cfgPut.error?.contains("config file") == true)
            let clash = try await HTTP.request(url, method: .POST, body: Self.json(
                #"{"id":"web2","url":"http://127.0.0.1:\#(flap.port)/other","labels":{"job":"web"}}"#))
            #expect(clash.status == 409, "\(clash.text)")
            #expect(try await HTTP.get(url + "/nope").status == 404)
            #expect(try await HTTP.request(url + "/nope", method: .DELETE).status == 404)

            // Replace (PUT) and create-by-PUT.
            let put = try await HTTP.request(url + "/web", method: .PUT, body: Self.json(
                #"{"url":"http://127.0.0.1:\#(flap.port)/metrics","interval":"300ms","labels":{"env":"prod"}}"#))
            #expect(put.status == 200, "\(put.text)")
            #expect(((put.data as? [String: Any])?["labels"] as? [String: String])?["env"] == "prod")
            let probe = try await HTTP.request(url + "/ping", method: .PUT, body: Self.json(
                #"{"url":"http://127.0.0.1:\#(flap.port)/probe","kind":"http","interval":"1m"}"#))
            #expect(probe.status == 200)
            // The replaced target's old series were marked stale.
            try await waitUntil(timeout: .seconds(20), "old series stale") {
                TSDB.samples(s.server.db, "up", ["job": "web", "env": "test"]).first.map { TSDB.isStale($0.vs.last!) } == true
            }
            // Delete.
            let del = try await HTTP.request(url + "/ping", method: .DELETE)
            #expect(del.status == 200)
            #expect(try await HTTP.get(url + "/ping").status == 404)
        }
        // The API's targets survived a restart; the file is the documented format.
        let file = dataDir + "/targets.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("{\"version\":1,\"targets\":["))
        #expect(!FileManager.default.fileExists(atPath: file + ".tmp"))
        try await withServer(configure) { s in
            let ids = s.server.monitor.targets().map(\.spec.id)
            #expect(ids == ["from-config", "web"])
            #expect(s.server.monitor.target("web")?.spec.intervalMs == 300)
            #expect(s.server.monitor.target("web")?.spec.source == .api)
        }
    }

    @Test func targetsFromYAML() throws {
        let cfg = try ServeConfig.parse(yaml: """
            targets:
              - id: node
                url: http://10.0.0.5:9100
                interval: 30s
                labels: {env: prod}
              - name: Shop front
                url: https://shop.example/health
                kind: http
            monitoring:
              self_scrape: false
              host_metrics_interval: 5s
            realtime:
              tick: 250ms
              replay_buffer: 10
            """)
        #expect(cfg.targets.count == 2)
        #expect(cfg.targets[0].url == "http://10.0.0.5:9100/metrics")
        #expect(cfg.targets[0].intervalMs == 30_000 && cfg.targets[0].timeoutMs == 10_000)
        #expect(cfg.targets[0].instance == "10.0.0.5:9100")
        #expect(cfg.targets[1].id == "shop-front")
        #expect(cfg.targets[1].instance == "shop.example:443")
        #expect(cfg.monitoring.selfScrape == false)
        #expect(cfg.monitoring.hostMetricsIntervalMs == 5000)
        #expect(cfg.realtime.tick == .milliseconds(250))
        #expect(cfg.realtime.replayBuffer == 10)
        #expect(throws: ConfigError.self) { try ServeConfig.parse(yaml: "targets:\n  - url: gopher://x\n") }
        #expect(throws: ConfigError.self) { try ServeConfig.parse(yaml: "targets:\n  - {id: a, url: 'http://a:1'}\n  - {id: a, url: 'http://b:1'}\n") }
        #expect(throws: ConfigError.self) { try ServeConfig.parse(yaml: "realtime:\n  tik: 1s\n") }
    }
}
