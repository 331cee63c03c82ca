/// The date functions, in UTC, on Unix seconds (Prometheus truncates the
/// value to whole seconds first, as Go's `time.Unix(int64(v), 0)`).
enum DatePart: String {
    case dayOfMonth = "day_of_month"
    case dayOfWeek = "day_of_week"
    case dayOfYear = "day_of_year"
    case daysInMonth = "days_in_month"
    case hour, minute, month, year

    func value(ofUnixSeconds v: Double) -> Double {
        // Go's int64(v) of NaN, ±Inf or out-of-range values is platform
        // dependent; such inputs have no meaningful date.
        guard v.isFinite, v.magnitude < 9.2e18 else { return .nan }
        let secs = Int64(v)   // truncation toward zero, as Go's conversion
        var days = secs / 86_400
        var secOfDay = secs % 86_400
        if secOfDay < 0 { secOfDay += 86_400; days -= 1 }
        let (y, m, d) = Self.civil(days)
        switch self {
        case .hour: return Double(secOfDay / 3600)
        case .minute: return Double(secOfDay % 3600 / 60)
        case .dayOfMonth: return Double(d)
        case .month: return Double(m)
        case .year: return Double(y)
        case .dayOfWeek:
            // 1970-01-01 was a Thursday (4); Sunday is 0.
            var w = (days + 4) % 7
            if w < 0 { w += 7 }
            return Double(w)
        case .dayOfYear:
            return Double(days - Self.daysFromCivil(y, 1, 1) + 1)
        case .daysInMonth:
            let (ny, nm) = m == 12 ? (y + 1, Int64(1)) : (y, m + 1)
            return Double(Self.daysFromCivil(ny, nm, 1) - Self.daysFromCivil(y, m, 1))
        }
    }

    /// Days since 1970-01-01 → proleptic Gregorian (year, month, day)
    /// (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
    static func civil(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
