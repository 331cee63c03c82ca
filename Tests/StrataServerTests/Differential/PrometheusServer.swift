import Foundation
import StrataTestSupport

/// Debian's Prometheus 2.42 on a loopback port, as a remote-write receiver
/// with its own data directory and no scrape targets. Stopped by PID.
final class PrometheusServer: @unchecked Sendable {
    let process: PeerProcess
    let port: Int
    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts Prometheus with its data in `dir` and waits until it is ready.
    static func start(in dir: String, extraArgs: [String] = []) async throws -> PrometheusServer {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let config = dir + "/prometheus.yml"
        try "global:\n  scrape_interval: 15s\n".write(toFile: config, atomically: true, encoding: .utf8)
        let port = PeerProcess.freePort()
        let p = try PeerProcess("prometheus", [
            "--config.file=\(config)", "--storage.tsdb.path=\(dir)/data",
            "--web.listen-address=127.0.0.1:\(port)",
            "--web.enable-remote-write-receiver", "--web.enable-admin-api",
        ] + extraArgs, logTo: dir + "/prometheus.log")
        let server = PrometheusServer(process: p, port: port)
        do {
            try await waitUntil(timeout: .seconds(60), "prometheus ready") {
                try await HTTP.get(server.base + "/-/ready").status == 200
            }
        } catch {
            p.stop()
            throw error
        }
        return server
    }

    private init(process: PeerProcess, port: Int) {
        self.process = process
        self.port = port
    }

    func stop() { process.stop() }
}
