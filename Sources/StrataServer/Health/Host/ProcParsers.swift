/// Parsers for the /proc files host metrics come from (proc(5)). Pure and
/// total: a line they do not understand is skipped, never a crash.
enum ProcParsers {
    /// The CPU modes of /proc/stat's aggregate `cpu` line, in its column order.
    static let cpuModes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]

    /// `cpu  user nice system idle iowait irq softirq steal guest guest_nice`
    /// in clock ticks → seconds per mode (guest time is already in user).
    static func cpuSeconds(procStat text: String, ticksPerSecond: Double) -> [(mode: String, seconds: Double)] {
        guard ticksPerSecond > 0 else { return [] }
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.first == "cpu" else { continue }
            var out: [(String, Double)] = []
            for (i, mode) in cpuModes.enumerated() where i + 1 < f.count {
                guard let ticks = UInt64(f[i + 1]) else { return [] }
                out.append((mode, Double(ticks) / ticksPerSecond))
            }
            return out
        }
        return []
    }

    /// `MemTotal:  16384 kB` lines → bytes by key.
    static func memInfo(_ text: String) -> [String: Double] {
        var out: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            let f = line[line.index(after: colon)...].split(separator: " ", omittingEmptySubsequences: true)
            guard let first = f.first, let v = Double(first) else { continue }
            out[key] = f.count > 1 && f[1] == "kB" ? v * 1024 : v
        }
        return out
    }

    /// /proc/loadavg: `0.52 0.58 0.59 1/467 12345` → the three averages.
    static func loadAverage(_ text: String) -> (Double, Double, Double)? {
        let f = text.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count >= 3, let a = Double(f[0]), let b = Double(f[1]), let c = Double(f[2]) else { return nil }
        return (a, b, c)
    }

    /// /proc/diskstats: per device, sectors read (field 6) and written (field 10),
    /// in 512-byte units regardless of the device's sector size (Documentation/admin-guide/iostats.rst).
    static func diskStats(_ text: String) -> [(device: String, readBytes: Double, writtenBytes: Double)] {
        var out: [(String, Double, Double)] = []
        for line in text.split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 10, let r = Double(f[5]), let w = Double(f[9]) else { continue }
            out.append((String(f[2]), r * 512, w * 512))
        }
        return out
    }

    /// /proc/self/stat: utime and stime (fields 14 and 15) and starttime (22),
    /// counted after the `(comm)` field, which may contain spaces.
    static func processStat(_ text: String) -> (utimeTicks: Double, stimeTicks: Double, startTicks: Double)? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let f = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        // f[0] is field 3 (state).
        guard f.count >= 20, let u = Double(f[11]), let s = Double(f[12]), let st = Double(f[19]) else { return nil }
        return (u, s, st)
    }

    /// /proc/self/statm: size and resident, in pages.
    static func statm(_ text: String) -> (sizePages: Double, residentPages: Double)? {
        let f = text.split(separator: " ", omittingEmptySubsequences: true)
        guard f.count >= 2, let size = Double(f[0]), let rss = Double(f[1].split(separator: "\n")[0]) else { return nil }
        return (size, rss)
    }

    /// /proc/stat's `btime` (boot time, Unix seconds).
    static func bootTime(procStat text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingPrefix(while: { $0 == " " }))
        }
        return nil
    }
}

extension Substring {
    fileprivate func trimmingPrefix(while p: (Character) -> Bool) -> Substring {
        var s = self
        while let c = s.first, p(c) { s = s.dropFirst() }
        return s
    }
}
