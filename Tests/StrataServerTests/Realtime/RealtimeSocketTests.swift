import Foundation
import NIOWebSocket
import Synchronization
import Testing
@testable import StrataServer

/// The WebSocket feeds over real loopback sockets (HummingbirdWSClient).
@Suite struct RealtimeSocketTests {
    @Test func connectSendsStatusAndRejectsUnknownChannels() async throws {
        try await withRealtimeServer { s in
            let c = try await RealtimeTestClient.connect(s.ws("health"))
            let status = try await c.first("connection_status")
            #expect(status.string("channel") == "health")
            #expect(status.string("epoch") == s.server.realtime.epoch)
            // The status precedes the stream (numbered 0) and tells where the channel is.
            #expect(status.seq == 0)
            #expect(status.int("seq") == 0)
            await c.close()
            // Unknown channels are not upgraded.
            await #expect(throws: (any Error).self) {
                _ = try await RealtimeTestClient.connect(s.ws("nope"))
            }
            // A plain GET without an upgrade is a 404 from the HTTP router.
            #expect(try await HTTP.get(s.base + "/ws/health").status == 404)
        }
    }

    /// Events from several concurrent publishers reach every client in one
    /// order, with strictly increasing sequence numbers, each publisher's
    /// events in the order it published them.
    @Test func deliveryIsOrderedWithIncreasingSequenceNumbers() async throws {
        try await withRealtimeServer { s in
            let a = try await RealtimeTestClient.connect(s.ws("activity", "since=0"))
            let b = try await RealtimeTestClient.connect(s.ws("activity", "since=0"))
            let hub = s.server.realtime
            let producers = 4, perProducer = 250
            await withTaskGroup(of: Void.self) { g in
                for p in 0..<producers {
                    g.addTask {
                        for k in 0..<perProducer {
                            hub.publish(channel: .activity, type: "activity_update", payload: ["p": .int(Int64(p)), "k": .int(Int64(k))])
                        }
                    }
                }
            }
            let total = producers * perProducer
            for c in [a, b] {
                let msgs = try await c.waitFor("\(total) events") { $0.filter { $0.type == "activity_update" }.count == total }
                let seqs = msgs.map(\.seq)
                #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 }, "sequence numbers must increase: \(msgs.prefix(5).map(\.raw))")
                var lastK = [Int64](repeating: -1, count: producers)
                for m in msgs where m.type == "activity_update" {
                    let p = Int(m.int("p")!), k = m.int("k")!
                    #expect(k == lastK[p] + 1, "producer \(p): \(k) after \(lastK[p])")
                    lastK[p] = k
                }
            }
            // Both clients saw the same event under the same number.
            let ea = a.messages.filter { $0.type == "activity_update" }.map { "\($0.seq):\($0.raw)" }
            let eb = b.messages.filter { $0.type == "activity_update" }.map { "\($0.seq):\($0.raw)" }
            #expect(ea == eb)
            await a.close()
            await b.close()
        }
    }

    /// A client that reconnects with the last seq it saw gets exactly what it
    /// missed, in order, then live events; with ?since= or a resume message.
    @Test func resumeReplaysMissedEventsInOrder() async throws {
        try await withRealtimeServer { s in
            let hub = s.server.realtime
            let first = try await RealtimeTestClient.connect(s.ws("audit", "since=0"))
            for i in 0..<10 { hub.publish(channel: .audit, type: "audit_event", payload: ["i": .int(Int64(i))]) }
            let seen = try await first.waitFor("10 events") { $0.filter { $0.type == "audit_event" }.count == 10 }
            let lastSeen = seen.filter { $0.type == "audit_event" }[4]  // pretend we only got five
            await first.close()
            for i in 10..<20 { hub.publish(channel: .audit, type: "audit_event", payload: ["i": .int(Int64(i))]) }

            // ?since=
            let second = try await RealtimeTestClient.connect(s.ws("audit", "since=\(lastSeen.seq)&epoch=\(hub.epoch)"))
            try await second.waitFor("replay of 15 events") { $0.filter { $0.type == "audit_event" }.count == 15 }
            hub.publish(channel: .audit, type: "audit_event", payload: ["i": 20])
            let got = try await second.waitFor("live event") { $0.filter { $0.type == "audit_event" }.count == 16 }
            #expect(got.first?.type == "connection_status")
            #expect(got.filter { $0.type == "audit_event" }.map { $0.int("i")! } == Array(5...20).map(Int64.init))
            #expect(!got.contains { $0.type == "resync" })
            await second.close()

            // A resume message as the first message does the same.
            let third = try await RealtimeTestClient.connect(s.ws("audit"))
            try await third.send(type: "resume", payload: "{\"seq\":\(lastSeen.seq)}")
            let replayed = try await third.waitFor("replay") { $0.filter { $0.type == "audit_event" }.count == 16 }
            #expect(replayed.filter { $0.type == "audit_event" }.map { $0.int("i")! } == Array(5...20).map(Int64.init))
            let seqs = replayed.map(\.seq)
            #expect(zip(seqs, seqs.dropFirst()).allSatisfy { $0 < $1 })
            // Resume is only for the start of a connection.
            try await third.send(type: "resume", payload: "{\"seq\":1}")
            let err = try await third.first("error")
            #expect(err.string("error")?.contains("first message") == true)
            await third.close()
        }
    }

    /// A resume point the replay buffer no longer covers, one from the
    /// future, or from another server run gets `resync`, then live events.
    @Test func resumeBeyondTheBufferSaysResync() async throws {
        try await withRealtimeServer({ $0.realtime.replayBuffer = 8 }) { s in
            let hub = s.server.realtime
            for i in 0..<50 { hub.publish(channel: .alerts, type: "alert", payload: ["i": .int(Int64(i))]) }
            let old = try await RealtimeTestClient.connect(s.ws("alerts", "since=3"))
            let r = try await old.first("resync")
            #expect(r.int("requested") == 3)
            #expect(r.int("oldestSeq") == 43)
            hub.publish(channel: .alerts, type: "alert", payload: ["i": 50])
            let live = try await old.first("alert")
            #expect(live.int("i") == 50)
            #expect(live.seq > r.seq)
            await old.close()

            let future = try await RealtimeTestClient.connect(s.ws("alerts", "since=100000"))
            #expect(try await future.first("resync").string("reason")?.contains("restarted") == true)
            await future.close()

            let otherRun = try await RealtimeTestClient.connect(s.ws("alerts", "since=45&epoch=0123abc"))
            #expect(try await otherRun.first("resync").string("reason")?.contains("epoch") == true)
            await otherRun.close()

            // Within the buffer: a plain replay.
            let fine = try await RealtimeTestClient.connect(s.ws("alerts", "since=45"))
            // Seqs 1…50 were i = 0…49, i = 50 came after the first resync.
            let got = try await fine.waitFor("6 replayed alerts") { $0.filter { $0.type == "alert" }.count == 6 }
            #expect(got.filter { $0.type == "alert" }.map { $0.int("i")! } == [45, 46, 47, 48, 49, 50])
            await fine.close()
        }
    }

    /// A client that stops reading is dropped with 1008 and a reason once its
    /// send buffer is full; the others keep receiving everything, and
    /// publishing never waits for it.
    @Test func slowConsumerIsDroppedWithoutHoldingUpOthers() async throws {
        try await withRealtimeServer({ c in
            c.realtime.sendBufferMessages = 32
            c.realtime.sendBufferBytes = 4 << 20
            // Generous: on a loaded machine the slow client may take a while to drain.
            c.realtime.dropGrace = .seconds(60)
            c.realtime.closeTimeout = .seconds(60)
            // The paused client answers no pings: a heartbeat timeout must not
            // close it before its send buffer overflows, however slow the run.
            c.realtime.pingInterval = .seconds(600)
        }) { s in
            let hub = s.server.realtime
            let slow = try await RealtimeTestClient.connect(s.ws("activity", "since=0"), startPaused: true)
            let fast = try await RealtimeTestClient.connect(s.ws("activity", "since=0"))
            try await waitUntil(timeout: .seconds(10), "both clients live") { hub.liveConnections(.activity) == 2 }
            let blob = String(repeating: "x", count: 32 << 10)
            var published = 0
            // Publish at the pace of the reading client until the hub has
            // dropped the one that does not read (bounded: the kernel buffers
            // a few MB before its socket stops taking data).
            while hub.droppedConnections == 0 && published < 5_000 {
                hub.publish(channel: .activity, type: "activity_update", payload: ["n": .int(Int64(published)), "blob": .string(blob)])
                published += 1
                let n = published
                try await fast.waitFor("event \(n)") { $0.filter(Self.isTestEvent).count >= n }
            }
            #expect(hub.droppedConnections == 1, "published \(published) events")
            #expect(hub.liveConnections(.activity) == 1)
            // The slow client reads again: it finds the close frame after what was in flight.
            slow.resumeReading()
            // The fast client got every event, in order.
            let n = published
            let got = try await fast.waitFor("\(n) events", timeout: .seconds(60)) { $0.filter(Self.isTestEvent).count == n }
            #expect(got.filter(Self.isTestEvent).map { $0.int("n")! } == (0..<Int64(n)).map { $0 })
            let frame = try await slow.closeFrame(timeout: .seconds(90))
            #expect(frame?.closeCode == .policyViolation)
            #expect(frame?.reason?.hasPrefix("slow consumer") == true)
            #expect(slow.messages.filter(Self.isTestEvent).count < n)
            await fast.close()
        }
    }

    /// An event the slow-consumer test published (the server may publish
    /// activity of its own on the same channel).
    @Sendable static func isTestEvent(_ m: RealtimeTestClient.Message) -> Bool {
        m.type == "activity_update" && m.int("n") != nil
    }

    @Test func applicationPingGetsPong() async throws {
        try await withRealtimeServer { s in
            let c = try await RealtimeTestClient.connect(s.ws("health"))
            try await c.send(type: "ping", payload: #"{"t":12345}"#)
            let pong = try await c.first("pong")
            #expect(pong.int("t") == 12345)
            #expect(pong.seq > 0)
            await c.close()
        }
    }

    /// No message from the client for the idle timeout: the server closes
    /// with 1001 "idle timeout". A client that keeps talking stays.
    @Test func idleClientIsClosed() async throws {
        try await withRealtimeServer({ $0.realtime.idleTimeout = .milliseconds(300) }) { s in
            let c = try await RealtimeTestClient.connect(s.ws("activity"))
            let frame = try await c.closeFrame()
            #expect(frame?.closeCode == .goingAway)
            #expect(frame?.reason?.hasPrefix("idle timeout") == true)
        }
    }

    /// Heartbeats: the server pings every interval; a peer that has not
    /// answered by the next ping (here: one that reads nothing, so its pongs
    /// never come) is closed with 1001 "Ping timeout".
    @Test func unansweredPingsCloseTheConnection() async throws {
        try await withRealtimeServer({ $0.realtime.pingInterval = .milliseconds(200) }) { s in
            let hub = s.server.realtime
            let silent = try await RealtimeTestClient.connect(s.ws("activity", "since=0"), startPaused: true)
            // The client's upgrade completes before the server's session
            // starts, so the open count alone is 0 both before and after:
            // wait for a session that started and ended.
            try await waitUntil(timeout: .seconds(20), "the silent peer to be dropped") {
                hub.acceptedConnections == 1 && hub.connectionCount.load(ordering: .relaxed) == 0
            }
            silent.resumeReading()
            let frame = try await silent.closeFrame()
            #expect(frame?.closeCode == .goingAway)
            #expect(frame?.reason == "Ping timeout")
        }
    }

    /// The same, on the wire: a peer that upgrades and then sends nothing
    /// (no pong) gets the close frame 1001 "Ping timeout", and the server
    /// closes the TCP connection (the read ends without the peer closing).
    @Test func silentPeerGetsACloseFrameAndItsConnectionClosed() async throws {
        try await withRealtimeServer({ $0.realtime.pingInterval = .milliseconds(200) }) { s in
            let hub = s.server.realtime
            let t = try await RawWebSocketPeer.run(port: s.port, path: "/ws/activity?since=0") {
                try await waitUntil(timeout: .seconds(20), "the silent peer to be dropped") {
                    hub.acceptedConnections == 1 && hub.connectionCount.load(ordering: .relaxed) == 0
                }
            }
            #expect(t.statusLine.hasPrefix("HTTP/1.1 101"), "\(t.statusLine)")
            #expect(t.serverClosed)
            #expect(t.frames.contains { $0.opcode == 0x9 }, "the server pinged")
            let close = t.frames.last
            #expect(close?.opcode == 0x8)
            #expect(close.map { Array($0.payload.prefix(2)) } == [0x03, 0xE9])  // 1001 going away
            #expect(close.map { String(decoding: $0.payload.dropFirst(2), as: UTF8.self) } == "Ping timeout")
        }
    }

    @Test func badMessagesGetErrors() async throws {
        try await withRealtimeServer { s in
            let c = try await RealtimeTestClient.connect(s.ws("health"))
            try await c.send("{not json")
            let e1 = try await c.first("error")
            #expect(e1.string("errorType") == "bad_data")
            #expect(e1.string("error")?.contains("invalid JSON at byte 1") == true)
            try await c.send(type: "dance")
            try await c.waitFor("unknown type error") { $0.contains { $0.type == "error" && ($0.string("error") ?? "").contains("unknown message type") } }
            try await c.send(type: "subscribe", payload: #"{"id":"a","query":"up"}"#)
            try await c.waitFor("wrong channel error") { $0.contains { $0.type == "error" && ($0.string("error") ?? "").contains("only available on /ws/metrics") } }
            await c.close()
        }
    }
}
