import Foundation
import StrataServer
import StrataStorage
import StrataTestSupport
import Testing

/// The rules, alerts, settings and history APIs over real HTTP.
@Suite struct AlertingAPITests {
    static let group = """
    {"name":"latency","interval":"1s","rules":[{"alert":"HighLatency","expr":"probe_duration_seconds > 0.5","for":"0s",\
    "labels":{"severity":"critical"},"annotations":{"summary":"{{ $labels.instance }} is slow"}},\
    {"record":"job:probe:max","expr":"max by (job) (probe_duration_seconds)"}]}
    """

    @Test func createListGetPutDeleteGroup() async throws {
        try await withServer { s in
            var r = try await AlertTest.postGroup(s, Self.group)
            #expect(r.status == 201, "\(r.text)")
            r = try await AlertTest.postGroup(s, Self.group)
            #expect(r.status == 409)

            r = try await HTTP.get(s.base + "/api/v1/rules")
            let groups = (r.data as? [String: Any])?["groups"] as? [[String: Any]] ?? []
            #expect(groups.count == 1)
            #expect(groups.first?["name"] as? String == "latency")
            #expect(groups.first?["interval"] as? Int == 1)
            let rules = groups.first?["rules"] as? [[String: Any]] ?? []
            #expect(rules.map { $0["type"] as? String } == ["alerting", "recording"])
            #expect(rules.first?["query"] as? String == "probe_duration_seconds > 0.5")
            #expect(rules.allSatisfy { $0["health"] != nil && $0["evaluationTime"] != nil && $0["lastEvaluation"] != nil })

            r = try await HTTP.get(s.base + "/api/v1/rules?type=record")
            let only = ((r.data as? [String: Any])?["groups"] as? [[String: Any]])?.first?["rules"] as? [[String: Any]]
            #expect(only?.count == 1)

            r = try await HTTP.get(s.base + "/api/v1/rules/latency")
            #expect(r.status == 200)
            #expect((r.data as? [String: Any])?["name"] as? String == "latency")

            let yaml = """
            name: latency
            interval: 2s
            rules:
              - alert: Slow
                expr: probe_duration_seconds > 1
            """
            r = try await HTTP.request(s.base + "/api/v1/rules/latency", method: .PUT, body: Array(yaml.utf8))
            #expect(r.status == 200, "\(r.text)")
            r = try await HTTP.get(s.base + "/api/v1/rules/latency")
            let rr = (r.data as? [String: Any])?["rules"] as? [[String: Any]]
            #expect(rr?.count == 1 && rr?.first?["alert"] as? String == "Slow")

            r = try await HTTP.request(s.base + "/api/v1/rules/latency", method: .DELETE)
            #expect(r.status == 200)
            r = try await HTTP.get(s.base + "/api/v1/rules/latency")
            #expect(r.status == 404)
        }
    }

