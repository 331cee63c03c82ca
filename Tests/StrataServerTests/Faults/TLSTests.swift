import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Testing
import StrataTestSupport
@testable import StrataServer

/// Issue #7: `strata serve --tls-cert --tls-key` serves HTTPS (the real
/// binary, a self-signed certificate made by `openssl` for the test).
@Suite struct TLSTests {
    static func makeCertificate(in dir: String) throws -> (cert: String, key: String) {
        let cert = dir + "/cert.pem", key = dir + "/key.pem"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                       "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ServerProcessError.exitedEarly(p.terminationStatus, "openssl req failed") }
        return (cert, key)
    }

    @Test func servesHTTPSWithCertAndKeyFlags() async throws {
        let tmp = try TempDirectory("strata-tls")
        defer { tmp.remove() }
        let (cert, key) = try Self.makeCertificate(in: tmp.path)
        let server = try ServerProcess.start(dataDir: tmp.sub("data"), extraArgs: ["--tls-cert", cert, "--tls-key", key])
        defer { server.terminate() }
        #expect(server.scheme == "https")
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(tlsConfiguration: tls))
        let status: UInt
        do {
            let resp = try await client.execute(HTTPClientRequest(url: server.base + "/-/healthy"), timeout: .seconds(60))
            status = resp.status.code
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        #expect(status == 200)
        // Plain HTTP on the TLS port gets no answer.
        let plain = try? await HTTP.get("http://127.0.0.1:\(server.port)/-/healthy")
        #expect(plain?.status != 200)
    }

    @Test func unreadableKeyStopsTheServer() throws {
        let tmp = try TempDirectory("strata-tls-bad")
        defer { tmp.remove() }
        let (cert, _) = try Self.makeCertificate(in: tmp.path)
        do {
            let p = try ServerProcess.start(dataDir: tmp.sub("data"), extraArgs: ["--tls-cert", cert, "--tls-key", tmp.sub("missing.pem")])
            p.kill9()
            Issue.record("started without its key")
        } catch ServerProcessError.exitedEarly(let status, _) {
            #expect(status != 0)
        }
    }
}
