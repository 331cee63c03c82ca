import Foundation
import StrataTestSupport
import Testing

/// `strata serve` re-reads its rule files on SIGHUP (a real process, since
/// in-process test servers do not trap signals).
@Suite struct AlertingReloadSignalTests {
    @Test func sighupReloadsRuleFiles() async throws {
        let tmp = try TempDirectory("alert-sighup")
        defer { tmp.remove() }
        let rules = tmp.sub("rules.yml")
        try "groups:\n  - name: before\n    rules:\n      - record: a:b\n        expr: vector(1)\n".write(toFile: rules, atomically: true, encoding: .utf8)
        let cfg = tmp.sub("strata.yml")
        try "rule_files:\n  - \(rules)\nmonitoring:\n  self_scrape: false\n  host_metrics: false\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(dataDir: tmp.sub("data"), extraArgs: ["--config", cfg])
        defer { server.terminate() }
        #expect(try await HTTP.get(server.base + "/api/v1/rules/before").status == 200)
        try "groups:\n  - name: after\n    rules:\n      - record: c:d\n        expr: vector(2)\n".write(toFile: rules, atomically: true, encoding: .utf8)
        kill(server.process.processIdentifier, SIGHUP)
        try await waitUntil(timeout: .seconds(60), "the reload") {
            try await HTTP.get(server.base + "/api/v1/rules/after").status == 200
        }
        #expect(try await HTTP.get(server.base + "/api/v1/rules/before").status == 404)
        // Still running after the signal.
        #expect(server.process.isRunning)
    }
}
