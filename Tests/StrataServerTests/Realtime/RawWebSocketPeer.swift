import NIOCore
import NIOPosix

/// A WebSocket peer at the byte level: it sends the upgrade request, then
/// nothing (no pong, no close frame), and reads what the server sends until
/// the server ends the TCP stream. It shows what a library client hides:
/// whether the server wrote a close frame and closed the connection.
enum RawWebSocketPeer {
    struct Frame: Equatable {
        let opcode: UInt8
        let payload: [UInt8]
    }

    struct Transcript {
        /// The status line of the upgrade response.
        let statusLine: String
        let frames: [Frame]
        /// The server ended the stream (FIN or reset), as opposed to our timeout.
        let serverClosed: Bool
    }

    struct TimedOut: Error, CustomStringConvertible {
        var description: String { "the server did not close the TCP connection" }
    }

    /// Connects to `path`, upgrades, runs `whileSilent`, then reads until
    /// the server closes the connection (at most `timeout`).
    static func run(port: Int, path: String, timeout: Duration = .seconds(30),
                    whileSilent: () async throws -> Void) async throws -> Transcript {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { ch in
                ch.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch) }
            }
        let (bytes, closed): ([UInt8], Bool) = try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string:
                "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"))
            try await whileSilent()
            return try await withThrowingTaskGroup(of: ([UInt8], Bool)?.self) { g in
                g.addTask {
                    var all: [UInt8] = []
                    do {
                        for try await b in inbound { all.append(contentsOf: b.readableBytesView) }
                    } catch {
                        // Reset by the peer: the server closed it all the same.
                    }
                    return (all, true)
                }
                g.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { g.cancelAll() }
                guard let r = try await g.next(), let r else { throw TimedOut() }
                return r
            }
        }
        return parse(bytes, serverClosed: closed)
    }

    /// The HTTP response head, then server frames (unmasked, RFC 6455 §5.2).
    static func parse(_ b: [UInt8], serverClosed: Bool) -> Transcript {
        let crlf2: [UInt8] = [13, 10, 13, 10]
        var i = 0
        while i + 4 <= b.count && Array(b[i..<i + 4]) != crlf2 { i += 1 }
        let head = String(decoding: b[0..<min(i, b.count)], as: UTF8.self)
        let statusLine = head.split(separator: "\r\n").first.map(String.init) ?? ""
        var frames: [Frame] = []
        var p = i + 4
        while p + 2 <= b.count {
            let opcode = b[p] & 0x0f
            var len = Int(b[p + 1] & 0x7f)
            p += 2
            if len == 126 {
                guard p + 2 <= b.count else { break }
                len = Int(b[p]) << 8 | Int(b[p + 1])
                p += 2
            } else if len == 127 {
                guard p + 8 <= b.count else { break }
                len = b[p..<p + 8].reduce(0) { $0 << 8 | Int($1) }
                p += 8
            }
            guard p + len <= b.count else { break }
            frames.append(Frame(opcode: opcode, payload: Array(b[p..<p + len])))
            p += len
        }
        return Transcript(statusLine: statusLine, frames: frames, serverClosed: serverClosed)
    }
}
