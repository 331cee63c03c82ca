import AsyncHTTPClient
import Foundation
import NIOSSL
import Testing
import StrataTestSupport
@testable import StrataServer

/// Issue #7, limits: connection limits and header/read/idle timeouts, so
/// that slow clients are dropped (`ConnectionGuardHandler`). Raw TCP clients
/// against a real server on loopback; every drop is counted in
/// `strata_connections_dropped_total{reason=…}`.
///
/// Waits are for events (the server closing a connection), bounded at 120 s;
/// no test asserts a duration.
@Suite(.serialized) struct SlowClientTests {
    /// Only the timeout a test is about is short (1 s); the others are long,
    /// so that a loaded machine, slow to send the test's next bytes, cannot
    /// trip a different timeout first (CI once saw a 408 from the header
    /// timeout in the idle test).
    static func short(header: Int = 600, read: Int = 600, idle: Int = 600) -> @Sendable (inout ServeConfig) -> Void {
        { c in
            c.limits.headerTimeout = .seconds(header)
            c.limits.readTimeout = .seconds(read)
            c.limits.idleTimeout = .seconds(idle)
        }
    }

    static func dropped(_ base: String, _ reason: String) async throws -> Bool {
        let m = try await HTTP.get(base + "/metrics")
        return m.text.contains("strata_connections_dropped_total{reason=\"\(reason)\"}")
    }

