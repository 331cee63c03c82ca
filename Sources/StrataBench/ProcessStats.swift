#if canImport(Glibc)
import Glibc
#endif

/// What Linux's /proc tells about a process: CPU time (utime + stime from
/// /proc/PID/stat, proc(5)) and memory (VmHWM, VmRSS from /proc/PID/status).
public struct ProcessStats: Sendable, Equatable {
    /// User + system CPU seconds consumed so far.
    public var cpuSeconds: Double
    /// Peak resident set size so far (VmHWM), in bytes.
    public var peakRSSBytes: Int
    /// Current resident set size (VmRSS), in bytes.
    public var rssBytes: Int

    public init(cpuSeconds: Double, peakRSSBytes: Int, rssBytes: Int) {
        self.cpuSeconds = cpuSeconds
        self.peakRSSBytes = peakRSSBytes
        self.rssBytes = rssBytes
    }

    /// Reads the stats of `pid`; nil if the process is gone.
    public static func read(pid: Int32) -> ProcessStats? {
        guard let stat = readSmallFile("/proc/\(pid)/stat"), let status = readSmallFile("/proc/\(pid)/status"),
            let ticks = cpuTicks(statLine: stat)
        else { return nil }
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ProcessStats(
            cpuSeconds: Double(ticks) / (hz > 0 ? hz : 100),
            peakRSSBytes: (statusKiB(status, "VmHWM") ?? 0) * 1024,
            rssBytes: (statusKiB(status, "VmRSS") ?? 0) * 1024)
    }

    /// CPU time of all of `pid`'s threads in ns: the first field of
    /// /proc/PID/task/TID/schedstat (time on CPU), summed. Nanosecond
    /// resolution, where /proc/PID/stat counts 10 ms ticks: fine enough for
    /// the CPU cost of one query. nil if unreadable.
    public static func threadCPUNanos(pid: Int32) -> UInt64? {
        let dir = "/proc/\(pid)/task"
        let tids = DirectorySize.subdirectories(dir)
        guard !tids.isEmpty else { return nil }
        var total: UInt64 = 0
        for t in tids {
            guard let line = readSmallFile(dir + "/" + t + "/schedstat"),
                let first = line.split(separator: " ").first, let ns = UInt64(first)
            else { continue }  // a thread that just exited
            total &+= ns
        }
        return total
    }

    /// utime + stime in clock ticks, from a /proc/PID/stat line. The command
    /// name (field 2) is in parentheses and may hold spaces or parentheses,
    /// so fields are counted from the last ')': field 3 (state) follows it,
    /// utime is field 14 and stime field 15.
    public static func cpuTicks(statLine: String) -> Int? {
        guard let close = statLine.lastIndex(of: ")") else { return nil }
        let fields = statLine[statLine.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 12, let u = Int(fields[11]), let s = Int(fields[12]) else { return nil }
        return u + s
    }

    /// A `Name:   123 kB` line's number, from /proc/PID/status.
    public static func statusKiB(_ status: String, _ name: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let parts = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" })
            return parts.first.flatMap { Int($0) }
        }
        return nil
    }
}

/// Reads a whole (small, procfs or sysfs) file; nil if it cannot be opened.
func readSmallFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var out: [UInt8] = []
    var buf = [UInt8](repeating: 0, count: 16 << 10)
    while true {
        let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        out.append(contentsOf: buf[0..<n])
        if out.count > 64 << 20 { break }
    }
    return String(decoding: out, as: UTF8.self)
}
