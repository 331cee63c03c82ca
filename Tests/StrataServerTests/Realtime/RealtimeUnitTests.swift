import NIOCore
import StrataQuery
import StrataStorage
import Testing
@testable import StrataServer
import StrataTestSupport

/// The realtime pieces that need no socket: replay buffer, outbox bounds,
/// JSON parsing, message and subscription parsing, and the incremental diff.
@Suite struct RealtimeUnitTests {
    static func buf(_ s: String) -> ByteBuffer { ByteBuffer(string: s) }

    @Test func ringReplaysAfterAResumePointOrReportsAGap() {
        var r = EventRing(capacity: 4)
        // Seqs with gaps (direct messages took the others).
        for seq: UInt64 in [2, 3, 5, 8, 9, 11] { r.append(seq: seq, message: Self.buf("e\(seq)")) }
        #expect(r.count == 4)
        #expect(r.oldestSeq == 5)
        #expect(r.evictedThrough == 3)
        func texts(_ rp: EventRing.Replay) -> [String]? {
            if case .events(let m) = rp { return m.map { String(buffer: $0) } }
            return nil
        }
        #expect(texts(r.replay(since: 3, current: 11)) == ["e5", "e8", "e9", "e11"])
        #expect(texts(r.replay(since: 4, current: 11)) == ["e5", "e8", "e9", "e11"])
        #expect(texts(r.replay(since: 8, current: 12)) == ["e9", "e11"])
        #expect(texts(r.replay(since: 12, current: 12)) == [])
        // Seq 3 was evicted: resuming from 2 would miss it.
        #expect(texts(r.replay(since: 2, current: 12)) == nil)
        // Ahead of the channel: another server run.
        #expect(texts(r.replay(since: 13, current: 12)) == nil)
    }

