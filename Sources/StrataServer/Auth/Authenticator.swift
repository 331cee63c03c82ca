import Crypto
import Foundation
import Synchronization

/// Checks `Authorization` headers against the configured tokens and users.
///
/// Timing: a bearer token is hashed once and compared with every stored
/// digest without early exit. A basic-auth user that does not exist is
/// checked against a dummy hash with the same rounds, so "unknown user" and
/// "wrong password" cost the same PBKDF2 work.
public final class Authenticator: Sendable {
    public enum Result: Sendable, Equatable {
        /// No credentials were sent.
        case anonymous
        case authenticated(name: String, role: Role)
        /// Credentials were sent and are wrong (or malformed).
        case invalid(reason: String, user: String?)
    }

    let tokens: [SecurityOptions.Token]
    let users: [String: SecurityOptions.User]
    let dummy: PasswordHash
    /// Recently verified basic credentials (SHA-256 of user, password and a
    /// per-process key) → expiry, so a client sending the same credentials on
    /// every request pays PBKDF2 once a minute, not per request. Only
    /// successes are cached: a guesser always pays the full hash.
    private let verified = Mutex<[Data: ContinuousClock.Instant]>([:])
    /// Raw bytes: `SymmetricKey` is not `Sendable`.
    private let cacheKey: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }
    static let cacheTTL: Duration = .seconds(60)
    static let cacheCap = 10_000

    public init(options: SecurityOptions) {
        tokens = options.tokens
        var u: [String: SecurityOptions.User] = [:]
        for user in options.users { u[user.name] = user }
        users = u
        let rounds = options.users.map(\.password.rounds).max() ?? PasswordHash.defaultRounds
        dummy = PasswordHash(rounds: rounds, salt: Array(repeating: 0x5a, count: 16), key: Array(repeating: 0, count: 32))
    }

    public var enabled: Bool { !tokens.isEmpty || !users.isEmpty }

    public func authenticate(authorization: String?) -> Result {
        guard let header = authorization, !header.isEmpty else { return .anonymous }
        let space = header.firstIndex(of: " ") ?? header.endIndex
        let scheme = header[..<space].lowercased()
        let rest = header[space...].trimmingCharacters(in: .whitespaces)
        switch scheme {
        case "bearer": return bearer(rest)
        case "basic": return basic(rest)
        default: return .invalid(reason: "unsupported authorization scheme \"\(scheme)\"", user: nil)
        }
    }

    private func bearer(_ token: String) -> Result {
        guard !token.isEmpty else { return .invalid(reason: "empty bearer token", user: nil) }
        let digest = TokenDigest.bytes(token)
        var match: SecurityOptions.Token? = nil
        for t in tokens where TokenDigest.constantTimeEqual(t.digest, digest) { match = t }
        if let match { return .authenticated(name: match.name, role: match.role) }
        return .invalid(reason: "unknown bearer token", user: nil)
    }

    private func basic(_ encoded: String) -> Result {
        guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8),
              let colon = text.firstIndex(of: ":") else {
            return .invalid(reason: "malformed basic credentials", user: nil)
        }
        let name = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        let cacheID = Data(HMAC<SHA256>.authenticationCode(for: Array((name + "\u{0}" + password).utf8), using: SymmetricKey(data: cacheKey)))
        let now = ContinuousClock.now
        if let user = users[name], verified.withLock({ ($0[cacheID] ?? now) > now }) {
            return .authenticated(name: user.name, role: user.role)
        }
        let user = users[name]
        // The same PBKDF2 work whether or not the user exists.
        let ok = (user?.password ?? dummy).verify(password) && user != nil
        guard ok, let user else { return .invalid(reason: "wrong user name or password", user: name) }
        verified.withLock { c in
            if c.count >= Self.cacheCap { c.removeAll() }
            c[cacheID] = now + Self.cacheTTL
        }
        return .authenticated(name: user.name, role: user.role)
    }
}
