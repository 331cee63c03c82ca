import AsyncHTTPClient
import NIOCore

/// The one HTTP client every target is measured with: AsyncHTTPClient over
/// HTTP/1.1 keep-alive connections, with bounded timeouts everywhere.
public final class BenchHTTPClient: Sendable {
    public struct Reply: Sendable {
        public var status: Int
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
        public var isSuccess: Bool { (200..<300).contains(status) }
    }

    let client: HTTPClient
    /// Largest response body read (query answers of the bench query set are
    /// far smaller; anything bigger is an error, not a result).
    static let maxResponseBytes = 256 << 20

    public init(connections: Int) {
        var config = HTTPClient.Configuration(
            timeout: .init(connect: .seconds(5), read: .seconds(300)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections)))
        config.httpVersion = .http1Only
        config.decompression = .disabled
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends one remote write request (snappy protobuf, version 0.1.0).
    public func remoteWrite(url: String, body: [UInt8], timeoutSeconds: Int64 = 120) async throws -> Reply {
        var req = HTTPClientRequest(url: url)
        req.method = .POST
        req.headers.add(name: "Content-Type", value: "application/x-protobuf")
        req.headers.add(name: "Content-Encoding", value: "snappy")
        req.headers.add(name: "X-Prometheus-Remote-Write-Version", value: "0.1.0")
        req.headers.add(name: "User-Agent", value: "strata-bench")
        req.body = .bytes(body)
        return try await execute(req, timeoutSeconds: timeoutSeconds)
    }

    public func get(_ url: String, timeoutSeconds: Int64 = 120) async throws -> Reply {
        var req = HTTPClientRequest(url: url)
        req.method = .GET
        req.headers.add(name: "User-Agent", value: "strata-bench")
        return try await execute(req, timeoutSeconds: timeoutSeconds)
    }

    public func post(_ url: String, timeoutSeconds: Int64 = 300) async throws -> Reply {
        var req = HTTPClientRequest(url: url)
        req.method = .POST
        req.headers.add(name: "User-Agent", value: "strata-bench")
        return try await execute(req, timeoutSeconds: timeoutSeconds)
    }

    private func execute(_ req: HTTPClientRequest, timeoutSeconds: Int64) async throws -> Reply {
        let resp = try await client.execute(req, timeout: .seconds(timeoutSeconds))
        var buf = try await resp.body.collect(upTo: Self.maxResponseBytes)
        let bytes = buf.readBytes(length: buf.readableBytes) ?? []
        return Reply(status: Int(resp.status.code), body: bytes)
    }
}