    @Test func badExpressionIs400NamingThePosition() async throws {
        try await withServer { s in
            let json = #"{"name":"g","rules":[{"alert":"A","expr":"rate(x[5m]) >"}]}"#
            var r = try await AlertTest.postGroup(s, json)
            #expect(r.status == 400)
            #expect(r.errorType == "bad_data")
            #expect(r.error?.contains("expr: 1:") == true, "\(r.error ?? "")")

            let yaml = "name: g\nrules:\n  - alert: A\n    expr: sum(x\n"
            r = try await AlertTest.postGroup(s, yaml)
            #expect(r.status == 400)
            // The rule file position of the expression (line 4, column 11) and the position inside it.
            #expect(r.error?.hasPrefix("4:11:") == true, "\(r.error ?? "")")
            #expect(r.error?.contains("expr: 1:") == true, "\(r.error ?? "")")

            r = try await AlertTest.postGroup(s, #"{"name":"g","interval":"fast","rules":[]}"#)
            #expect(r.status == 400)
        }
    }

    @Test func apiGroupsSurviveRestart() async throws {
        let tmp = try TempDirectory("alert-persist")
        defer { tmp.remove() }
        var s = try await AlertTest.start(dataDir: tmp.sub("data"))
        let r = try await AlertTest.postGroup(s, Self.group)
        #expect(r.status == 201)
        await s.stop()
        s = try await AlertTest.start(dataDir: tmp.sub("data"))
        let g = try await HTTP.get(s.base + "/api/v1/rules/latency")
        #expect(g.status == 200)
        await s.stop()
    }

    @Test func ruleFilesLoadAndReload() async throws {
        let tmp = try TempDirectory("alert-files")
        defer { tmp.remove() }
        let file = tmp.sub("rules.yml")
        try "groups:\n  - name: fromfile\n    rules:\n      - record: a:b\n        expr: vector(1)\n".write(toFile: file, atomically: true, encoding: .utf8)
        try await withServer({ $0.ruleFiles = [file] }) { s in
            var r = try await HTTP.get(s.base + "/api/v1/rules/fromfile")
            #expect(r.status == 200)
            // File groups are read-only through the API.
            r = try await HTTP.request(s.base + "/api/v1/rules/fromfile", method: .DELETE)
            #expect(r.status == 409)
            try "groups:\n  - name: second\n    rules:\n      - record: c:d\n        expr: vector(2)\n".write(toFile: file, atomically: true, encoding: .utf8)
            r = try await HTTP.post(s.base + "/-/reload", "")
            #expect(r.status == 200)
            #expect(try await HTTP.get(s.base + "/api/v1/rules/fromfile").status == 404)
            #expect(try await HTTP.get(s.base + "/api/v1/rules/second").status == 200)
            // A broken file keeps the old rules and says why.
            try "groups:\n  - name: second\n    rules:\n      - record: c:d\n        expr: vector(\n".write(toFile: file, atomically: true, encoding: .utf8)
            r = try await HTTP.post(s.base + "/-/reload", "")
            #expect(r.status == 400)
            #expect(r.error?.contains("rules.yml:5:") == true, "\(r.error ?? "")")
            #expect(try await HTTP.get(s.base + "/api/v1/rules/second").status == 200)
            // Both reloads are in the audit log, with their results.
            let audit = try await HTTP.get(HTTP.url(s.base, "/api/v1/audit/events", [("range", "last_1h"), ("type", "security")]))
            let events = ((audit.data as? [String: Any])?["events"] as? [[String: Any]]) ?? []
            let reloads = events.filter { $0["action"] as? String == "config_reload" }
            let results = reloads.compactMap { ($0["attributes"] as? [String: Any])?["result"] as? String }
            #expect(results.sorted() == ["failure", "success"], "\(audit.text.prefix(2000))")
        }
    }

    /// `rule_files:` entries are globs, as in Prometheus: expanded again at
    /// every reload (a new file is picked up), matching nothing is no error,
    /// and relative entries in a config file are relative to its directory.
    @Test func ruleFileGlobsExpandAtEveryReload() async throws {
        let tmp = try TempDirectory("alert-globs")
        defer { tmp.remove() }
        try FileManager.default.createDirectory(atPath: tmp.sub("rules"), withIntermediateDirectories: true)
        func group(_ name: String) -> String {
            "groups:\n  - name: \(name)\n    rules:\n      - record: \(name):x\n        expr: vector(1)\n"
        }
        try group("ga").write(toFile: tmp.sub("rules/a.yml"), atomically: true, encoding: .utf8)
        try group("gb").write(toFile: tmp.sub("rules/b.yml"), atomically: true, encoding: .utf8)
        try group("skipped").write(toFile: tmp.sub("rules/c.txt"), atomically: true, encoding: .utf8)
        let config = tmp.sub("strata.yml")
        try "rule_files:\n  - rules/*.yml\n  - none/*.yml\n".write(toFile: config, atomically: true, encoding: .utf8)
        let loaded = try ServeConfig.load(yaml: config)
        #expect(loaded.ruleFiles == [tmp.sub("rules/*.yml"), tmp.sub("none/*.yml")])
        try await withServer({ $0.ruleFiles = loaded.ruleFiles }) { s in
            func names() async throws -> [String] {
                let r = try await HTTP.get(s.base + "/api/v1/rules")
                let groups = ((r.data as? [String: Any])?["groups"] as? [[String: Any]]) ?? []
                return groups.compactMap { $0["name"] as? String }.sorted()
            }
            #expect(try await names() == ["ga", "gb"])
            try group("gc").write(toFile: tmp.sub("rules/c.yml"), atomically: true, encoding: .utf8)
            let r = try await HTTP.post(s.base + "/-/reload", "")
            #expect(r.status == 200, "\(r.text)")
            #expect(try await names() == ["ga", "gb", "gc"])
        }
    }

    @Test func settingsAreValidatedAndPersisted() async throws {
        let tmp = try TempDirectory("alert-settings")
        defer { tmp.remove() }
        var s = try await AlertTest.start(dataDir: tmp.sub("data"))
        var r = try await AlertTest.putSettings(s, #"{"receivers":[{"name":"ops","webhook_url":"ftp://x"}]}"#)
        #expect(r.status == 400)
        #expect(r.error?.contains("receivers[0].webhook_url") == true, "\(r.error ?? "")")
        r = try await AlertTest.putSettings(s, #"{"receivers":[{"name":"ops","webhook_url":"http://127.0.0.1:1/x"}],"routes":[{"severity":"critical","receiver":"nobody"}]}"#)
        #expect(r.status == 400)
        #expect(r.error?.contains("routes[0].receiver") == true, "\(r.error ?? "")")
        let good = #"{"receivers":[{"name":"ops","webhook_url":"http://127.0.0.1:1/x"},{"name":"am","alertmanager_url":"http://127.0.0.1:2"}],"routes":[{"severity":"critical","receiver":"ops"}],"mute_windows":[{"name":"m","start":"2030-01-01T00:00:00Z","end":"2030-01-01T01:00:00Z","severities":["warning"]}],"toast_severities":["critical"]}"#
        r = try await AlertTest.putSettings(s, good)
        #expect(r.status == 200, "\(r.text)")
        await s.stop()
        s = try await AlertTest.start(dataDir: tmp.sub("data"))
        r = try await HTTP.get(s.base + "/api/v1/alert-settings")
        let d = r.data as? [String: Any]
        #expect((d?["receivers"] as? [[String: Any]])?.count == 2)
        #expect((d?["toast_severities"] as? [String]) == ["critical"])
        #expect((d?["mute_windows"] as? [[String: Any]])?.first?["start"] as? String == "2030-01-01T00:00:00Z")
        await s.stop()
    }
}
