import Foundation
import StrataTestSupport

/// The real `strata` binary in a child process, for tests that must kill it.
final class ServerProcess: @unchecked Sendable {
    let process: Process
    let port: Int
    let scheme: String
    var base: String { "\(scheme)://127.0.0.1:\(port)" }

    /// The `strata` executable built next to the test bundle.
    static var binary: String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test runner lives in .build/<config>/ (or inside the .xctest bundle on some layouts).
        for candidate in [dir, dir.deletingLastPathComponent()] {
            let p = candidate.appendingPathComponent("strata").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return dir.appendingPathComponent("strata").path
    }

    /// Starts `strata serve` on a kernel-chosen port and waits for its "listening" line.
    /// `environment` is added to this process' own (e.g. `STRATA_FAILPOINTS`).
    static func start(dataDir: String, extraArgs: [String] = [], environment: [String: String] = [:],
                      listen: String = "127.0.0.1:0") throws -> ServerProcess {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["serve", "--data-dir", dataDir, "--listen", listen, "--log-level", "info"] + extraArgs
        if !environment.isEmpty {
            p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        }
        let out = Pipe()
        p.standardOutput = out
        // Keep the server's log next to its data directory for post-mortems.
        let logPath = dataDir + ".log"
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)!
        log.seekToEndOfFile()
        p.standardError = log
        try p.run()
        // Read stdout until the line that names the port.
        var buffer = Data()
        let handle = out.fileHandleForReading
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty {
                p.waitUntilExit()
                let tail = (try? String(contentsOfFile: logPath, encoding: .utf8))?.suffix(2000) ?? ""
                throw ServerProcessError.exitedEarly(p.terminationStatus, String(tail))
            }
            buffer.append(chunk)
            if let text = String(data: buffer, encoding: .utf8),
               let range = text.range(of: "listening on "),
               let sep = text[range.upperBound...].range(of: "://"),
               let nl = text[sep.upperBound...].firstIndex(of: "\n"),
               let colon = text[sep.upperBound..<nl].lastIndex(of: ":"),
               let port = Int(text[text.index(after: colon)..<nl]) {
                return ServerProcess(process: p, port: port, scheme: String(text[range.upperBound..<sep.lowerBound]))
            }
        }
    }

    private init(process: Process, port: Int, scheme: String) {
        self.process = process
        self.port = port
        self.scheme = scheme
    }

    var isRunning: Bool { process.isRunning }

    /// After exit: stopped by a `crash` failpoint (`_exit(137)`), not by a signal.
    var exitedByFailpoint: Bool {
        !process.isRunning && process.terminationReason == .exit && process.terminationStatus == 137
    }

    /// SIGKILL and reap; safe to call more than once.
    func kill9() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        process.waitUntilExit()
    }
}

enum ServerProcessError: Error { case exitedEarly(Int32, String) }
