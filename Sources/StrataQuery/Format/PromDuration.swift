/// Prometheus' duration syntax (`model.Duration` in prometheus/common):
/// `1y2w3d4h5m6s7ms`, each unit at most once and in this order.
/// A year is 365 days and a week 7 days, as in Prometheus.
public enum PromDuration {
    /// Why a duration string was refused; `description` is Prometheus' message.
    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case invalid(String)
        case outOfRange

        public var description: String {
            switch self {
            case .invalid(let s): return "not a valid duration string: \(GoFormat.quote(s))"
            case .outOfRange: return "duration out of range"
            }
        }
    }

    static let units: [(name: String, ms: Int64)] = [
        ("y", 365 * 24 * 3_600_000), ("w", 7 * 24 * 3_600_000), ("d", 24 * 3_600_000),
        ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1),
    ]

    /// Parses `text` into milliseconds, as `model.ParseDuration`: `"0"` is
    /// allowed, and the total must fit a Go `time.Duration` (int64 nanoseconds).
    public static func parse(_ text: String) throws(ParseError) -> Int64 {
        if text == "0" { return 0 }
        let b = Array(text.utf8)
        if b.isEmpty { throw .invalid(text) }
        var i = 0
        var lastRank = -1
        var totalNanos: Int64 = 0
        while i < b.count {
            let digitsStart = i
            while i < b.count, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") { i += 1 }
            if i == digitsStart || i == b.count { throw .invalid(text) }
            let rank: Int
            switch b[i] {
            case UInt8(ascii: "y"): rank = 0
            case UInt8(ascii: "w"): rank = 1
            case UInt8(ascii: "d"): rank = 2
            case UInt8(ascii: "h"): rank = 3
            case UInt8(ascii: "m"):
                if i + 1 < b.count, b[i + 1] == UInt8(ascii: "s") { rank = 6; i += 1 } else { rank = 4 }
            case UInt8(ascii: "s"): rank = 5
            default: throw .invalid(text)
            }
            i += 1
            if rank <= lastRank { throw .invalid(text) }
            lastRank = rank
            // strconv.Atoi saturates on overflow; ParseDuration then reports out of range.
            var n: Int64 = 0
            var saturated = false
            for d in b[digitsStart..<(i - (rank == 6 ? 2 : 1))] {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int64(d - UInt8(ascii: "0")))
                if o1 || o2 { saturated = true; break }
                n = s
            }
            let mult = units[rank].ms
            if saturated || n > Int64.max / mult / 1_000_000 { throw .outOfRange }
            let (sum, overflow) = totalNanos.addingReportingOverflow(n * mult * 1_000_000)
            if overflow { throw .outOfRange }
            totalNanos = sum
        }
        return totalNanos / 1_000_000
    }

    /// Formats milliseconds as `model.Duration.String()`: years and weeks only
    /// when they divide the whole duration exactly (`90d`, not `12w6d`).
    public static func format(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }
        var rest = ms
        var out = ""
        for (index, unit) in units.enumerated() {
            let exactOnly = index < 2
            if exactOnly && rest % unit.ms != 0 { continue }
            let v = rest / unit.ms
            if v > 0 {
                out += String(v) + unit.name
                rest -= v * unit.ms
            }
        }
        return out
    }
}
