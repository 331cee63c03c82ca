import Foundation

/// A server started as our child process, stopped by its PID.
public final class ServerProcess: @unchecked Sendable {
    public let name: String
    public let executable: String
    public let arguments: [String]
    public let logPath: String
    private let process = Process()

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// Starts `executable` (a path, or a name looked up in PATH) with its
    /// stdout and stderr appended to `logPath` after a line with the command.
    public init(name: String, executable: String, arguments: [String], logPath: String) throws {
        self.name = name
        self.executable = executable
        self.arguments = arguments
        self.logPath = logPath
        guard let path = ServerProcess.resolve(executable) else {
            throw BenchError.missingExecutable(executable)
        }
        // Appended to, so that every repetition's log is kept.
        if !FileManager.default.fileExists(atPath: logPath) {
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        }
        guard let log = FileHandle(forWritingAtPath: logPath) else { throw BenchError.io("cannot write \(logPath)") }
        log.seekToEndOfFile()
        log.write(Data("=== \(executable) \(arguments.joined(separator: " "))\n".utf8))
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        ChildRegistry.shared.add(process.processIdentifier)
    }

    /// SIGTERM, then SIGKILL if it has not exited after `graceSeconds`.
    /// Returns the exit status (nil if it had to be killed).
    @discardableResult
    public func stop(graceSeconds: Double = 20) async -> Int32? {
        defer { ChildRegistry.shared.remove(pid) }
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + .milliseconds(Int(graceSeconds * 1000))
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            let hard = ContinuousClock.now + .seconds(5)
            while process.isRunning && ContinuousClock.now < hard { try? await Task.sleep(for: .milliseconds(50)) }
            return nil
        }
        return process.terminationStatus
    }

    /// The last `bytes` of the log, for error messages.
    public func logTail(bytes: Int = 2_000) -> String {
        guard let data = FileManager.default.contents(atPath: logPath) else { return "" }
        return String(decoding: data.suffix(bytes), as: UTF8.self)
    }

    /// `name` if it is a path, else the first executable `name` in PATH.
    public static func resolve(_ name: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for dir in path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"] {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

/// PIDs of the servers we started, so that an interrupted bench (SIGINT,
/// SIGTERM) stops them rather than leaving them running.
public final class ChildRegistry: @unchecked Sendable {
    public static let shared = ChildRegistry()
    private let lock = NSLock()
    private var pids: Set<Int32> = []
    private var sources: [any DispatchSourceSignal] = []

    func add(_ pid: Int32) { lock.withLock { _ = pids.insert(pid) } }
    func remove(_ pid: Int32) { lock.withLock { _ = pids.remove(pid) } }

    /// On SIGINT or SIGTERM: SIGTERM every child we started, then exit.
    public func installSignalHandlers() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for sig in [SIGINT, SIGTERM] {
                signal(sig, SIG_IGN)
                let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                src.setEventHandler { [self] in
                    let children = lock.withLock { pids }
                    for p in children { kill(p, SIGTERM) }
                    FileHandle.standardError.write("\nstrata bench: interrupted; stopped \(children.count) server(s)\n".data(using: .utf8)!)
                    exit(128 + sig)
                }
                src.resume()
                sources.append(src)
            }
        }
    }
}
