import Foundation
import StrataServer
import StrataStorage
import StrataTestSupport
import Testing

/// The figures of issue #9 (run with
/// `STRATA_ALERT_BENCH=1 swift test -c release --filter AlertingBenchmark`):
///
/// - latency from ingesting the crossing sample to the WebSocket `alert`
///   and to the webhook delivery, with a 1 s group interval;
/// - CPU time of 1,000 alerting rules evaluated every 15 s.
///
/// Printed, not asserted: the machine is shared.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["STRATA_ALERT_BENCH"] == "1"))
struct AlertingBenchmarkTests {
    static func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

    static func pct(_ xs: [Double], _ p: Double) -> Double {
        let s = xs.sorted()
        return s[min(s.count - 1, Int((Double(s.count) * p).rounded(.up)) - 1)]
    }

    @Test(arguments: ["1s", "15s"])
    func crossingLatency(_ interval: String) async throws {
        let hook = try await WebhookReceiver.start()
        defer { Task { await hook.stop() } }
        try await withServer { s in
            _ = try await AlertTest.putSettings(s, #"{"receivers":[{"name":"ops","webhook_url":"\#(hook.url)"}]}"#)
            let ws = try await RealtimeTestClient.connect(s.ws("alerts"))
            _ = try await AlertTest.postGroup(s, AlertingEndToEndTests.group().replacingOccurrences(of: "\"interval\":\"1s\"", with: "\"interval\":\"\(interval)\""))
            var toWS: [Double] = [], toHook: [Double] = []
            let rounds = Int(ProcessInfo.processInfo.environment["STRATA_ALERT_ROUNDS"] ?? "40") ?? 40
            for i in 0..<rounds {
                let before = ws.messages.count
                let hooksBefore = hook.hits.count
                let t0 = ContinuousClock.now
                try await AlertTest.push(s, "probe_duration_seconds", ["instance": "a"], 0.9)
                _ = try await ws.first("alert", after: before, timeout: .seconds(60)) { $0.string("state") == "firing" }
                toWS.append(Self.ms(ContinuousClock.now - t0))
                let hits = try await hook.waitFor("webhook \(i)") { $0.count > hooksBefore && $0.dropFirst(hooksBefore).contains { $0.status == "firing" } }
                let h = hits.dropFirst(hooksBefore).first { $0.status == "firing" }!
                toHook.append(Self.ms(h.receivedAt - t0))
                let b2 = ws.messages.count
                try await AlertTest.push(s, "probe_duration_seconds", ["instance": "a"], 0.1)
                _ = try await ws.first("alert", after: b2, timeout: .seconds(60)) { $0.string("state") == "resolved" }
            }
            print("ALERT-BENCH interval \(interval)")
            print(String(format: "ALERT-BENCH crossing→WebSocket ms: p50 %.0f p99 %.0f max %.0f (n=%d)",
                         Self.pct(toWS, 0.5), Self.pct(toWS, 0.99), toWS.max()!, toWS.count))
            print(String(format: "ALERT-BENCH crossing→webhook  ms: p50 %.0f p99 %.0f max %.0f (n=%d)",
                         Self.pct(toHook, 0.5), Self.pct(toHook, 0.99), toHook.max()!, toHook.count))
            await ws.close()
        }
    }

    /// 1,000 alerting rules over 1,000 series (10 groups of 100), interval 15 s;
    /// process CPU time over four intervals, idle baseline subtracted.
    @Test func thousandRulesCPU() async throws {
        try await withServer { s in
            var lines = ""
            let now = AlertTest.nowMs()
            for i in 0..<1000 { lines += "{\"labels\":{\"__name__\":\"temp\",\"sensor\":\"s\(i)\"},\"samples\":[[\(now), \(i % 100)]]}\n" }
            var r = try await HTTP.post(s.base + "/api/v1/import", lines)
            #expect(r.status == 204)
            let idle = try await Self.cpu(over: .seconds(30))
            for g in 0..<10 {
                var rules: [String] = []
                for j in 0..<100 {
                    let i = g * 100 + j
                    rules.append(#"{"alert":"Hot\#(i)","expr":"temp{sensor=\"s\#(i)\"} > 90","for":"1m","labels":{"severity":"warning"}}"#)
                }
                r = try await AlertTest.postGroup(s, #"{"name":"g\#(g)","interval":"15s","rules":[\#(rules.joined(separator: ","))]}"#)
                #expect(r.status == 201)
            }
            let busy = try await Self.cpu(over: .seconds(60))
            let pct = (busy - idle * 2) / 60 * 100
            print(String(format: "ALERT-BENCH 1000 rules @15s: CPU %.2f s in 60 s (idle %.2f s per 30 s) → %.2f %% of one core", busy, idle, pct))
            let rr = try await HTTP.get(s.base + "/api/v1/rules")
            let groups = (rr.data as? [String: Any])?["groups"] as? [[String: Any]] ?? []
            let evalTimes = groups.compactMap { $0["evaluationTime"] as? Double }
            print(String(format: "ALERT-BENCH group evaluationTime (100 rules): max %.1f ms", (evalTimes.max() ?? 0) * 1000))
        }
    }

    /// Process CPU seconds (user + system) spent during `d`.
    static func cpu(over d: Duration) async throws -> Double {
        func now() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        let a = now()
        try await Task.sleep(for: d)
        return now() - a
    }
}
