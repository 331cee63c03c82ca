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
        return parseRFC3339(s)
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

    static func parseRFC3339(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        func num(_ from: Int, _ len: Int) -> Int? {
            guard from + len <= b.count else { return nil }
            var v = 0
            for k in from..<(from + len) {
                guard b[k] >= 48 && b[k] <= 57 else { return nil }
                v = v * 10 + Int(b[k] - 48)
            }
            return v
        }
        guard b.count >= 20, let year = num(0, 4), b[4] == UInt8(ascii: "-"), let month = num(5, 2),
              b[7] == UInt8(ascii: "-"), let day = num(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = num(11, 2), b[13] == UInt8(ascii: ":"), let minute = num(14, 2), b[16] == UInt8(ascii: ":"),
              let second = num(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        var millis = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 3 { millis = millis * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            if digits < 3 { for _ in digits..<3 { millis *= 10 } }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let om = num(i + 4, 2) else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year, month, day)
        let secs = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return secs * 1000 + Int64(millis)
    }

    /// Days since 1970-01-01 (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Prometheus' bounds for a missing start/end in series and label endpoints.
    public static let minTime: Int64 = -62_135_596_800_000 + 1  // ≈ year 1
    public static let maxTime: Int64 = 253_402_300_799_000       // year 9999
}
