import Foundation

/// Small interactions with the host: running a command for its output,
/// installing Debian packages, describing the machine.
public enum HostTools {
    /// Runs `executable` and returns its first output line (stdout and
    /// stderr merged), or nil if it fails or takes longer than `timeoutSeconds`.
    static func firstLine(_ executable: String, _ args: [String], timeoutSeconds: Double = 10) async -> String? {
        guard let path = ServerProcess.resolve(executable) else { return nil }
        let p = Process()
        let pipe = Pipe()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = pipe
        p.standardError = pipe
        p.standardInput = FileHandle.nullDevice
        do { try p.run() } catch { return nil }
        let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
        while p.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            return nil
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n").first.map { String($0).trimmingCharacters(in: .whitespaces) }
    }

    /// The version line of `executable`; for a Debian peer whose own
    /// `-version` prints nothing (Debian's victoria-metrics), the package's.
    static func version(of executable: String, kind: TargetKind) async -> String? {
        if let line = await firstLine(executable, kind.versionArguments), !line.isEmpty { return line }
        guard let pkg = kind.debianPackage, executable.hasPrefix("/usr/bin/") else { return nil }
        return await firstLine("dpkg-query", ["-W", "-f", "${Version}", pkg]).map { "\(pkg) \($0) (Debian)" }
    }

    /// Installs `package` with apt-get (directly as root, else through sudo),
    /// bounded by `timeoutSeconds`. Returns false if that was not possible.
    static func aptInstall(_ package: String, log: ProgressLine, timeoutSeconds: Double = 900) async -> Bool {
        let root = getuid() == 0
        guard root || ServerProcess.resolve("sudo") != nil else { return false }
        log.note("installing Debian package \(package) (apt-get)…")
        for args in [["update", "-qq"], ["install", "-y", "-qq", package]] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: root ? "/usr/bin/apt-get" : (ServerProcess.resolve("sudo") ?? "/usr/bin/sudo"))
            p.arguments = root ? args : ["apt-get"] + args
            var env = ProcessInfo.processInfo.environment
            env["DEBIAN_FRONTEND"] = "noninteractive"
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            p.standardInput = FileHandle.nullDevice
            do { try p.run() } catch { return false }
            let deadline = ContinuousClock.now + .milliseconds(Int(timeoutSeconds * 1000))
            while p.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(200)) }
            if p.isRunning {
                kill(p.processIdentifier, SIGTERM)
                return false
            }
            // A failed `update` (offline mirror) need not stop the install.
            if args[0] == "install" && p.terminationStatus != 0 { return false }
        }
        return true
    }

    /// The 1-minute load average from /proc/loadavg.
    static func loadAverage() -> Double? {
        readSmallFile("/proc/loadavg")?.split(separator: " ").first.flatMap { Double($0) }
    }

    static func machine(loadAtStart: Double?) -> BenchResults.MachineInfo {
        var cpu = "unknown"
        if let info = readSmallFile("/proc/cpuinfo") {
            for line in info.split(separator: "\n") where line.hasPrefix("model name") {
                if let colon = line.firstIndex(of: ":") {
                    cpu = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                break
            }
        }
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: u.release) { String(cString: $0.baseAddress!.assumingMemoryBound(to: CChar.self)) }
        return BenchResults.MachineInfo(
            cpu: cpu, cores: ProcessInfo.processInfo.activeProcessorCount,
            memoryBytes: Int(ProcessInfo.processInfo.physicalMemory), kernel: "Linux " + release,
            loadAverageAtStart: loadAtStart, loadAverageAtEnd: loadAverage())
    }

    /// The running executable's own path (for starting `strata serve`).
    public static func selfExecutable() -> String? {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func isoDate() -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date())
    }
}
