#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOHTTP1
import Testing
import StrataTestSupport
@testable import StrataServer

/// Issue #7, authentication and authorization over real HTTP: every
/// endpoint (including the WebSocket upgrade and the admin endpoints) ×
/// every kind of caller (none, bad credentials, read, write, admin, basic
/// auth) gets 401, 403, or gets through to its handler.
@Suite(.serialized) struct AuthMatrixTests {
    static let tokens: [(String, Role)] = [("tok-read-0123456789", .read), ("tok-write-0123456789", .write),
                                           ("tok-admin-0123456789", .admin)]
    /// The cheapest hash `PasswordHash` accepts: the matrix checks behaviour, not cost.
    static let alice = PasswordHash.make(password: "correct horse", rounds: PasswordHash.minimumRounds)

    static func configure(_ c: inout ServeConfig) {
        c.security.tokens = tokens.enumerated().map { i, t in SecurityOptions.Token(name: "t\(i)-\(t.1)", token: t.0, role: t.1) }
        c.security.users = [SecurityOptions.User(name: "alice", password: alice, role: .write)]
        c.security.corsOrigins = ["https://grafana.example"]
        c.security.websocketOrigins = ["https://dash.example"]
    }

    enum Caller: CaseIterable, CustomStringConvertible {
        case none, unknownToken, wrongScheme, read, write, admin, basicWrite, basicWrongPassword, basicUnknownUser

        var header: String? {
            func basic(_ s: String) -> String { "Basic " + Data(s.utf8).base64EncodedString() }
            switch self {
            case .none: return nil
            case .unknownToken: return "Bearer tok-nobody-0123456789"
            case .wrongScheme: return "Digest username=\"alice\""
            case .read: return "Bearer " + AuthMatrixTests.tokens[0].0
            case .write: return "Bearer " + AuthMatrixTests.tokens[1].0
            case .admin: return "Bearer " + AuthMatrixTests.tokens[2].0
            case .basicWrite: return basic("alice:correct horse")
            case .basicWrongPassword: return basic("alice:battery staple")
            case .basicUnknownUser: return basic("mallory:correct horse")
            }
        }

        /// The role the caller holds, nil when its credentials are missing or wrong.
        var role: Role? {
            switch self {
            case .read: return .read
            case .write, .basicWrite: return .write
            case .admin: return .admin
            case .none, .unknownToken, .wrongScheme, .basicWrongPassword, .basicUnknownUser: return nil
            }
        }

        var description: String { "\(self.self)" }
    }

    struct Endpoint: CustomStringConvertible {
        var method: HTTPMethod
        var path: String
        var needs: Role?     // nil: open to anyone
        var body: [UInt8]? = nil
        var description: String { "\(method) \(path)" }
    }

    static let t0: Int64 = 1_764_374_400_000

