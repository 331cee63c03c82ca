import Foundation
import StrataServer
import StrataStorage
import StrataTestSupport
import Testing
@testable import StrataServer

/// Rule evaluation seen from outside: recording rules write series, a
/// failing rule shows its health and is counted in `/metrics`; routing and
/// mute windows pick receivers.
@Suite struct AlertingEvaluationTests {
    /// Prometheus' query functions in templates (`query`, `first`, `value`,
    /// `label`, `strvalue`, `sortByLabel`, `.Labels`/`.Value` of a sample),
    /// evaluated at the rule's evaluation time against the TSDB.
    @Test func templatesRunQueries() async throws {
        try await withServer { s in
            try await AlertTest.push(s, "probe_duration_seconds", ["instance": "b"], 0.75)
            try await AlertTest.push(s, "probe_duration_seconds", ["instance": "a"], 0.25)
            let annotations: [(String, String)] = [
                ("total", #"{{ query "sum(probe_duration_seconds)" | first | value }}"#),
                ("each", #"{{ range query "probe_duration_seconds" | sortByLabel "instance" }}{{ .Labels.instance }}={{ .Value }};{{ end }}"#),
                ("worst", #"{{ with query "topk(1, probe_duration_seconds)" }}{{ . | first | label "instance" }}{{ end }}"#),
                ("scalar", #"{{ query "1 + 1" | first | value }}"#),
                ("none", #"{{ with query "absent_metric" }}some{{ else }}none{{ end }}"#),
                ("name", #"{{ query "probe_duration_seconds" | first | strvalue }}|{{ (query "probe_duration_seconds" | first).Labels.__name__ }}"#),
                ("bad", #"{{ query "sum(" }}"#),
            ]
            let ann = annotations.map { "\"\($0.0)\":" + Self.jsonString($0.1) }.joined(separator: ",")
            let group = #"{"name":"q","interval":"1s","rules":[{"alert":"Slow","expr":"probe_duration_seconds{instance=\"b\"} > 0.5","annotations":{"# + ann + "}}]}"
            let r = try await AlertTest.postGroup(s, group)
            #expect(r.status == 201, "\(r.text)")
            let alert = try await AlertTest.waitForAlert(s, "Slow", state: "firing")
            let got = alert["annotations"] as? [String: String] ?? [:]
            #expect(got["total"] == "1")
            #expect(got["each"] == "a=0.25;b=0.75;")
            #expect(got["worst"] == "b")
            #expect(got["scalar"] == "2")
            #expect(got["none"] == "none")
            #expect(got["name"] == "|probe_duration_seconds")
            #expect(got["bad"]?.hasPrefix("<error expanding template: error calling query: ") == true, "\(got["bad"] ?? "")")
        }
    }

    static func jsonString(_ s: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [s], options: [.withoutEscapingSlashes]), as: UTF8.self).dropFirst().dropLast().description
    }

    @Test func recordingRulesWriteAndFailuresAreCounted() async throws {
        try await withServer { s in
            try await AlertTest.push(s, "reqs", ["job": "a", "instance": "1"], 3)
            try await AlertTest.push(s, "reqs", ["job": "a", "instance": "2"], 4)
            var r = try await AlertTest.postGroup(s, #"{"name":"rec","interval":"1s","rules":[{"record":"job:reqs:sum","expr":"sum by (job) (reqs)","labels":{"team":"x"}}]}"#)
            #expect(r.status == 201, "\(r.text)")
            // Limit 1, two alerts: the rule fails (Prometheus' group limit).
            r = try await AlertTest.postGroup(s, #"{"name":"limited","interval":"1s","limit":1,"rules":[{"alert":"Many","expr":"reqs > 0"}]}"#)
            #expect(r.status == 201, "\(r.text)")
            try await waitUntil(timeout: .seconds(60), "the recorded series") {
                !TSDB.samples(s.server.db, "job:reqs:sum", ["job": "a", "team": "x"]).isEmpty
            }
            #expect(TSDB.samples(s.server.db, "job:reqs:sum").first?.vs.first == 7)
            try await waitUntil(timeout: .seconds(60), "the failure in /metrics") {
                let prefix = "strata_rule_evaluation_failures_total{rule_group=\"limited\"} "
                let line = try await HTTP.get(s.base + "/metrics").text.split(separator: "\n").first { $0.hasPrefix(prefix) }
                return (line.flatMap { Double($0.dropFirst(prefix.count)) } ?? 0) >= 1
            }
            r = try await HTTP.get(HTTP.url(s.base, "/api/v1/rules", [("rule_group[]", "limited")]))
            let rule = (((r.data as? [String: Any])?["groups"] as? [[String: Any]])?.first?["rules"] as? [[String: Any]])?.first
            #expect(rule?["health"] as? String == "err")
            #expect((rule?["lastError"] as? String)?.contains("exceeded limit of 1") == true)
            #expect(try await AlertTest.alerts(s).isEmpty)

            // Deleting the group marks what it wrote stale at once.
            r = try await HTTP.request(s.base + "/api/v1/rules/rec", method: .DELETE)
            #expect(r.status == 200)
            try await waitUntil(timeout: .seconds(60), "a staleness marker") {
                TSDB.samples(s.server.db, "job:reqs:sum").first?.vs.last.map(TSDB.isStale) == true
            }
        }
    }

    @Test func routingBySeverityAndMuteWindows() throws {
        let v = try JSONValue.parse("""
        {"receivers":[{"name":"ops","webhook_url":"http://h/1"},{"name":"all","webhook_url":"http://h/2"}],
         "routes":[{"severity":"critical","receiver":"ops"},{"severity":"*","receiver":"all"}],
         "mute_windows":[{"name":"night","start":1000,"end":2000,"severities":["warning"]}]}
        """)
        let s = try AlertSettings.decode(v)
        #expect(s.receivers(severity: "critical", at: 0).map(\.name) == ["ops", "all"])
        #expect(s.receivers(severity: "warning", at: 0).map(\.name) == ["all"])
        #expect(s.receivers(severity: "warning", at: 1_500_000).isEmpty)
        #expect(s.receivers(severity: "critical", at: 1_500_000).map(\.name) == ["ops", "all"])
        #expect(s.receivers(severity: "warning", at: 2_000_000).map(\.name) == ["all"])
    }

    @Test func backoffDoublesUpToTheCap() {
        #expect((1...6).map { RetryBackoff.delay(attempt: $0, initial: 500, max: 8000) } == [500, 1000, 2000, 4000, 8000, 8000])
        #expect(RetryBackoff.delay(attempt: 200, initial: 500, max: 8000) == 8000)
        #expect(RetryBackoff.classify(status: 204) == .delivered)
        #expect(RetryBackoff.classify(status: 404) == .rejected(status: 404))
        #expect(RetryBackoff.classify(status: 503) == .retry(reason: "HTTP 503"))
    }

    @Test func fingerprintIsStableFNV() {
        // Independent of label insertion order; 16 hex digits.
        let a = AlertPayloads.fingerprint(Labels(["alertname": "X", "instance": "a"]))
        let b = AlertPayloads.fingerprint(Labels(["instance": "a", "alertname": "X"]))
        #expect(a == b && a.count == 16)
        #expect(a != AlertPayloads.fingerprint(Labels(["alertname": "X", "instance": "b"])))
    }
}
