import Foundation

/// A peer program from Debian (Prometheus, node_exporter, VictoriaMetrics…)
/// started on loopback for a test and stopped by PID.
final class PeerProcess: @unchecked Sendable {
    let process: Process
    let name: String

    static func which(_ binary: String) -> String? {
        for dir in ["/usr/bin", "/usr/local/bin", "/usr/sbin"] {
            let p = dir + "/" + binary
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    init(_ binary: String, _ args: [String], logTo logPath: String) throws {
        guard let path = Self.which(binary) else { throw PeerError.notInstalled(binary) }
        name = binary
        process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = args
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }

    /// A TCP port that was free a moment ago (bind to 0, read, close).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}

enum PeerError: Error, CustomStringConvertible {
    case notInstalled(String)
    case notReady(String)
    var description: String {
        switch self {
        case .notInstalled(let b): return "\(b) is not installed (make test installs it: apt-get install prometheus prometheus-node-exporter victoria-metrics prometheus-alertmanager)"
        case .notReady(let u): return "\(u) did not become ready"
        }
    }
}

/// Polls `condition` every 200 ms until it holds or the bound passes.
/// This waits for an observable state of a peer (a bounded poll), it does not
/// stand in for synchronisation with our own code.
///
/// The bound is `timeout`, but at least `minimumWait`: a loaded CI machine
/// once took over a minute to start Prometheus. A wait returns as soon as
/// its condition holds, so the bound only decides how long a real failure
/// takes to report.
func waitUntil(timeout: Duration, _ what: String, _ condition: () async throws -> Bool) async throws {
    let clock = ContinuousClock()
    let deadline = clock.now + max(timeout, minimumWait)
    while clock.now < deadline {
        if (try? await condition()) == true { return }
        try await Task.sleep(for: .milliseconds(200))
    }
    throw PeerError.notReady(what)
}

/// The shortest bound of a wait for an event in these tests (see `waitUntil`).
let minimumWait: Duration = .seconds(180)
