import StrataEvents
/// Parsing of time and duration parameters as Prometheus' API accepts them.
public enum TimeParameters {
    /// Unix seconds with an optional fraction (`1700000000`, `1700000000.123`)
    /// or RFC 3339 (`2023-11-14T22:13:20.123Z`, `…+02:00`). Returns milliseconds.
    public static func parseTime(_ s: String) -> Int64? {
        if let d = Double(s), d.isFinite {
            // Round to ms as Prometheus does (it keeps ns, but all storage is ms).
            let ms = (d * 1000).rounded()
            guard abs(ms) < 9.2e18 else { return nil }
            return Int64(ms)
        }
        return RFC3339.parse(s, lenient: false)
    }

    /// A duration in Prometheus' syntax (`1h30m`, `15s`, `500ms`) or as float seconds. Milliseconds.
    public static func parseDuration(_ s: String) -> Int64? {
        if let d = Double(s), d.isFinite {
            let ms = (d * 1000).rounded()
            guard abs(ms) < 9.2e18 else { return nil }
            return Int64(ms)
        }
        return parsePromDuration(s)
    }

    /// `[0-9]+(ms|s|m|h|d|w|y)` repeated, units in decreasing order, as in Prometheus' model.ParseDuration.
    public static func parsePromDuration(_ s: String) -> Int64? {
        let units: [(String, Int64)] = [("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000),
                                        ("h", 3_600_000), ("m", 60_000), ("s", 1000), ("ms", 1)]
        let b = Array(s.utf8)
        guard !b.isEmpty else { return nil }
        var i = 0
        var total: Int64 = 0
        var lastUnit = -1
        while i < b.count {
            var n: Int64 = 0
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(Int64(b[i] - 48))
                if o1 || o2 { return nil }
                n = a
                i += 1
            }
            guard i > start, i < b.count else { return nil }
            var unitIndex = -1
            if b[i] == UInt8(ascii: "m"), i + 1 < b.count, b[i + 1] == UInt8(ascii: "s") {
                unitIndex = 6
                i += 2
            } else {
                for (k, u) in units.enumerated() where u.0.utf8.count == 1 && u.0.utf8.first == b[i] {
                    unitIndex = k
                }
                guard unitIndex >= 0 else { return nil }
                i += 1
            }
            guard unitIndex > lastUnit else { return nil }
            lastUnit = unitIndex
            let (m, o) = n.multipliedReportingOverflow(by: units[unitIndex].1)
            if o { return nil }
            let (t, o2) = total.addingReportingOverflow(m)
            if o2 { return nil }
            total = t
        }
        return total
    }

    /// Prometheus' bounds for a missing start/end in series and label endpoints.
    public static let minTime: Int64 = -62_135_596_800_000 + 1  // ≈ year 1
    public static let maxTime: Int64 = 253_402_300_799_000       // year 9999
}
