import Foundation
import StrataStorage
import Synchronization
import Testing
@testable import StrataServer

/// Live PromQL subscriptions over a real socket: the initial result plus the
/// pushed updates, applied in order, equal a later `query_range`.
@Suite struct RealtimeSubscriptionTests {
    /// What a dashboard holds for one subscription: series → grid time (ms) → value text.
    struct View: Equatable, CustomStringConvertible {
        var series: [String: [Int64: String]] = [:]
        var end: Int64 = 0

        mutating func apply(_ m: RealtimeTestClient.Message) {
            if let e = (m.payload["end"] as? NSNumber)?.doubleValue { end = Int64((e * 1000).rounded()) }
            if m.payload["initial"] as? Bool == true { series = [:] }
            for s in m.payload["result"] as? [[String: Any]] ?? [] {
                let key = View.key(s["metric"] as? [String: String] ?? [:])
                for p in s["values"] as? [[Any]] ?? [] {
                    let t = Int64((((p[0] as? NSNumber)?.doubleValue ?? 0) * 1000).rounded())
                    series[key, default: [:]][t] = p[1] as? String
                }
                for r in s["removed"] as? [NSNumber] ?? [] {
                    series[key]?[Int64((r.doubleValue * 1000).rounded())] = nil
                }
                if series[key]?.isEmpty == true { series[key] = nil }
            }
        }

        static func key(_ m: [String: String]) -> String {
            m.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }

        /// Only grid times in [from, to].
        func window(_ from: Int64, _ to: Int64) -> [String: [Int64: String]] {
            var out: [String: [Int64: String]] = [:]
            for (k, pts) in series {
                let kept = pts.filter { $0.key >= from && $0.key <= to }
                if !kept.isEmpty { out[k] = kept }
            }
            return out
        }

        var description: String { series.map { "\($0.key): \($0.value.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })" }.joined(separator: "\n") }
    }

    static func view(_ c: RealtimeTestClient, id: String) -> View {
        var v = View()
        for m in c.messages where m.type == "metrics_update" && m.string("id") == id { v.apply(m) }
        return v
    }

    static func queryRange(_ s: TestServer, _ q: String, from: Int64, to: Int64, step: String) async throws -> [String: [Int64: String]] {
        let r = try await HTTP.get(HTTP.url(s.base, "/api/v1/query_range", [
            ("query", q), ("start", PromNumber.formatTimestamp(from)), ("end", PromNumber.formatTimestamp(to)), ("step", step),
        ]))
        #expect(r.status == 200, "\(r.text)")
        var out: [String: [Int64: String]] = [:]
        for s in (r.data as? [String: Any])?["result"] as? [[String: Any]] ?? [] {
            let key = View.key(s["metric"] as? [String: String] ?? [:])
            for p in s["values"] as? [[Any]] ?? [] {
                out[key, default: [:]][Int64((((p[0] as? NSNumber)?.doubleValue ?? 0) * 1000).rounded())] = p[1] as? String
            }
        }
        return out
    }

