import Foundation
import Testing
@testable import StrataServer

private let t0: Int64 = 1_764_374_400_000

/// Issue #4's query limits through the HTTP API: each answers Prometheus'
/// envelope, errorType and status (execution → 422, timeout → 503), and the
/// server-wide limits come from `query:` in the config (Prometheus' `--query.*`).
@Suite struct QueryLimitsAPITests {
    static func load(_ s: TestServer) async throws {
        _ = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([
            (labels: [("__name__", "ql"), ("i", "1")], samples: [(t0, 1), (t0 + 15_000, 2), (t0 + 30_000, 3)]),
            (labels: [("__name__", "ql"), ("i", "2")], samples: [(t0, 4), (t0 + 15_000, 5), (t0 + 30_000, 6)]),
        ]))
    }

    @Test func tooManySamplesIs422Execution() async throws {
        try await withServer({ $0.query.maxSamples = 2 }) { s in
            try await Self.load(s)
            let r = try await HTTP.get(HTTP.url(s.base, "/api/v1/query_range", [
                ("query", "ql"), ("start", "1764374400"), ("end", "1764374430"), ("step", "15"),
            ]))
            #expect(r.status == 422)
            #expect(r.errorType == "execution")
            #expect(r.error == "query processing would load too many samples into memory in query execution")
            // Within the limit the same server answers.
            let ok = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "ql{i=\"1\"}"), ("time", "1764374430")]))
            #expect(ok.status == 200, "\(ok.text)")
        }
    }

    @Test func timeoutIs503Timeout() async throws {
        // A zero timeout expires before evaluation starts, whatever the machine's speed.
        try await withServer({ $0.query.timeoutMs = 0 }) { s in
            try await Self.load(s)
            let r = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "sum(ql)"), ("time", "1764374430")]))
            #expect(r.status == 503)
            #expect(r.errorType == "timeout")
            #expect(r.error == "query timed out in expression evaluation")
        }
    }

    @Test func lookbackDeltaIsConfigurable() async throws {
        // The last samples are at t0 + 30 s; 90 s later they are within the
        // default 5 m lookback but not within 1 m.
        try await withServer({ $0.query.lookbackDeltaMs = 60_000 }) { s in
            try await Self.load(s)
            let late = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "ql"), ("time", "1764374520")]))
            #expect(late.text == #"{"status":"success","data":{"resultType":"vector","result":[]}}"#)
            let inside = try await HTTP.get(HTTP.url(s.base, "/api/v1/query", [("query", "ql"), ("time", "1764374490")]))
            #expect((((inside.data as? [String: Any])?["result"]) as? [Any])?.count == 2, "\(inside.text)")
        }
    }

    @Test func configuredLimitsAreListedAsFlags() async throws {
        let c = try ServeConfig.parse(yaml: "query: {timeout: 30s, max_samples: 1000, max_concurrency: 3, lookback_delta: 10m}\n")
        #expect(c.query.timeoutMs == 30_000 && c.query.maxSamples == 1000 && c.query.maxConcurrency == 3)
        #expect(c.query.lookbackDeltaMs == 600_000)
        #expect(throws: ConfigError.unknownKey("query.max_points")) { try ServeConfig.parse(yaml: "query: {max_points: 1}\n") }
        #expect(throws: ConfigError.invalid("query.timeout", "0s")) { try ServeConfig.parse(yaml: "query: {timeout: 0s}\n") }
        // A request's timeout can only shorten the server's.
        #expect(c.query.limits(requestedTimeoutMs: 5_000).timeout == .seconds(5))
        #expect(c.query.limits(requestedTimeoutMs: 300_000).timeout == .seconds(30))
        try await withServer({ $0.query = c.query }) { s in
            let r = try await HTTP.get(s.base + "/api/v1/status/flags")
            let flags = r.data as? [String: Any]
            #expect(flags?["query.timeout"] as? String == "30s")
            #expect(flags?["query.max-samples"] as? String == "1000")
            #expect(flags?["query.max-concurrency"] as? String == "3")
            #expect(flags?["query.lookback-delta"] as? String == "10m")
        }
    }
}

/// `QueryGate`: at most `limit` queries at once, the rest wait in order,
/// and a wait longer than the query's timeout fails with Prometheus' 503.
@Suite struct QueryGateTests {
    @Test func waitingBeyondTheTimeoutFails() async throws {
        let gate = QueryGate(limit: 1)
        #expect(await gate.enter(timeout: .seconds(600)))
        // The slot is never given back: the second query must give up.
        #expect(await gate.enter(timeout: .milliseconds(20)) == false)
        #expect(gate.waiting == 0)
        do {
            _ = try await gate.run(timeout: .milliseconds(20)) { _ in 1 }
            Issue.record("run did not time out")
        } catch let e as APIError {
            #expect(e.kind == .timeout && e.status.code == 503)
            #expect(e.message == "query timed out in query queue")
        }
        gate.leave()
        #expect(gate.running == 0)
    }

    @Test func aFreedSlotPassesToTheWaitingQuery() async throws {
        let gate = QueryGate(limit: 1)
        #expect(await gate.enter(timeout: .seconds(600)))
        let waiter = Task { await gate.enter(timeout: .seconds(600)) }
        // Usually the waiter is queued by now and the slot passes to it; if
        // it starts late it finds the slot free. Either way it gets exactly
        // the one slot (no wait on scheduling, which a loaded machine delays).
        gate.leave()
        #expect(await waiter.value)
        #expect(gate.running == 1)
        gate.leave()
        #expect(gate.running == 0)
    }
}
