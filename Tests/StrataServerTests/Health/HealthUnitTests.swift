import StrataEvents
import StrataStorage
import Testing
@testable import StrataServer

/// Health pieces without sockets: target labels, staleness, status rules,
/// URL and definition checks, /proc parsers, time formatting.
@Suite struct HealthUnitTests {
    @Test func targetLabelsWinAndDisplacedOnesAreExported() {
        let l = TargetLabeler(Labels(["job": "node", "instance": "h:9100", "env": "prod"]))
        let out = l.apply(Labels(["__name__": "m", "job": "app", "exported_job": "x", "mode": "idle", "empty": ""]))
        #expect(out == Labels([
            "__name__": "m", "job": "node", "instance": "h:9100", "env": "prod", "mode": "idle",
            "exported_job": "x", "exported_exported_job": "app",
        ]))
        #expect(l.report("up") == Labels(["__name__": "up", "job": "node", "instance": "h:9100", "env": "prod"]))
    }

    @Test func stalenessTrackerReportsWhatDisappeared() {
        var s = StalenessTracker()
        let a = Labels(["__name__": "a"]), b = Labels(["__name__": "b"]), c = Labels(["__name__": "c"])
        #expect(s.update([a, b]).isEmpty)
        #expect(s.update([a, c]) == [b])
        #expect(s.clear() == [a, c])
        #expect(s.update([a]).isEmpty)
        #expect(staleMarker.bitPattern == 0x7ff0_0000_0000_0002)
    }

    @Test func healthStatusRules() {
        var t = HealthTracker(timeoutSeconds: 1)
        func ok(_ d: Double = 0.01, warning: String? = nil) -> CheckOutcome {
            CheckOutcome(success: true, timestamp: 1, durationSeconds: d, warning: warning)
        }
        #expect(t.status.state == .unknown)
        #expect(t.record(ok()).state == .healthy)
        #expect(t.record(ok(0.9)).state == .degraded)  // slow: over 80 % of the timeout
        #expect(t.record(ok(warning: "2 refused")).state == .degraded)
        let down = t.record(CheckOutcome(success: false, timestamp: 2, durationSeconds: 1, error: "boom"))
        #expect(down.state == .down && down.lastError == "boom" && down.consecutiveFailures == 1)
        // Degraded while the failure is among the last 10 checks.
        for i in 1...9 { #expect(t.record(ok()).state == .degraded, "check \(i)") }
        #expect(t.record(ok()).state == .healthy)
        #expect(t.status.lastError == nil && t.status.checks == 14)
    }

    @Test func targetURLsAndDefinitions() throws {
        #expect(TargetURL.parse("http://Host:9100", defaultPath: "/metrics")?.string == "http://host:9100/metrics")
        #expect(TargetURL.parse("https://h/x?y=1")?.hostPort == "h:443")
        #expect(TargetURL.parse("http://[::1]:80/m")?.hostPort == "[::1]:80")
        #expect(TargetURL.parse("http://h?q", defaultPath: "/metrics")?.pathAndQuery == "/metrics?q")
        for bad in ["h:9100", "ftp://h", "http://", "http://h:0", "http://h:99999", "http://u:p@h/", "http://h/a b"] {
            #expect(TargetURL.parse(bad) == nil, "\(bad)")
        }
        let spec = try TargetSpec.decode(try JSONValue.parse(#"{"name":"My Web #1","url":"http://w:80","kind":"http","interval":2}"#), source: .api)
        #expect(spec.id == "my-web-1" && spec.intervalMs == 2000 && spec.timeoutMs == 2000)
        #expect(spec.job == "my-web-1" && spec.instance == "w:80")
        #expect(throws: TargetError.self) { try TargetSpec.decode(try JSONValue.parse(#"{"id":"a","url":"http://w","interval":"50ms"}"#), source: .api) }
        #expect(throws: TargetError.self) { try TargetSpec.decode(try JSONValue.parse(#"{"id":"a","url":"http://w","labels":{"a-b":"x"}}"#), source: .api) }
        #expect(throws: TargetError.self) { try TargetSpec.decode(try JSONValue.parse(#"{"id":"a","url":"http://w"}"#), source: .api, id: "b") }
        // Persisted definitions read back equal.
        let bytes = TargetStore.encode([spec])
        let back = try JSONValue.parse(bytes)
        guard case .array(let items)? = back["targets"] else { Issue.record("no targets"); return }
        #expect(try TargetSpec.decode(items[0], source: .api) == spec)
    }

    @Test func procParsers() {
        let stat = """
            cpu  4705 356 584 3699176 23 0 0 0 0 0
            cpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0
            btime 1700000000
            """
        let cpu = ProcParsers.cpuSeconds(procStat: stat, ticksPerSecond: 100)
        #expect(cpu.map(\.mode) == ProcParsers.cpuModes)
        #expect(cpu.first?.seconds == 47.05 && cpu[3].seconds == 36991.76)
        #expect(ProcParsers.bootTime(procStat: stat) == 1_700_000_000)
        #expect(ProcParsers.cpuSeconds(procStat: "cpu x y", ticksPerSecond: 100).isEmpty)
        let mem = ProcParsers.memInfo("MemTotal:       16384 kB\nMemAvailable:    8192 kB\nHugePages_Total:       0\nbroken line\n")
        #expect(mem["MemTotal"] == 16_777_216 && mem["MemAvailable"] == 8_388_608 && mem["HugePages_Total"] == 0)
        #expect(ProcParsers.loadAverage("0.52 0.58 0.59 1/467 12345\n")! == (0.52, 0.58, 0.59))
        #expect(ProcParsers.loadAverage("garbage") == nil)
        let disks = ProcParsers.diskStats("   8       0 sda 100 0 2048 0 50 0 4096 0 0 0 0\n bad\n")
        #expect(disks.count == 1 && disks[0].device == "sda" && disks[0].readBytes == 2048 * 512 && disks[0].writtenBytes == 4096 * 512)
        let p = ProcParsers.processStat("42 (strata (x)) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 8 0 777 1000 10")
        #expect(p?.utimeTicks == 250 && p?.stimeTicks == 50 && p?.startTicks == 777)
        #expect(ProcParsers.processStat("no parens") == nil)
        #expect(ProcParsers.statm("1000 200 30 4 0 50 0\n")! == (1000, 200))
    }

    @Test func timeFormatting() {
        #expect(RFC3339.format(0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.format(1_764_374_400_123) == "2025-11-29T00:00:00.123Z")
        #expect(RFC3339.format(951_782_400_000) == "2000-02-29T00:00:00.000Z")
        #expect(RFC3339.format(-1) == "1969-12-31T23:59:59.999Z")
        #expect(PromDurationText.format(15_000) == "15s")
        #expect(PromDurationText.format(90_500) == "1m30s500ms")
        #expect(PromDurationText.format(0) == "0s")
    }
}
