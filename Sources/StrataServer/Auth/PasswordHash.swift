import Crypto
import _CryptoExtras
import Foundation

/// A stored password: PBKDF2-HMAC-SHA256 (RFC 8018) with a per-user salt,
/// written `pbkdf2-sha256$<rounds>$<salt base64>$<key base64>`.
///
/// 210,000 rounds is OWASP's 2023 recommendation for PBKDF2-HMAC-SHA256
/// (and swift-crypto's checked minimum): about 0.1 s per check here, which
/// is the point: a stolen config file is slow to brute-force.
public struct PasswordHash: Sendable, Equatable {
    public static let defaultRounds = 210_000
    /// Configs with fewer rounds are refused (tests may use the minimum).
    public static let minimumRounds = 10_000

    public var rounds: Int
    public var salt: [UInt8]
    public var key: [UInt8]

    /// Hashes `password` with a fresh random 16-byte salt.
    public static func make(password: String, rounds: Int = defaultRounds) -> PasswordHash {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        return PasswordHash(rounds: rounds, salt: salt, key: derive(password, salt: salt, rounds: rounds))
    }

    public init(rounds: Int, salt: [UInt8], key: [UInt8]) {
        self.rounds = rounds
        self.salt = salt
        self.key = key
    }

    public init?(encoded s: String) {
        let parts = s.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let r = Int(parts[1]), r >= Self.minimumRounds,
              let salt = Data(base64Encoded: String(parts[2])), let key = Data(base64Encoded: String(parts[3])),
              salt.count >= 8, key.count == 32 else { return nil }
        self.init(rounds: r, salt: Array(salt), key: Array(key))
    }

    public var encoded: String {
        "pbkdf2-sha256$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(key).base64EncodedString())"
    }

    /// Derives the key for `password` and compares in constant time.
    public func verify(_ password: String) -> Bool {
        TokenDigest.constantTimeEqual(Self.derive(password, salt: salt, rounds: rounds), key)
    }

    static func derive(_ password: String, salt: [UInt8], rounds: Int) -> [UInt8] {
        // Rounds are checked when the hash is parsed (`minimumRounds`); the
        // unchecked entry point lets tests use cheaper hashes.
        guard let k = try? KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                         outputByteCount: 32, unsafeUncheckedRounds: rounds) else {
            return []
        }
        return k.withUnsafeBytes { Array($0) }
    }
}
