/// Authentication, authorization, CORS, WebSocket origins and TLS (issue #7).
///
/// ```yaml
/// security:
///   tokens:                        # bearer tokens, stored as SHA-256 hex
///     - {name: grafana, sha256: "9f86d0…", role: read}
///   users:                         # basic auth, PBKDF2 (see PasswordHash)
///     - {name: alice, password: "pbkdf2-sha256$210000$…$…", role: admin}
///   cors_origins: ["https://grafana.example.com"]
///   websocket_origins: ["https://dash.example.com"]
///   tls: {cert: /etc/strata/cert.pem, key: /etc/strata/key.pem}
///   insecure: false                # allow a non-loopback listen address without auth
/// ```
///
/// Without tokens or users authentication is off: everyone is admin. That
/// is allowed only on a loopback address, unless `insecure` is set.
public struct SecurityOptions: Sendable, Equatable {
    public struct Token: Sendable, Equatable {
        public var name: String
        /// SHA-256 of the token, 32 bytes.
        public var digest: [UInt8]
        public var role: Role

        public init(name: String, digest: [UInt8], role: Role) {
            self.name = name
            self.digest = digest
            self.role = role
        }

        /// A token given in clear (tests, `strata serve` flags): only its digest is kept.
        public init(name: String, token: String, role: Role) {
            self.init(name: name, digest: TokenDigest.bytes(token), role: role)
        }
    }

    public struct User: Sendable, Equatable {
        public var name: String
        public var password: PasswordHash
        public var role: Role

        public init(name: String, password: PasswordHash, role: Role) {
            self.name = name
            self.password = password
            self.role = role
        }
    }

    public struct TLS: Sendable, Equatable {
        public var certificatePath: String?
        public var keyPath: String?
        public var enabled: Bool { certificatePath != nil && keyPath != nil }
        public init() {}
    }

    public var tokens: [Token] = []
    public var users: [User] = []
    /// Origins allowed to call the HTTP API from a browser (exact `scheme://host[:port]`, or `*`).
    public var corsOrigins: [String] = []
    /// Origins allowed to open WebSockets, besides the server's own origin.
    public var websocketOrigins: [String] = []
    public var tls = TLS()
    public var insecure = false

    public init() {}

    public var authEnabled: Bool { !tokens.isEmpty || !users.isEmpty }

    /// Refuses to expose an unauthenticated server beyond loopback.
    public func validate(host: String) throws(SecurityConfigError) {
        if !authEnabled && !insecure && !Self.isLoopback(host) {
            throw .unauthenticatedPublicListen(host)
        }
        for u in users where u.name.contains(":") { throw .invalid("security.users", "user name \"\(u.name)\" contains ':'") }
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }

    mutating func apply(yaml v: Any) throws(ConfigError) {
        guard let m = v as? [String: Any] else { throw .invalid("security", "must be a mapping") }
        for (k, val) in m {
            switch k {
            case "insecure":
                guard let b = val as? Bool else { throw .invalid("security.insecure", "\(val)") }
                insecure = b
            case "tokens":
                guard let list = val as? [Any] else { throw .invalid("security.tokens", "must be a list") }
                for (i, item) in list.enumerated() {
                    let key = "security.tokens[\(i)]"
                    guard let t = item as? [String: Any], let name = t["name"] as? String,
                          let hex = t["sha256"] as? String, let digest = TokenDigest.parseHex(hex),
                          let role = (t["role"] as? String).flatMap(Role.init(name:)) else {
                        throw .invalid(key, "needs name, sha256 (64 hex digits) and role (read, write, admin)")
                    }
                    tokens.append(Token(name: name, digest: digest, role: role))
                }
            case "users":
                guard let list = val as? [Any] else { throw .invalid("security.users", "must be a list") }
                for (i, item) in list.enumerated() {
                    let key = "security.users[\(i)]"
                    guard let u = item as? [String: Any], let name = u["name"] as? String, !name.isEmpty,
                          let hash = (u["password"] as? String).flatMap(PasswordHash.init(encoded:)),
                          let role = (u["role"] as? String).flatMap(Role.init(name:)) else {
                        throw .invalid(key, "needs name, password (pbkdf2-sha256$rounds$salt$key, see `strata credentials hash-password`) and role")
                    }
                    users.append(User(name: name, password: hash, role: role))
                }
            case "cors_origins", "websocket_origins":
                guard let list = val as? [String] else { throw .invalid("security.\(k)", "must be a list of origins") }
                if k == "cors_origins" { corsOrigins = list } else { websocketOrigins = list }
            case "tls":
                guard let t = val as? [String: Any] else { throw .invalid("security.tls", "must be a mapping") }
                tls.certificatePath = t["cert"] as? String
                tls.keyPath = t["key"] as? String
                guard tls.enabled else { throw .invalid("security.tls", "needs cert and key") }
            default:
                throw .unknownKey("security.\(k)")
            }
        }
    }
}

public enum SecurityConfigError: Error, Sendable, CustomStringConvertible {
    case unauthenticatedPublicListen(String)
    case invalid(String, String)

    public var description: String {
        switch self {
        case .unauthenticatedPublicListen(let h):
            return "refusing to listen on \(h) without authentication: configure security.tokens or security.users, or pass --insecure"
        case .invalid(let k, let why): return "invalid \(k): \(why)"
        }
    }
}
