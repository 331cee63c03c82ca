import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import StrataCodec
import StrataIngest
import StrataServer
import StrataStorage
import StrataTestSupport

/// A real `StrataServer` on a loopback port chosen by the kernel, in this process.
final class TestServer: @unchecked Sendable {
    let tmp: TempDirectory
    let server: StrataServer
    let port: Int
    private let task: Task<Void, any Error>

    var base: String { "http://127.0.0.1:\(port)" }

    static func start(_ configure: (inout ServeConfig) -> Void = { _ in }) async throws -> TestServer {
        let tmp = try TempDirectory("strata-server")
        var cfg = ServeConfig()
        cfg.dataDir = tmp.sub("data")
        cfg.host = "127.0.0.1"
        cfg.port = 0
        // Self-scrape and host metrics (issue #8) add series of their own;
        // tests that want them turn them on.
        cfg.monitoring.selfScrape = false
        cfg.monitoring.hostMetrics = false
        configure(&cfg)
        let server = try StrataServer(config: cfg, logger: quietLogger)
        let (stream, cont) = AsyncStream<Int>.makeStream()
        let task = Task {
            try await server.run(handleSignals: false) { port in cont.yield(port) }
        }
        var it = stream.makeAsyncIterator()
        guard let port = await it.next() else { throw TestServerError.didNotStart }
        return TestServer(tmp: tmp, server: server, port: port, task: task)
    }

    private init(tmp: TempDirectory, server: StrataServer, port: Int, task: Task<Void, any Error>) {
        self.tmp = tmp
        self.server = server
        self.port = port
        self.task = task
    }

    func stop() async {
        task.cancel()
        _ = try? await task.value
        tmp.remove()
    }
}

/// Runs `body` against a fresh server and always stops it.
func withServer(
    _ configure: (inout ServeConfig) -> Void = { _ in }, _ body: (TestServer) async throws -> Void
) async throws {
    let s = try await TestServer.start(configure)
    do {
        try await body(s)
    } catch {
        await s.stop()
        throw error
    }
    await s.stop()
}

enum TestServerError: Error { case didNotStart }

struct HTTPResult: Sendable {
    var status: Int
    var body: [UInt8]
    var headers: HTTPHeaders
    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] }
    var data: Any? { json?["data"] }
    var error: String? { json?["error"] as? String }
    var errorType: String? { json?["errorType"] as? String }
}

enum HTTP {
    static func request(
        _ url: String, method: HTTPMethod = .GET, body: [UInt8]? = nil, headers: [(String, String)] = [],
        timeout: TimeAmount = .seconds(180)
    ) async throws -> HTTPResult {
        var req = HTTPClientRequest(url: url)
        req.method = method
        for (k, v) in headers { req.headers.add(name: k, value: v) }
        if let body { req.body = .bytes(ByteBuffer(bytes: body)) }
        let resp = try await HTTPClient.shared.execute(req, timeout: timeout)
        var buf = try await resp.body.collect(upTo: 256 << 20)
        let bytes = buf.readBytes(length: buf.readableBytes) ?? []
        return HTTPResult(status: Int(resp.status.code), body: bytes, headers: resp.headers)
    }

    static func get(_ url: String) async throws -> HTTPResult { try await request(url) }

    static func post(_ url: String, _ body: String) async throws -> HTTPResult {
        try await request(url, method: .POST, body: Array(body.utf8))
    }

    static func postForm(_ url: String, _ form: [(String, String)]) async throws -> HTTPResult {
        let body = form.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
        return try await request(url, method: .POST, body: Array(body.utf8),
                                 headers: [("Content-Type", "application/x-www-form-urlencoded")])
    }

    /// `base + path + ?k=v&…` with values percent-encoded.
    static func url(_ base: String, _ path: String, _ query: [(String, String)] = []) -> String {
        if query.isEmpty { return base + path }
        return base + path + "?" + query.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    static func escape(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
    }

    /// An uncompressed remote write protobuf, labels exactly in the order given.
    static func writeRequestProto(_ series: [(labels: [(String, String)], samples: [(Int64, Double)])]) -> [UInt8] {
        var proto: [UInt8] = []
        for s in series {
            let ts = s.samples.map(\.0), vs = s.samples.map(\.1)
            ts.withUnsafeBufferPointer { t in
                vs.withUnsafeBufferPointer { v in
                    WriteRequestEncoder.appendTimeSeries(
                        labels: Labels(sortedUnchecked: s.labels.map { Label($0.0, $0.1) }),
                        timestamps: t, values: v, to: &proto)
                }
            }
        }
        return proto
    }

    /// A snappy-compressed remote write request, as Prometheus sends it.
    static func remoteWriteBody(_ series: [(labels: [(String, String)], samples: [(Int64, Double)])]) -> [UInt8] {
        var out: [UInt8] = []
        Snappy.compress(writeRequestProto(series), into: &out)
        return out
    }

    static func remoteWrite(_ base: String, _ body: [UInt8]) async throws -> HTTPResult {
        try await request(base + "/api/v1/write", method: .POST, body: body, headers: [
            ("Content-Type", "application/x-protobuf"), ("Content-Encoding", "snappy"),
            ("X-Prometheus-Remote-Write-Version", "0.1.0"),
        ])
    }
}
