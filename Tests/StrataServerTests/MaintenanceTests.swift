import Foundation
import Testing
import StrataTestSupport
@testable import StrataServer

/// Issue #5: the background maintenance service, its configuration, and
/// `strata import` (the real binary).
@Suite(.serialized) struct MaintenanceTests {
    @Test func backgroundCompactionMakesRollupsWithoutTheAdminCall() async throws {
        let data = CompactionAPITests.Data(days: 1)
        try await withServer({ $0.compactionInterval = 100 }) { s in
            let imp = try await HTTP.request(s.base + "/api/v1/admin/tsdb/import?format=csv", method: .POST, body: Array(data.csv.utf8))
            #expect(imp.status == 200)
            let start = CompactionAPITests.base + CompactionAPITests.hour, end = CompactionAPITests.base + 24 * CompactionAPITests.hour
            // Only rollups answer a forced 1 h resolution; the service makes them on its own.
            try await waitUntil(timeout: .seconds(120), "background rollups") {
                let r = try await CompactionAPITests.rangeQuery(s, "count_over_time(resp_time[1h])", start: start, end: end,
                                                                step: "1h", resolution: "1h")
                return CompactionAPITests.matrix(r)["h0"]?.count == 24
            }
            // Ingestion goes on next to it.
            let now = Int64(Date().timeIntervalSince1970) * 1000
            let w = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([(labels: [("__name__", "live")], samples: [(now, 1)])]))
            #expect(w.status == 204)
        }
    }

    @Test func configKeys() throws {
        let c = try ServeConfig.parse(yaml: """
        retention: 15d
        retention_size: 512MB
        rollup_retention: {5m: 90d, 1h: 1y}
        compaction_interval: 30s
        """)
        #expect(c.retention == 15 * 86_400_000)
        #expect(c.retentionBytes == 512 << 20)
        #expect(c.rollupRetention5m == 90 * 86_400_000)
        #expect(c.rollupRetention1h == 365 * 86_400_000)
        #expect(c.compactionInterval == 30_000)
        #expect(throws: ConfigError.self) { try ServeConfig.parse(yaml: "retention_size: lots\n") }
        #expect(throws: ConfigError.self) { try ServeConfig.parse(yaml: "rollup_retention: {10m: 1d}\n") }
        #expect(ByteSize.parse("20GB") == 20 << 30)
        #expect(ByteSize.parse("1024") == 1024)
        #expect(ByteSize.parse("7kb") == 7 << 10)
        #expect(ByteSize.parse("GB") == nil)
        #expect(ByteSize.parse("-1MB") == nil)
    }

    /// Runs the `strata` binary; returns its exit status and output.
    static func strata(_ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ServerProcess.binary)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func strataImportBackfillsADataDirectory() async throws {
        let tmp = try TempDirectory("strata-import")
        defer { tmp.remove() }
        let data = CompactionAPITests.Data(days: 1)
        try data.csv.write(toFile: tmp.sub("history.csv"), atomically: true, encoding: .utf8)
        let om = "# TYPE om_gauge gauge\nom_gauge{a=\"b\"} 5 1700006407\n# EOF\n"
        try om.write(toFile: tmp.sub("more.om"), atomically: true, encoding: .utf8)
        let dir = tmp.sub("data")
        let (status, output) = try Self.strata(["import", tmp.sub("history.csv"), tmp.sub("more.om"), "--data-dir", dir, "--compact"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("\(data.times.count * 4) samples"), "\(output)")
        #expect(output.contains("compacted:"), "\(output)")
        let bad = try Self.strata(["import", tmp.sub("history.csv"), "--data-dir", dir, "--format", "xml"])
        #expect(bad.0 != 0)

        let server = try ServerProcess.start(dataDir: dir)
        defer { server.terminate() }
        // The directory is locked while a server has it open.
        let locked = try Self.strata(["import", tmp.sub("more.om"), "--data-dir", dir])
        #expect(locked.0 != 0, "\(locked.1)")
        let r = try await CompactionAPITests.rangeQuery(base: server.base, "count_over_time(resp_time[1h])",
                                                        start: CompactionAPITests.base + CompactionAPITests.hour,
                                                        end: CompactionAPITests.base + 24 * CompactionAPITests.hour, step: "1h", resolution: "raw")
        #expect(CompactionAPITests.matrix(r)["h1"]?.count == 24, "\(r.text)")
        let q = try await HTTP.get(HTTP.url(server.base, "/api/v1/query", [("query", "om_gauge"), ("time", "1700006410")]))
        #expect(q.text.contains("\"5\""), "\(q.text)")
    }
}