    @Test func silentClientIsClosedAfterTheHeaderTimeout() async throws {
        try await withServer(Self.short(header: 1)) { s in
            let c = try await RawSocket.connect(port: s.port)
            let (closed, got) = await c.waitClosed()
            #expect(closed, "a client that sends nothing was not closed")
            // Told why before the close.
            #expect(got.isEmpty || String(decoding: got, as: UTF8.self).hasPrefix("HTTP/1.1 408"),
                    "\(String(decoding: got, as: UTF8.self))")
            #expect(try await Self.dropped(s.base, "header_timeout"))
        }
    }

    @Test func slowlorisIsClosedWhileStillSending() async throws {
        try await withServer(Self.short(header: 1)) { s in
            let c = try await RawSocket.connect(port: s.port, first: Array("GET /api/v1/status/buildinfo HTTP/1.1\r\nHost: 127.0.0.1\r\n".utf8))
            // One header byte every 100 ms, never the empty line: at most
            // 300 bytes (30 s), far more than the 1 s header timeout lets through.
            let header = Array(String(repeating: "X-Slow: 1\r\n", count: 30).utf8)
            let (closed, sent) = await c.dribble(header, every: .milliseconds(100))
            #expect(closed, "a slowloris client was not closed after sending \(sent) bytes")
            #expect(sent < header.count)
            #expect(try await Self.dropped(s.base, "header_timeout"))
        }
    }

    @Test func stalledBodyIsClosedAfterTheReadTimeout() async throws {
        try await withServer(Self.short(read: 1)) { s in
            let c = try await RawSocket.connect(port: s.port)
            let head = "POST /api/v1/write HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\n"
                + "Content-Encoding: snappy\r\nContent-Length: 1000\r\n\r\n"
            #expect(await c.send(Array(head.utf8) + [UInt8](repeating: 0, count: 10)))
            let (closed, got) = await c.waitClosed()
            #expect(closed, "a client that stalls in its body was not closed: \(String(decoding: got, as: UTF8.self))")
            #expect(try await Self.dropped(s.base, "read_timeout"))
        }
    }

    @Test func idleKeepAliveConnectionIsClosed() async throws {
        try await withServer(Self.short(idle: 1)) { s in
            let c = try await RawSocket.connect(port: s.port)
            #expect(await c.send(Array("GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)))
            let (closed, got) = await c.waitClosed()
            #expect(String(decoding: got, as: UTF8.self).hasPrefix("HTTP/1.1 200"), "\(String(decoding: got, as: UTF8.self))")
            #expect(closed, "an idle keep-alive connection was not closed")
            #expect(try await Self.dropped(s.base, "idle_timeout"))
        }
    }

    @Test func connectionsOverTheLimitAreRefused() async throws {
        let n = 3
        try await withServer({ c in
            c.limits.maxConnections = n
            c.limits.headerTimeout = .seconds(120)
            c.limits.idleTimeout = .seconds(120)
        }) { s in
            // N connections, each known to the server: it answered a request on each.
            var held: [RawSocket] = []
            for _ in 0..<n {
                let c = try await RawSocket.connect(port: s.port)
                #expect(await c.send(Array("GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)))
                let got = await c.read(until: Array("\r\n\r\n".utf8))
                #expect(String(decoding: got, as: UTF8.self).hasPrefix("HTTP/1.1 200"), "\(String(decoding: got, as: UTF8.self))")
                held.append(c)
            }
            // N+1: refused with 503 and closed while the N are open.
            let extra = try await RawSocket.connect(port: s.port)
            _ = await extra.send(Array("GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
            let (closed, got) = await extra.waitClosed()
            let text = String(decoding: got, as: UTF8.self)
            #expect(closed, "connection \(n + 1) was not closed: \(text)")
            #expect(got.isEmpty || (text.hasPrefix("HTTP/1.1 503") && text.contains("max_connections")), "\(text)")
            // The held connections still work.
            #expect(await held[0].send(Array("GET /-/healthy HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)))
            #expect(String(decoding: await held[0].read(until: Array("\r\n\r\n".utf8)), as: UTF8.self).hasPrefix("HTTP/1.1 200"))
            for c in held { c.close() }
            // Once they are closed (the server notices asynchronously), requests work again.
            var status = 0
            let deadline = Date().addingTimeInterval(120)
            while status != 200 && Date() < deadline {
                status = (try? await HTTP.get(s.base + "/-/healthy"))?.status ?? 0
                if status != 200 { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(status == 200, "no request succeeded after the held connections closed")
            #expect(try await Self.dropped(s.base, "max_connections"))
        }
    }

    @Test func webSocketOutlivesTheHeaderTimeout() async throws {
        try await withServer(Self.short(header: 2)) { s in
            let upgrade = "GET /ws/health HTTP/1.1\r\nHost: 127.0.0.1:\(s.port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            let ws = try await RawSocket.connect(port: s.port, first: Array(upgrade.utf8))
            let head = await ws.read(until: Array("\r\n\r\n".utf8))
            try #require(String(decoding: head, as: UTF8.self).hasPrefix("HTTP/1.1 101"), "\(String(decoding: head, as: UTF8.self))")
            // A silent client opened after the upgrade is dropped by the header
            // timeout: by then the WebSocket has been open longer than that.
            let silent = try await RawSocket.connect(port: s.port)
            #expect(await silent.waitClosed().closed)
            // The WebSocket still answers a ping (masked, as from a client) with a pong.
            #expect(await ws.send([0x89, 0x80, 1, 2, 3, 4]))
            #expect(await ws.readPong(), "the WebSocket was closed or did not answer a ping")
            ws.close()
        }
    }

    @Test func configKeys() throws {
        let c = try ServeConfig.parse(yaml: "limits: {max_connections: 5, header_timeout: 2s, read_timeout: 3s, idle_timeout: 1m}\n")
        #expect(c.limits.maxConnections == 5)
        #expect(c.limits.headerTimeout == .seconds(2) && c.limits.readTimeout == .seconds(3) && c.limits.idleTimeout == .seconds(60))
        #expect(throws: ConfigError.invalid("limits.header_timeout", "0s")) { try ServeConfig.parse(yaml: "limits: {header_timeout: 0s}\n") }
        #expect(throws: ConfigError.invalid("limits.max_connections", "-1")) { try ServeConfig.parse(yaml: "limits: {max_connections: -1}\n") }
        let d = ServeConfig()
        #expect(d.limits.maxConnections == 1024 && d.limits.headerTimeout == .seconds(10))
        #expect(try ServeConfig.parse(yaml: "storage: {wal_segment_size: 256KB}\n").storage.walSegmentSize == 256 << 10)
    }

    /// The real binary with TLS and the limits from its YAML config: a silent
    /// TCP client (no TLS handshake either) is dropped; HTTPS still works.
    @Test func tlsServerDropsSilentClientsFromItsConfig() async throws {
        let tmp = try TempDirectory("strata-slow-tls")
        defer { tmp.remove() }
        let (cert, key) = try TLSTests.makeCertificate(in: tmp.path)
        let config = tmp.sub("strata.yml")
        try "limits: {header_timeout: 1s}\nmonitoring: {self_scrape: false, host_metrics: false}\n"
            .write(toFile: config, atomically: true, encoding: .utf8)
        let server = try ServerProcess.start(dataDir: tmp.sub("data"), extraArgs: ["--tls-cert", cert, "--tls-key", key, "--config", config])
        defer { server.terminate() }
        let silent = try await RawSocket.connect(port: server.port)
        #expect(await silent.waitClosed().closed, "a silent client of the TLS server was not closed")
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        var text = ""
        do {
            let resp = try await client.execute(HTTPClientRequest(url: server.base + "/metrics"), timeout: .seconds(60))
            var body = try await resp.body.collect(upTo: 16 << 20)
            text = body.readString(length: body.readableBytes) ?? ""
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        #expect(text.contains("strata_connections_dropped_total{reason=\"header_timeout\"}"), "not counted")
    }
}


/// A blocking loopback TCP client; its calls run on a Dispatch thread, never
/// on the cooperative pool the in-process server needs.
final class RawSocket: @unchecked Sendable {
    let fd: Int32

    private init(fd: Int32) { self.fd = fd }

    static func offload<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { cont in
            DispatchQueue.global().async { cont.resume(returning: body()) }
        }
    }

    /// Connects; `first` bytes, if any, are sent on the same thread right
    /// after the connect, so no scheduling delay of the test falls between
    /// the two (the server's header timeout starts at the connect).
    static func connect(port: Int, first: [UInt8] = []) async throws -> RawSocket {
        let fd = await offload { () -> Int32 in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { return -1 }
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = in_port_t(UInt16(port).bigEndian)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            if rc != 0 { Glibc.close(fd); return -1 }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var sent = 0
            while sent < first.count {
                let n = first[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { Glibc.close(fd); return -1 }
                sent += n
            }
            return fd
        }
        guard fd >= 0 else { throw RawHTTP.Failure(description: "connect to \(port) failed") }
        return RawSocket(fd: fd)
    }

    /// Sends all of `bytes`; false if the connection is gone.
    func send(_ bytes: [UInt8]) async -> Bool {
        let fd = self.fd
        return await Self.offload {
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return false }
                sent += n
            }
            return true
        }
    }

    /// Waits up to `timeoutMs` for data; returns nil on timeout, [] on EOF or error.
    private static func receive(_ fd: Int32, timeoutMs: Int32) -> [UInt8]? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let r = poll(&p, 1, timeoutMs)
        if r == 0 { return nil }
        var buf = [UInt8](repeating: 0, count: 4096)
        let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? Array(buf[0..<n]) : []
    }

    /// Reads until the server closes the connection (EOF or reset), at most 120 s.
    func waitClosed(seconds: Double = 120) async -> (closed: Bool, received: [UInt8]) {
        let fd = self.fd
        return await Self.offload {
            var got: [UInt8] = []
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                guard let chunk = Self.receive(fd, timeoutMs: 500) else { continue }
                if chunk.isEmpty { return (true, got) }
                got += chunk
            }
            return (false, got)
        }
    }

    /// Reads until `marker` was received (or EOF, or 120 s).
    func read(until marker: [UInt8]) async -> [UInt8] {
        let fd = self.fd
        return await Self.offload {
            var got: [UInt8] = []
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                guard let chunk = Self.receive(fd, timeoutMs: 500) else { continue }
                if chunk.isEmpty { break }
                got += chunk
                if got.count >= marker.count && (0...(got.count - marker.count)).contains(where: { got[$0..<($0 + marker.count)].elementsEqual(marker) }) {
                    break
                }
            }
            return got
        }
    }

    /// Sends `bytes` one at a time, pausing `every` between them, until the
    /// server closes the connection or all are sent.
    func dribble(_ bytes: [UInt8], every: Duration) async -> (closed: Bool, sent: Int) {
        let fd = self.fd
        let ms = Int32(every.components.seconds * 1000 + every.components.attoseconds / 1_000_000_000_000_000)
        return await Self.offload {
            var sent = 0
            for b in bytes {
                // Wait for the pause; the server's answer or close ends it early.
                if let chunk = Self.receive(fd, timeoutMs: ms) {
                    if chunk.isEmpty { return (true, sent) }
                    // A 408: read on to the close.
                    continue
                }
                let n = [b].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, 1, Int32(MSG_NOSIGNAL)) }
                if n <= 0 { return (true, sent) }
                sent += 1
            }
            return (false, sent)
        }
    }

    /// Reads WebSocket frames (server frames are unmasked) until a pong; false on close or after 120 s.
    func readPong() async -> Bool {
        let fd = self.fd
        return await Self.offload {
            var got: [UInt8] = []
            let deadline = Date().addingTimeInterval(120)
            while Date() < deadline {
                // Parse whole frames from the front.
                while got.count >= 2 {
                    let opcode = got[0] & 0x0f
                    var len = Int(got[1] & 0x7f)
                    var off = 2
                    if len == 126 {
                        guard got.count >= 4 else { break }
                        len = Int(got[2]) << 8 | Int(got[3]); off = 4
                    } else if len == 127 {
                        guard got.count >= 10 else { break }
                        len = got[2..<10].reduce(0) { $0 << 8 | Int($1) }; off = 10
                    }
                    guard got.count >= off + len else { break }
                    if opcode == 0xA { return true }
                    if opcode == 0x8 { return false }
                    got.removeFirst(off + len)
                }
                guard let chunk = Self.receive(fd, timeoutMs: 500) else { continue }
                if chunk.isEmpty { return false }
                got += chunk
            }
            return false
        }
    }

    private var isClosed = false

    func close() {
        if !isClosed { isClosed = true; Glibc.close(fd) }
    }

    deinit { close() }
}