    @Test func outboxDropsTheBacklogWhenABoundIsExceeded() async {
        let o = ConnectionOutbox(maxMessages: 3, maxBytes: 100)
        #expect(o.enqueue(Self.buf(String(repeating: "x", count: 500))) == .queued)  // one big message into an empty buffer
        #expect(o.enqueue(Self.buf("a")) == .overflow)  // 501 bytes pending > 100
        #expect(o.isClosing)
        #expect(o.enqueue(Self.buf("b")) == .closed)
        guard case .close(let code, let reason)? = await o.next() else { Issue.record("expected a close"); return }
        #expect(code == 1008)
        #expect(reason.hasPrefix("slow consumer: send buffer full (1 messages, 500 bytes pending)"))
        #expect(await o.next() == nil)

        let p = ConnectionOutbox(maxMessages: 3, maxBytes: 1 << 20)
        for s in ["1", "2", "3"] { #expect(p.enqueue(Self.buf(s)) == .queued) }
        #expect(p.enqueue(Self.buf("4")) == .overflow)

        // A polite close comes after what is queued.
        let q = ConnectionOutbox(maxMessages: 10, maxBytes: 1 << 20)
        _ = q.enqueue(Self.buf("m"))
        q.close(code: 1001, reason: "bye")
        guard case .messages(let m)? = await q.next() else { Issue.record("expected messages"); return }
        #expect(m.map { String(buffer: $0) } == ["m"])
        guard case .close(1001, "bye")? = await q.next() else { Issue.record("expected the close"); return }
    }

    @Test func jsonParsesAndReportsOffsets() throws {
        let v = try JSONValue.parse(#" {"a":[1,-2.5e3,true,null,"x\u00e9\n\ud83d\ude00"],"b":{}} "#)
        #expect(v["a"] == .array([.int(1), .double(-2500), .bool(true), .null, .string("xé\n😀")]))
        #expect(v["b"] == .object([]))
        for (bad, offset) in [("{\"a\":}", 5), ("[1,2", 4), ("{\"a\" 1}", 5), ("\"\\ud800\"", 7), ("01", 1), ("{} x", 3), ("", 0)] {
            #expect(throws: JSONParseError.self, "\(bad)") { try JSONValue.parse(bad) }
            do { _ = try JSONValue.parse(bad) } catch { #expect(error.offset == offset, "\(bad): \(error)") }
        }
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    /// Seeded round trip: what `JSONValue.write` produces, `parse` reads back.
    @Test func jsonRoundTrip() throws {
        var rng = WorkloadRandom(seed: 0x5eed)
        func gen(_ depth: Int) -> JSONValue {
            switch rng.next() % (depth > 3 ? 5 : 7) {
            case 0: return .null
            case 1: return .bool(rng.next() % 2 == 0)
            case 2: return .int(Int64(bitPattern: rng.next()) >> Int64(rng.next() % 60))
            case 3: return .double(Double(Int64(bitPattern: rng.next() >> 12)) / 1024)
            case 4: return .string(String((0..<Int(rng.next() % 8)).map { _ in "aé\"\\\n\u{1}😀z".randomElement(using: &rng)! }))
            case 5: return .array((0..<Int(rng.next() % 4)).map { _ in gen(depth + 1) })
            default: return .object((0..<Int(rng.next() % 4)).map { i in ("k\(i)", gen(depth + 1)) })
            }
        }
        for _ in 0..<500 {
            let v = gen(0)
            let back = try JSONValue.parse(v.jsonBytes)
            #expect(back.jsonBytes == v.jsonBytes)
        }
    }

    @Test func clientMessagesAndSubscriptionsAreChecked() throws {
        let m = try ClientMessage.parse(Array(#"{"type":"resume","seq":5}"#.utf8))
        #expect(m.type == "resume" && m.seq == 5 && m.payload == .object([]))
        #expect(throws: ClientMessage.ParseError.self) { try ClientMessage.parse(Array(#"{"seq":1}"#.utf8)) }
        #expect(throws: ClientMessage.ParseError.self) { try ClientMessage.parse(Array(#"{"type":"x","payload":[1]}"#.utf8)) }

        let ok = try SubscriptionRequest.parse(try JSONValue.parse(#"{"id":"a","query":"sum by(k)(x)","range":"1h","step":15}"#))
        #expect(ok.rangeMs == 3_600_000 && ok.stepMs == 15_000)
        #expect(ok.key.query == "sum by (k) (x)")
        let d = try SubscriptionRequest.parse(try JSONValue.parse(#"{"id":"d","query":"up"}"#))
        #expect(d.rangeMs == 3_600_000 && d.stepMs == 15_000)
        let payload = try JSONValue.parse(#"{"id":"e","query":"rate(x[5m]"}"#)
        do throws(RealtimeClientError) {
            _ = try SubscriptionRequest.parse(payload)
            Issue.record("expected a parse error")
        } catch {
            #expect(error.id == "e")
            #expect(error.position?.line == 1)
            #expect(error.message.contains("parse error"))
        }
        #expect(throws: RealtimeClientError.self) { try SubscriptionRequest.parse(try JSONValue.parse(#"{"query":"up"}"#)) }
        #expect(throws: RealtimeClientError.self) { try SubscriptionRequest.parse(try JSONValue.parse(#"{"id":"s","query":"up","step":"0s"}"#)) }
    }

    // MARK: the incremental diff

    static func series(_ name: String, _ pts: [(Int64, Double)]) -> RangeSeries {
        RangeSeries(labels: Labels(["k": name]), timestamps: pts.map(\.0), values: pts.map(\.1))
    }

    @Test func windowSendsNewChangedAndRemovedPointsOnly() {
        var w = SubscriptionWindow(rangeMs: 10_000, stepMs: 1000, lateWindowMs: 3000)
        #expect(w.window(now: 20_500) == (10_000, 20_000))
        // Initial: everything new.
        let first = w.apply([Self.series("a", (10...20).map { (Int64($0) * 1000, 1) })], from: 10_000, to: 20_000, now: 20_500)
        #expect(first.first?.points.ts.count == 11)
        // The late window reaches back to 18 s: a tick re-evaluates 18…22,
        // or less when the commits since the last tick were all newer.
        #expect(w.incrementalRange(now: 22_100) == (18_000, 22_000))
        #expect(w.incrementalRange(now: 22_100, changedFrom: 21_500) == (21_000, 22_000))
        #expect(w.incrementalRange(now: 22_100, changedFrom: 19_200) == (20_000, 22_000))
        #expect(w.incrementalRange(now: 22_100, changedFrom: 5_000) == (18_000, 22_000))
        #expect(w.incrementalRange(now: 22_100, changedFrom: .max) == (21_000, 22_000))
        // Nothing to do: no new grid time and only newer samples.
        #expect(!w.needsEvaluation(now: 20_900, changedFrom: 20_500))
        #expect(w.needsEvaluation(now: 20_900, changedFrom: 20_000))
        #expect(w.needsEvaluation(now: 21_000, changedFrom: 20_500))
        #expect(w.needsEvaluation(now: 20_900, changedFrom: nil))
        let u = w.apply([
            Self.series("a", [(18_000, 1), (19_000, 5), (20_000, 1), (21_000, 1), (22_000, 1)]),
            Self.series("b", [(22_000, 7)]),
        ], from: 18_000, to: 22_000, now: 22_100)
        #expect(u.count == 2)
        #expect(u[0].labels == Labels(["k": "a"]))
        #expect(u[0].points.ts == [19_000, 21_000, 22_000])   // changed, then new
        #expect(u[0].points.vs == [5, 1, 1])
        #expect(u[1].points.ts == [22_000])
        // a's point at 20 s vanishes, b vanishes entirely. Points before the
        // late window (19 s) are final and not evaluated again.
        #expect(w.incrementalRange(now: 23_000) == (20_000, 23_000))
        let v = w.apply([Self.series("a", [(21_000, 1), (22_000, 1), (23_000, 1)])], from: 20_000, to: 23_000, now: 23_000)
        #expect(v.count == 2)
        #expect(v[0].removed == [20_000])
        #expect(v[0].points.ts == [23_000])
        #expect(v[1].labels == Labels(["k": "b"]) && v[1].removed == [22_000])
    }

    /// Seeded simulation: values change only inside the late window; a
    /// client applying initial + updates always equals the latest truth.
    @Test func windowUpdatesReproduceTheTruth() {
        var rng = WorkloadRandom(seed: 42)
        let step: Int64 = 1000, range: Int64 = 20_000, late: Int64 = 5000
        var truth: [String: [Int64: Double]] = [:]
        var w = SubscriptionWindow(rangeMs: range, stepMs: step, lateWindowMs: late)
        var client: [String: [Int64: Double]] = [:]
        var now: Int64 = 100_000
        var filledThrough = Int64.min
        func evaluate(_ from: Int64, _ to: Int64) -> [RangeSeries] {
            truth.keys.sorted().compactMap { k in
                let pts = truth[k]!.filter { $0.key >= from && $0.key <= to }.sorted { $0.key < $1.key }
                return pts.isEmpty ? nil : Self.series(k, pts.map { ($0.key, $0.value) })
            }
        }
        func tick(initial: Bool) {
            // Truth for grid times up to now; recent ones may change.
            let top = w.alignDown(now)
            var oldestChange = Int64.max
            for k in ["a", "b", "c"] {
                var t = top - range
                while t <= top {
                    // New grid times get a value (or none); recent ones may change or vanish.
                    if t > filledThrough || (t > now - late && rng.next() % 3 == 0) {
                        if rng.next() % 7 == 0 { truth[k]?[t] = nil } else { truth[k, default: [:]][t] = Double(rng.next() % 5) }
                        // A commit's oldest sample is at or before the first grid time it changes.
                        oldestChange = min(oldestChange, t - Int64(rng.next() % UInt64(step)))
                    }
                    t += step
                }
            }
            filledThrough = top
            let r = initial ? w.window(now: now) : w.incrementalRange(now: now, changedFrom: oldestChange)
            let updates = w.apply(evaluate(r.start, r.end), from: r.start, to: r.end, now: now)
            for u in updates {
                let k = u.labels["k"]!
                for (t, v) in zip(u.points.ts, u.points.vs) { client[k, default: [:]][t] = v }
                for t in u.removed { client[k]?[t] = nil }
            }
        }
        tick(initial: true)
        for _ in 0..<300 {
            now += Int64(rng.next() % 2500)
            tick(initial: false)
            let (from, to) = w.window(now: now)
            for k in ["a", "b", "c"] {
                let want = (truth[k] ?? [:]).filter { $0.key >= from && $0.key <= to }
                let got = (client[k] ?? [:]).filter { $0.key >= from && $0.key <= to }
                #expect(got == want, "\(k) at \(now)")
            }
        }
    }
}