    static func write(_ s: TestServer, _ name: String, _ labels: [(String, String)] = [], _ samples: [(Int64, Double)]) async throws {
        let r = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([(labels: [("__name__", name)] + labels, samples: samples)]))
        #expect(r.status == 204, "\(r.text)")
    }

    /// Writes land inside the window (a late window longer than the range, so
    /// every point may still change): the updates carry exactly the changed
    /// and removed points, and the client's view equals `query_range`.
    @Test func updatesToPastPointsMatchQueryRange() async throws {
        try await withRealtimeServer({ $0.realtime.lateWindowMs = 600_000 }) { s in
            let base = (nowMillis() / 1000) * 1000 - 100_000
            for k in ["a", "b"] {
                try await Self.write(s, "rt_gauge", [("k", k)], (0..<10).map { (base + Int64($0) * 1000, Double($0)) })
            }
            let c = try await RealtimeTestClient.connect(s.ws("metrics"))
            try await c.send(type: "subscribe", payload: #"{"id":"s1","query":"rt_gauge * 2","range":"2m","step":"1s"}"#)
            let initial = try await c.first("metrics_update")
            #expect(initial.payload["initial"] as? Bool == true)
            #expect(initial.string("query") == "rt_gauge * 2")
            #expect(Self.view(c, id: "s1").series.count == 2)

            for k in 0..<10 {
                let t = base + 10_000 + Int64(k) * 1000
                try await Self.write(s, "rt_gauge", [("k", "a")], [(t, Double(100 + k))])
                let want = PromNumber.formatValue(Double(200 + 2 * k))
                try await c.waitFor("point \(k)") { _ in Self.view(c, id: "s1").series["k=a"]?[t] == want }
            }
            // b did not change: the only points of b pushed are new grid
            // times at the end of the sliding window, never old ones again.
            var previousEnd = 0.0
            var updates = 0
            for m in c.messages where m.type == "metrics_update" {
                defer { previousEnd = (m.payload["end"] as? NSNumber)?.doubleValue ?? previousEnd }
                guard m.payload["initial"] == nil else { continue }
                updates += 1
                for series in m.payload["result"] as? [[String: Any]] ?? [] where (series["metric"] as? [String: String])?["k"] == "b" {
                    for p in series["values"] as? [[Any]] ?? [] {
                        #expect(((p[0] as? NSNumber)?.doubleValue ?? 0) > previousEnd)
                    }
                }
            }
            #expect(updates > 0)
            // A staleness marker on b: its later points disappear ("removed").
            try await Self.write(s, "rt_gauge", [("k", "b")], [(base + 15_000, Double(bitPattern: 0x7ff0_0000_0000_0002))])
            try await c.waitFor("b's points removed") { _ in Self.view(c, id: "s1").series["k=b"]?[base + 15_000] == nil }
            #expect(c.messages.contains { $0.raw.contains("\"removed\":[") })

            let v = Self.view(c, id: "s1")
            let from = v.end - 120_000
            let expected = try await Self.queryRange(s, "rt_gauge * 2", from: from, to: v.end, step: "1")
            #expect(v.window(from, v.end) == expected, "view:\n\(v)\nquery_range:\n\(expected)")
            await c.close()
        }
    }

    /// Live data with the default late window: after each write, commits to
    /// another series drive ticks until the point shows; subscribers of the
    /// same query share one group and receive the same points; at the end
    /// the view equals `query_range`.
    @Test func livePointsMatchQueryRangeAndGroupsAreShared() async throws {
        try await withRealtimeServer { s in
            let c1 = try await RealtimeTestClient.connect(s.ws("metrics"))
            let c2 = try await RealtimeTestClient.connect(s.ws("metrics"))
            try await c1.send(type: "subscribe", payload: #"{"id":"x","query":"sum by (k) (rt_live) + 1","range":"10s","step":"100ms"}"#)
            try await c2.send(type: "subscribe", payload: #"{"id":"y","query":"sum by (k) (rt_live) + 1","range":"10s","step":"100ms"}"#)
            // Same query spelled differently: same canonical form, same group.
            try await c2.send(type: "subscribe", payload: #"{"id":"z","query":"sum  by(k)(rt_live)+1","range":"10s","step":"0.1"}"#)
            _ = try await c1.first("metrics_update")
            try await c2.waitFor("two initial results") { $0.filter { $0.type == "metrics_update" }.count == 2 }
            #expect(s.server.subscriptions.stats.groups == 1)
            #expect(s.server.subscriptions.stats.subscriptions == 3)

            var last: Int64 = 0
            var poke: Double = 0
            for k in 1...6 {
                let t = max(last + 1, nowMillis())
                last = t
                try await Self.write(s, "rt_live", [("k", "a")], [(t, Double(k))])
                let want = PromNumber.formatValue(Double(k + 1))
                var rounds = 0
                while !(Self.view(c1, id: "x").series["k=a"]?.contains { $0.key >= t && $0.value == want } ?? false) {
                    rounds += 1
                    #expect(rounds < 200, "point \(k) never arrived")
                    if rounds >= 200 { return }
                    let n = c1.messages.count
                    poke += 1
                    try await Self.write(s, "rt_poke", [], [(nowMillis(), poke)])
                    try await c1.waitFor("next update") { $0.count > n }
                }
            }
            // One more commit so c2 has caught up with c1's last update.
            let v1 = Self.view(c1, id: "x")
            try await c2.waitFor("c2 caught up") { _ in Self.view(c2, id: "y").end >= v1.end && Self.view(c2, id: "z").end >= v1.end }
            let v2 = Self.view(c2, id: "y"), v3 = Self.view(c2, id: "z")
            let from = v1.end - 10_000
            #expect(v1.window(from, v1.end) == v2.window(from, v1.end))
            #expect(v2.window(from, v1.end) == v3.window(from, v1.end))
            let expected = try await Self.queryRange(s, "sum by (k) (rt_live) + 1", from: from, to: v1.end, step: "0.1")
            #expect(v1.window(from, v1.end) == expected, "view:\n\(v1)\nquery_range:\n\(expected)")

            // Unsubscribe: acknowledged, and the group goes when its last member leaves.
            try await c1.send(type: "unsubscribe", payload: #"{"id":"x"}"#)
            _ = try await c1.first("unsubscribed")
            try await c2.send(type: "unsubscribe", payload: #"{"id":"y"}"#)
            try await c2.send(type: "unsubscribe", payload: #"{"id":"z"}"#)
            try await c2.waitFor("two acks") { $0.filter { $0.type == "unsubscribed" }.count == 2 }
            try await Self.write(s, "rt_poke", [], [(nowMillis(), poke + 1)])
            try await waitUntil(timeout: .seconds(10), "group removed") { s.server.subscriptions.stats.groups == 0 }
            try await c1.send(type: "unsubscribe", payload: #"{"id":"x"}"#)
            #expect(try await c1.first("error").string("error")?.contains("no subscription") == true)
            await c1.close()
            await c2.close()
        }
    }

    @Test func queryErrorsCarryThePosition() async throws {
        try await withRealtimeServer { s in
            let c = try await RealtimeTestClient.connect(s.ws("metrics"))
            try await c.send(type: "subscribe", payload: #"{"id":"bad","query":"sum(rate(x[5m])","range":"1h","step":"15s"}"#)
            let e = try await c.first("error")
            #expect(e.string("id") == "bad")
            #expect(e.string("errorType") == "bad_data")
            let pos = e.payload["position"] as? [String: Any]
            #expect((pos?["line"] as? NSNumber)?.intValue == 1)
            #expect((pos?["column"] as? NSNumber)?.intValue != nil)
            #expect(e.string("error")?.contains("parse error") == true)
            try await c.send(type: "subscribe", payload: #"{"id":"r","query":"up[5m]"}"#)
            try await c.waitFor("range vector refused") { $0.contains { $0.string("id") == "r" && ($0.string("error") ?? "").contains("range query") } }
            try await c.send(type: "subscribe", payload: #"{"id":"p","query":"up","range":"1d","step":"1s"}"#)
            try await c.waitFor("too many points") { $0.contains { $0.string("id") == "p" && ($0.string("error") ?? "").contains("11,000") } }
            await c.close()
        }
    }
}
