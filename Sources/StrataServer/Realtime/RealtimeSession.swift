import Dispatch
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket

/// One WebSocket connection: a writer task draining the connection's outbox,
/// a reader task handling client messages, and a timer task for the resume
/// wait and the idle timeout. The session ends when the client closes, the
/// writer has sent a close frame, or the socket fails.
struct RealtimeSession: Sendable {
    let hub: RealtimeHub
    let subscriptions: SubscriptionManager
    let channel: RealtimeChannel
    let nioChannel: any Channel
    let remoteAddress: String?
    let since: UInt64?
    let epoch: String?

    var options: RealtimeOptions { hub.options }

    private enum Ended: Sendable { case writer, reader, timers }

    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let conn = hub.connect(channel: channel, nioChannel: nioChannel, remoteAddress: remoteAddress)
        defer {
            hub.disconnect(conn)
            if channel == .metrics { subscriptions.submit(.closed(conn)) }
        }
        hub.sendStatus(conn)
        if let since { hub.goLive(conn, since: since, epoch: epoch) }
        try await withThrowingTaskGroup(of: Ended.self) { group in
            group.addTask { try await writeLoop(conn, outbound); return .writer }
            group.addTask { try await readLoop(conn, inbound); return .reader }
            group.addTask { try await timers(conn); return .timers }
            while let ended = try await group.next() {
                if ended != .timers { break }
            }
            group.cancelAll()
        }
    }

    // MARK: writer

    private func writeLoop(_ conn: RealtimeConnection, _ outbound: WebSocketOutboundWriter) async throws {
        while let item = await conn.outbox.next() {
            switch item {
            case .messages(let batch):
                for m in batch { try await write(m, outbound) }
            case .close(let code, let reason):
                try await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
                return
            }
        }
    }

    /// One text message; messages larger than `maxFrameBytes` go out as
    /// continuation frames (RFC 6455 §5.4) so clients can keep their frame
    /// limit moderate.
    private func write(_ message: ByteBuffer, _ outbound: WebSocketOutboundWriter) async throws {
        let limit = options.maxFrameBytes
        if message.readableBytes <= limit {
            try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .text, data: message)))
            return
        }
        var rest = message
        var opcode = WebSocketOpcode.text
        while rest.readableBytes > limit {
            let part = rest.readSlice(length: limit)!
            try await outbound.write(.custom(WebSocketFrame(fin: false, opcode: opcode, data: part)))
            opcode = .continuation
        }
        try await outbound.write(.custom(WebSocketFrame(fin: true, opcode: .continuation, data: rest)))
    }

    // MARK: reader

    private func readLoop(_ conn: RealtimeConnection, _ inbound: WebSocketInboundStream) async throws {
        do {
            for try await message in inbound.messages(maxSize: options.maxInboundMessageBytes) {
                conn.touch()
                let bytes: [UInt8]
                switch message {
                case .text(let s): bytes = Array(s.utf8)
                case .binary(let b): bytes = Array(b.readableBytesView)
                }
                handle(bytes, conn)
            }
        } catch {
            // A message over the size limit, or a broken connection.
            conn.outbox.close(code: 1009, reason: "message too big or malformed: \(error)".prefix(120).description)
            throw error
        }
    }

    func handle(_ bytes: [UInt8], _ conn: RealtimeConnection) {
        let msg: ClientMessage
        do {
            msg = try ClientMessage.parse(bytes)
        } catch {
            if !conn.isLive.load(ordering: .relaxed) { hub.goLive(conn) }
            hub.sendError(conn, RealtimeClientError("bad_data", error.description))
            return
        }
        if !conn.isLive.load(ordering: .relaxed) {
            if msg.type == "resume" {
                resume(msg, conn)
                return
            }
            hub.goLive(conn)
        }
        switch msg.type {
        case "ping":
            hub.send(conn, type: "pong", payloadJSON: msg.payload.jsonBytes)
        case "resume":
            hub.sendError(conn, RealtimeClientError("bad_data",
                "resume is only accepted as the first message of a connection; reconnect with ?since=<seq>"))
        case "subscribe", "unsubscribe":
            guard channel == .metrics else {
                hub.sendError(conn, RealtimeClientError("bad_data", "subscriptions are only available on /ws/metrics"))
                return
            }
            if msg.type == "unsubscribe" {
                guard let id = msg.payload["id"]?.stringValue else {
                    hub.sendError(conn, RealtimeClientError("bad_data", "unsubscribe needs an \"id\""))
                    return
                }
                subscriptions.submit(.unsubscribe(conn, id: id))
                return
            }
            do {
                subscriptions.submit(.subscribe(conn, try SubscriptionRequest.parse(msg.payload)))
            } catch {
                hub.sendError(conn, error)
            }
        default:
            hub.sendError(conn, RealtimeClientError("bad_data", "unknown message type \"\(msg.type)\""))
        }
    }

    private func resume(_ msg: ClientMessage, _ conn: RealtimeConnection) {
        let seq = msg.payload["seq"]?.int64Value ?? msg.seq
        guard let seq, seq >= 0 else {
            hub.goLive(conn)
            hub.sendError(conn, RealtimeClientError("bad_data", "resume needs \"payload\":{\"seq\":<last seq seen>}"))
            return
        }
        hub.goLive(conn, since: UInt64(seq), epoch: msg.payload["epoch"]?.stringValue)
    }

    // MARK: timers

    /// Brings a client that did not resume live after `resumeWait`, and closes
    /// it after `idleTimeout` without a message. Returns only on cancellation
    /// or after asking for the close (the writer then ends the session).
    private func timers(_ conn: RealtimeConnection) async throws {
        let resumeDeadline = DispatchTime.now().uptimeNanoseconds + UInt64(options.resumeWait.totalNanoseconds)
        let idle = UInt64(options.idleTimeout.totalNanoseconds)
        while true {
            let now = DispatchTime.now().uptimeNanoseconds
            var wake = UInt64.max
            if !conn.isLive.load(ordering: .relaxed) {
                if now >= resumeDeadline { hub.goLive(conn) } else { wake = resumeDeadline }
            }
            if idle > 0 {
                let deadline = conn.lastActivityNanos.load(ordering: .relaxed) + idle
                if now >= deadline {
                    conn.outbox.close(code: RealtimeCloseCode.goingAway,
                                      reason: "idle timeout: no message from the client for \(options.idleTimeout.totalMilliseconds) ms")
                    conn.closeSocket(after: options.closeTimeout + options.dropGrace)
                    return
                }
                wake = min(wake, deadline)
            }
            if wake == .max { try await Task.sleep(for: .seconds(86_400)); continue }
            try await Task.sleep(for: .nanoseconds(Int64(wake - now)))
        }
    }
}
