import ArgumentParser
import Foundation
import StrataServer

/// `strata credentials …`: makes the stored forms of secrets for the
/// `security:` config section (issue #7), so that no secret is written in clear.
struct Credentials: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make hashed credentials for the security: config section.",
        subcommands: [HashPassword.self, HashToken.self]
    )
}

/// Reads one line from standard input (a secret is never a command-line
/// argument: those are visible in `ps` and shell history).
private func readSecret() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw ValidationError("expected the secret on standard input")
    }
    return line
}

/// `echo -n pw | strata credentials hash-password` → `pbkdf2-sha256$…`.
struct HashPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Read a password from standard input and print its PBKDF2-SHA256 hash (security.users[].password)."
    )

    @Option(help: "PBKDF2 rounds (at least \(PasswordHash.minimumRounds)).")
    var rounds: Int = PasswordHash.defaultRounds

    func run() throws {
        guard rounds >= PasswordHash.minimumRounds else { throw ValidationError("--rounds must be at least \(PasswordHash.minimumRounds)") }
        print(PasswordHash.make(password: try readSecret(), rounds: rounds).encoded)
    }
}

/// `echo -n token | strata credentials hash-token` → 64 hex digits.
struct HashToken: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-token",
        abstract: "Read a bearer token from standard input and print its SHA-256 (security.tokens[].sha256)."
    )

    func run() throws {
        print(TokenDigest.hex(try readSecret()))
    }
}