    /// Every route the server registers, and path variants the router maps
    /// onto them (extra or trailing slashes).
    static let endpoints: [Endpoint] = {
        let rw = HTTP.remoteWriteBody([(labels: [("__name__", "auth_m")], samples: [(t0, 1)])])
        let line = Array("auth_line v=1 \(t0)000000\n".utf8)
        return [
            Endpoint(method: .GET, path: "/-/healthy", needs: nil),
            Endpoint(method: .GET, path: "/-/ready", needs: nil),
            Endpoint(method: .HEAD, path: "/-/ready", needs: nil),
            Endpoint(method: .GET, path: "/metrics", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/query?query=1", needs: .read),
            Endpoint(method: .POST, path: "/api/v1/query?query=1", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/query_range?query=1&start=0&end=60&step=15", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/series?match[]=up", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/labels", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/label/job/values", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/metadata", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/query_exemplars?query=up&start=0&end=1", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/format_query?query=up", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/status/buildinfo", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/status/runtimeinfo", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/status/flags", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/status/config", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/status/tsdb", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/targets", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/targets/nope", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/health", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/percentiles?query=auth_m", needs: .read),
            Endpoint(method: .POST, path: "/api/v1/percentiles?query=auth_m", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/activity/summary", needs: .read),
            Endpoint(method: .POST, path: "/api/v1/read", needs: .read, body: []),
            Endpoint(method: .GET, path: "/no/such/route", needs: .read),
            // WebSocket paths without an upgrade reach the HTTP router (the upgrades: `webSocketUpgrade`).
            Endpoint(method: .GET, path: "/ws/health", needs: .read),
            Endpoint(method: .GET, path: "/ws/audit", needs: .admin),
            Endpoint(method: .POST, path: "/api/v1/write", needs: .write, body: rw),
            Endpoint(method: .POST, path: "//api/v1//write/", needs: .write, body: rw),
            Endpoint(method: .POST, path: "/api/v2/write?precision=ns", needs: .write, body: line),
            Endpoint(method: .POST, path: "/write", needs: .write, body: line),
            Endpoint(method: .POST, path: "/api/v1/import", needs: .write, body: Array("{}\n".utf8)),
            Endpoint(method: .POST, path: "/api/v1/activity", needs: .write, body: Array("[]".utf8)),
            Endpoint(method: .POST, path: "/api/v1/admin/tsdb/flush", needs: .admin),
            Endpoint(method: .PUT, path: "/api/v1/admin/tsdb/flush", needs: .admin),
            Endpoint(method: .POST, path: "/api/v1/admin/tsdb/compact", needs: .admin),
            Endpoint(method: .POST, path: "/api/v1//admin/tsdb/flush", needs: .admin),
            Endpoint(method: .PUT, path: "/api/v1/admin/tsdb/compact", needs: .admin),
            Endpoint(method: .POST, path: "/api/v1/admin/tsdb/delete_series?match[]=auth_nothing", needs: .admin),
            Endpoint(method: .PUT, path: "/api/v1/admin/tsdb/delete_series?match[]=auth_nothing", needs: .admin),
            Endpoint(method: .POST, path: "/api/v1/admin/tsdb/clean_tombstones", needs: .admin),
            Endpoint(method: .PUT, path: "/api/v1/admin/tsdb/clean_tombstones", needs: .admin),
            Endpoint(method: .POST, path: "/api/v1/admin/tsdb/import", needs: .admin, body: []),
            Endpoint(method: .POST, path: "/api/v1/audit/events", needs: .admin, body: Array("[]".utf8)),
            Endpoint(method: .GET, path: "/api/v1/audit/events", needs: .admin),
            Endpoint(method: .GET, path: "/api/v1/audit/events/nope", needs: .admin),
            Endpoint(method: .GET, path: "/api/v1/audit/export", needs: .admin),
            Endpoint(method: .GET, path: "/api/v1/audit/chain", needs: .admin),
            Endpoint(method: .GET, path: "/api/v1/audit/verify", needs: .admin),
            // The dashboard (static files): `read`, so a browser asks for basic credentials.
            Endpoint(method: .GET, path: "/", needs: .read),
            Endpoint(method: .GET, path: "/ui/metrics", needs: .read),
            Endpoint(method: .GET, path: "/assets/app.js", needs: .read),
            Endpoint(method: .HEAD, path: "/assets/app.js", needs: .read),
            Endpoint(method: .POST, path: "/api/v1/targets", needs: .admin, body: Array("{}".utf8)),
            Endpoint(method: .PUT, path: "/api/v1/targets/nope", needs: .admin, body: Array("{}".utf8)),
            Endpoint(method: .DELETE, path: "/api/v1/targets/nope", needs: .admin),
            // Alerting (issue #9).
            Endpoint(method: .GET, path: "/api/v1/rules", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/rules/nope", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/alerts", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/alerts/history", needs: .read),
            Endpoint(method: .GET, path: "/api/v1/alert-settings", needs: .read),
            Endpoint(method: .POST, path: "/api/v1/rules", needs: .admin, body: Array("{}".utf8)),
            Endpoint(method: .PUT, path: "/api/v1/rules/nope", needs: .admin, body: Array("{}".utf8)),
            Endpoint(method: .DELETE, path: "/api/v1/rules/nope", needs: .admin),
            Endpoint(method: .PUT, path: "/api/v1/alert-settings", needs: .admin, body: Array("{}".utf8)),
            Endpoint(method: .POST, path: "/-/reload", needs: .admin),
            Endpoint(method: .PUT, path: "/-/reload", needs: .admin),
        ]
    }()

    @Test func everyEndpointForEveryCaller() async throws {
        try await withServer(Self.configure) { s in
            var rows = 0
            var failures: [String] = []
            for e in Self.endpoints {
                for caller in Caller.allCases {
                    var headers: [(String, String)] = []
                    if let h = caller.header { headers.append(("Authorization", h)) }
                    let r = try await HTTP.request(s.base + e.path, method: e.method, body: e.body, headers: headers)
                    rows += 1
                    let expected: String
                    let ok: Bool
                    if let needs = e.needs {
                        if let has = caller.role {
                            expected = has >= needs ? "handled" : "403"
                            ok = has >= needs ? (r.status != 401 && r.status != 403) : r.status == 403
                        } else {
                            expected = "401"
                            ok = r.status == 401 && r.headers.first(name: "WWW-Authenticate")?.contains("Bearer") == true
                        }
                    } else {
                        expected = "handled"
                        ok = r.status != 401 && r.status != 403
                    }
                    if !ok { failures.append("\(e) as \(caller): \(r.status), expected \(expected): \(r.text.prefix(200))") }
                }
            }
            #expect(failures.isEmpty, "\(failures.count) of \(rows) rows failed:\n\(failures.joined(separator: "\n"))")
            print("auth matrix: \(rows) rows (\(Self.endpoints.count) endpoints × \(Caller.allCases.count) callers), \(rows - failures.count) passed")

            // A read token could not write through any path: nothing of the write endpoints' data is stored.
            let q = try await HTTP.request(HTTP.url(s.base, "/api/v1/query", [("query", "count(auth_m)"),
                                                                             ("time", PromNumber.formatTimestamp(Self.t0))]),
                                           headers: [("Authorization", Caller.admin.header!)])
            #expect(q.status == 200)

            // Each refusal is counted by reason.
            let m = try await HTTP.request(s.base + "/metrics", headers: [("Authorization", Caller.read.header!)])
            for reason in ["missing_credentials", "invalid_credentials", "forbidden"] {
                #expect(m.text.contains("strata_auth_failures_total{reason=\"\(reason)\"}"), "\(reason)")
            }
        }
    }

    /// The WebSocket upgrade needs `read` (`admin` for the audit feed) and an allowed Origin.
    @Test func webSocketUpgrade() async throws {
        try await withServer(Self.configure) { s in
            // (path, Authorization, Origin, status, errorType of a refusal)
            let cases: [(String, String?, String?, Int, String)] = [
                ("health", nil, nil, 401, "unauthorized"),
                ("health", Caller.unknownToken.header, nil, 401, "unauthorized"),
                ("health", Caller.basicWrongPassword.header, nil, 401, "unauthorized"),
                ("health", Caller.read.header, nil, 101, ""),
                ("metrics", Caller.basicWrite.header, nil, 101, ""),
                ("health", Caller.admin.header, "https://dash.example", 101, ""),
                ("health", Caller.admin.header, "http://127.0.0.1:\(s.port)", 101, ""),
                ("health", Caller.admin.header, "https://evil.example", 403, "forbidden"),
                ("health", Caller.admin.header, "https://grafana.example", 403, "forbidden"),
                ("health", Caller.admin.header, "null", 403, "forbidden"),
                // Not a browser origin (swift-websocket's client sends these).
                ("health", Caller.admin.header, "ws://127.0.0.1", 101, ""),
                // The audit feed is the audit log: admin only.
                ("audit", Caller.write.header, nil, 403, "forbidden"),
                ("audit", Caller.admin.header, nil, 101, ""),
                // Refusals of the route itself.
                ("nosuch", Caller.admin.header, nil, 404, "not_found"),
                ("health?since=soon", Caller.admin.header, nil, 400, "bad_data"),
            ]
            for (channel, auth, origin, want, errorType) in cases {
                var headers: [(String, String)] = []
                if let auth { headers.append(("Authorization", auth)) }
                if let origin { headers.append(("Origin", origin)) }
                let (status, body) = try RawHTTP.upgradeResponse(port: s.port, path: "/ws/" + channel, headers: headers)
                let what = "/ws/\(channel) auth \(auth ?? "-") origin \(origin ?? "-")"
                #expect(status == want, "\(what): \(status) \(body)")
                if want != 101 {
                    // The refusal says why, as the HTTP API does.
                    let json = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
                    #expect(json?["status"] as? String == "error" && json?["errorType"] as? String == errorType, "\(what): \(body)")
                    let reason = json?["error"] as? String ?? ""
                    #expect(reason.count > 10, "\(what): \(body)")
                }
            }
            let m = try await HTTP.request(s.base + "/metrics", headers: [("Authorization", Caller.read.header!)])
            #expect(m.text.contains("strata_auth_failures_total{reason=\"missing_credentials\"} 1"))
            #expect(m.text.contains("strata_auth_failures_total{reason=\"invalid_credentials\"} 2"))
            #expect(m.text.contains("strata_auth_failures_total{reason=\"forbidden\"} 1"))
        }
    }

    @Test func corsAllowList() async throws {
        try await withServer(Self.configure) { s in
            let read = ("Authorization", Caller.read.header!)
            // Preflight from an allowed origin, without credentials (browsers send none).
            var r = try await HTTP.request(s.base + "/api/v1/query", method: .OPTIONS, headers: [
                ("Origin", "https://grafana.example"), ("Access-Control-Request-Method", "POST"),
                ("Access-Control-Request-Headers", "authorization"),
            ])
            #expect(r.status == 204)
            #expect(r.headers.first(name: "Access-Control-Allow-Origin") == "https://grafana.example")
            #expect(r.headers.first(name: "Access-Control-Allow-Headers") == "authorization")
            // Preflight from another origin.
            r = try await HTTP.request(s.base + "/api/v1/query", method: .OPTIONS, headers: [
                ("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST"),
            ])
            #expect(r.status == 403)
            #expect(r.headers.first(name: "Access-Control-Allow-Origin") == nil)
            // A simple GET: headers only for the allowed origin.
            r = try await HTTP.request(s.base + "/api/v1/labels", headers: [read, ("Origin", "https://grafana.example")])
            #expect(r.status == 200)
            #expect(r.headers.first(name: "Access-Control-Allow-Origin") == "https://grafana.example")
            #expect(r.headers.first(name: "Vary") == "Origin")
            r = try await HTTP.request(s.base + "/api/v1/labels", headers: [read, ("Origin", "https://evil.example")])
            #expect(r.status == 200)
            #expect(r.headers.first(name: "Access-Control-Allow-Origin") == nil)
            // A cross-site state change is refused even with valid credentials.
            let admin = ("Authorization", Caller.admin.header!)
            r = try await HTTP.request(s.base + "/api/v1/admin/tsdb/flush", method: .POST, headers: [admin, ("Origin", "https://evil.example")])
            #expect(r.status == 403)
            r = try await HTTP.request(s.base + "/api/v1/admin/tsdb/flush", method: .POST,
                                       headers: [admin, ("Origin", "http://127.0.0.1:\(s.port)")])
            #expect(r.status == 200)
        }
    }

    @Test func authIsOffByDefaultOnLoopback() async throws {
        try await withServer { s in
            let r = try await HTTP.request(s.base + "/api/v1/admin/tsdb/flush", method: .POST)
            #expect(r.status == 200)
            let w = try await HTTP.remoteWrite(s.base, HTTP.remoteWriteBody([(labels: [("__name__", "x")], samples: [(Self.t0, 1)])]))
            #expect(w.status == 204)
        }
    }

    @Test func nonLoopbackListenNeedsAuthOrInsecure() throws {
        #expect(SecurityOptions.isLoopback("127.0.0.1") && SecurityOptions.isLoopback("127.1.2.3"))
        #expect(SecurityOptions.isLoopback("localhost") && SecurityOptions.isLoopback("::1"))
        #expect(!SecurityOptions.isLoopback("0.0.0.0") && !SecurityOptions.isLoopback("::") && !SecurityOptions.isLoopback("10.0.0.1"))
        var o = SecurityOptions()
        #expect(throws: SecurityConfigError.self) { try o.validate(host: "0.0.0.0") }
        o.insecure = true
        try o.validate(host: "0.0.0.0")
        o.insecure = false
        o.tokens = [.init(name: "t", token: "x", role: .read)]
        try o.validate(host: "0.0.0.0")

        // The binary refuses before it opens anything.
        let tmp = try TempDirectory("strata-auth-listen")
        defer { tmp.remove() }
        do {
            let p = try ServerProcess.start(dataDir: tmp.sub("data"), listen: "0.0.0.0:0")
            p.kill9()
            Issue.record("strata serve started on 0.0.0.0 without authentication")
        } catch ServerProcessError.exitedEarly(let status, let log) {
            #expect(status != 0)
            #expect(log.contains("without authentication"), "\(log)")
        }
        #expect(!FileManager.default.fileExists(atPath: tmp.sub("data") + "/wal"))
    }

    @Test func configFileTokensAndUsers() throws {
        let digest = TokenDigest.hex("s3cret-token")
        let hash = PasswordHash.make(password: "pw", rounds: PasswordHash.minimumRounds).encoded
        let yaml = """
        security:
          tokens:
            - {name: grafana, sha256: "\(digest)", role: read}
          users:
            - {name: bob, password: "\(hash)", role: admin}
          cors_origins: ["https://grafana.example"]
        """
        let tmp = try TempDirectory("strata-auth-config")
        defer { tmp.remove() }
        let path = tmp.sub("strata.yml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let cfg = try ServeConfig.load(yaml: path)
        let auth = Authenticator(options: cfg.security)
        #expect(auth.authenticate(authorization: "Bearer s3cret-token") == .authenticated(name: "grafana", role: .read))
        #expect(auth.authenticate(authorization: "bearer s3cret-token") == .authenticated(name: "grafana", role: .read))
        #expect(auth.authenticate(authorization: "Bearer s3cret-tokeN") == .invalid(reason: "unknown bearer token", user: nil))
        let bob = "Basic " + Data("bob:pw".utf8).base64EncodedString()
        #expect(auth.authenticate(authorization: bob) == .authenticated(name: "bob", role: .admin))
        // Second time from the verified cache: the same answer.
        #expect(auth.authenticate(authorization: bob) == .authenticated(name: "bob", role: .admin))
        let wrong = "Basic " + Data("bob:pW".utf8).base64EncodedString()
        if case .invalid = auth.authenticate(authorization: wrong) {} else { Issue.record("wrong password accepted") }
        if case .invalid = auth.authenticate(authorization: "Basic !!!") {} else { Issue.record("malformed basic accepted") }
        #expect(auth.authenticate(authorization: nil) == .anonymous)
        // Weak hashes and malformed digests are configuration errors.
        #expect(PasswordHash(encoded: "pbkdf2-sha256$1000$AAAAAAAAAAA=$" + String(repeating: "A", count: 44)) == nil)
        #expect(TokenDigest.parseHex(String(digest.dropLast())) == nil)
        #expect(TokenDigest.parseHex(digest.uppercased()) == TokenDigest.bytes("s3cret-token"))
    }

    @Test func endpointPolicyNormalisesPaths() {
        #expect(EndpointPolicy.requirement(method: .post, path: "//api/v1//write/") == .role(.write))
        #expect(EndpointPolicy.requirement(method: .post, path: "/api/v1/%61dmin/tsdb/flush") == .role(.admin))
        #expect(EndpointPolicy.requirement(method: .get, path: "/-/healthy/") == .anonymous)
        #expect(EndpointPolicy.requirement(method: .get, path: "/") == .role(.read))
        #expect(EndpointPolicy.requirement(method: .delete, path: "/api/v1/targets/x") == .role(.admin))
    }
}

/// A bare HTTP/1.1 client for the WebSocket handshake: sends the upgrade
/// request and returns the status code of the answer.
enum RawHTTP {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Whether something accepts connections on the loopback port (a refused
    /// connect answers at once, unlike an HTTP client that retries).
    static func isListening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return rc == 0
    }

    static func upgradeStatus(port: Int, path: String, headers: [(String, String)]) throws -> Int {
        try upgradeResponse(port: port, path: path, headers: headers).status
    }

    /// The answer to a WebSocket upgrade request: its status and, for a
    /// refusal, its body (by Content-Length).
    static func upgradeResponse(port: Int, path: String, headers: [(String, String)]) throws -> (status: Int, body: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(errno)") }
        defer { close(fd) }
        var tv = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw Failure(description: "connect: \(errno)") }
        var req = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        req += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        for (k, v) in headers { req += "\(k): \(v)\r\n" }
        req += "\r\n"
        let bytes = Array(req.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "send: \(errno)") }
            sent += n
        }
        var got: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 1024)
        func headEnd() -> Int? {
            let marker = Array("\r\n\r\n".utf8)
            guard got.count >= 4 else { return nil }
            return (0...(got.count - 4)).first { Array(got[$0..<($0 + 4)]) == marker }.map { $0 + 4 }
        }
        func receive() throws {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { throw Failure(description: "recv: \(n) \(errno) after \(got.count) bytes") }
            got += buf[0..<n]
        }
        while headEnd() == nil { try receive() }
        let end = headEnd()!
        let head = String(decoding: got[..<end], as: UTF8.self)
        // "HTTP/1.1 101 Switching Protocols"
        let line = head.prefix { $0 != "\r" }
        let parts = line.split(separator: " ")
        guard parts.count >= 2, let code = Int(parts[1]) else { throw Failure(description: "bad status line \(line)") }
        let length = head.split(separator: "\r\n").compactMap { l -> Int? in
            let kv = l.split(separator: ":", maxSplits: 1)
            return kv.count == 2 && kv[0].lowercased() == "content-length" ? Int(kv[1].trimmingCharacters(in: .whitespaces)) : nil
        }.first ?? 0
        while got.count < end + length { try receive() }
        return (code, String(decoding: got[end..<(end + length)], as: UTF8.self))
    }
}
