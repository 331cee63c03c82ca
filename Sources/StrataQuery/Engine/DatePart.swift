/// The date functions, in UTC, on Unix seconds, computed exactly as
/// Prometheus 2.42 does: `time.Unix(int64(v), 0).UTC()` and the accessors of
/// Go's `time.Time` (Go 1.19/1.20 `time/time.go`: `abs`, `absDate`,
/// `absWeekday`, `Date`, `daysSinceEpoch`).
///
/// Why emulate Go instead of using a calendar algorithm: Go's conversion of
/// NaN, ±Inf or out-of-range floats to int64 gives the minimum int64 on
/// amd64, and Go's date arithmetic then wraps around in unsigned 64-bit
/// integers; Prometheus answers e.g. `year(vector(NaN))` = 292277026596 and
/// `hour(vector(1e20))` = 15. Reproducing the arithmetic step by step gives
/// the same answer for every input.
enum DatePart: String {
    case dayOfMonth = "day_of_month"
    case dayOfWeek = "day_of_week"
    case dayOfYear = "day_of_year"
    case daysInMonth = "days_in_month"
    case hour, minute, month, year

    func value(ofUnixSeconds v: Double) -> Double {
        let abs = GoTime.abs(unixSeconds: GoTime.int64(v))
        switch self {
        case .hour: return Double(abs % GoTime.secondsPerDay / 3600)
        case .minute: return Double(abs % 3600 / 60)
        case .dayOfWeek: return Double(GoTime.weekday(abs))
        case .dayOfYear: return Double(GoTime.date(abs).yday + 1)
        case .dayOfMonth: return Double(GoTime.date(abs).day)
        case .month: return Double(GoTime.date(abs).month)
        case .year: return Double(GoTime.date(abs).year)
        case .daysInMonth:
            // Prometheus: 32 - time.Date(year, month, 32, 0, 0, 0, 0, UTC).Day()
            let d = GoTime.date(abs)
            return Double(32 - GoTime.date(GoTime.abs(year: d.year, month: d.month, day: 32)).day)
        }
    }
}

/// Go's `time` arithmetic on "absolute" seconds (since the year
/// -292277022399), with Go's wrapping integer semantics.
enum GoTime {
    static let secondsPerDay: UInt64 = 86_400
    static let absoluteZeroYear: Int64 = -292_277_022_399
    /// (absoluteZeroYear - 1) * 365.2425 days, in seconds (exact in Go's constant arithmetic).
    static let absoluteToInternal: Int64 = -9_223_371_966_579_724_800
    /// Days from year 1 to 1970, in seconds.
    static let unixToInternal: Int64 = 62_135_596_800
    static let daysPer400Years: UInt64 = 365 * 400 + 97
    static let daysPer100Years: UInt64 = 365 * 100 + 24
    static let daysPer4Years: UInt64 = 365 * 4 + 1
    /// Days before the first of each month in a non-leap year.
    static let daysBefore: [UInt64] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]

    /// Go's `int64(v)` on amd64: truncation toward zero; NaN, ±Inf and
    /// values outside the int64 range give the "integer indefinite" value,
    /// the minimum int64.
    static func int64(_ v: Double) -> Int64 {
        guard v.isFinite, v >= -9.223_372_036_854_775_808e18, v < 9.223_372_036_854_775_808e18 else { return .min }
        return Int64(v)
    }

    /// `Time.abs()` of `time.Unix(sec, 0).UTC()`.
    static func abs(unixSeconds sec: Int64) -> UInt64 {
        UInt64(bitPattern: sec &+ (unixToInternal &- absoluteToInternal))
    }

    static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    /// `absWeekday`: 1 January of the absolute year was a Monday (1).
    static func weekday(_ abs: UInt64) -> UInt64 {
        (abs &+ secondsPerDay) % (7 * secondsPerDay) / secondsPerDay
    }

    /// `absDate(abs, true)`.
    static func date(_ abs: UInt64) -> (year: Int64, month: Int, day: Int, yday: Int) {
        var d = abs / secondsPerDay
        var n = d / daysPer400Years
        var y = 400 &* n
        d -= daysPer400Years &* n
        n = d / daysPer100Years
        n -= n >> 2
        y = y &+ 100 &* n
        d -= daysPer100Years &* n
        n = d / daysPer4Years
        y = y &+ 4 &* n
        d -= daysPer4Years &* n
        n = d / 365
        n -= n >> 2
        y = y &+ n
        d -= 365 &* n
        let year = Int64(bitPattern: y) &+ absoluteZeroYear
        let yday = Int(d)
        var day = yday
        if isLeap(year) {
            if day > 31 + 29 - 1 {
                day -= 1
            } else if day == 31 + 29 - 1 {
                return (year, 2, 29, yday)
            }
        }
        var month = day / 31
        let end = Int(daysBefore[month + 1])
        let begin: Int
        if day >= end {
            month += 1
            begin = end
        } else {
            begin = Int(daysBefore[month])
        }
        return (year, month + 1, day - begin + 1, yday)
    }

    /// The absolute seconds of `time.Date(year, month, day, 0, 0, 0, 0, UTC)`
    /// for a month in 1...12 and a day that needs no normalisation into hours.
    static func abs(year: Int64, month: Int, day: Int) -> UInt64 {
        var d = daysSinceEpoch(year)
        d = d &+ daysBefore[month - 1]
        if isLeap(year) && month >= 3 { d = d &+ 1 }
        d = d &+ UInt64(bitPattern: Int64(day - 1))
        return d &* secondsPerDay
    }

    static func daysSinceEpoch(_ year: Int64) -> UInt64 {
        var y = UInt64(bitPattern: year &- absoluteZeroYear)
        var n = y / 400
        y -= 400 &* n
        var d = daysPer400Years &* n
        n = y / 100
        y -= 100 &* n
        d = d &+ daysPer100Years &* n
        n = y / 4
        y -= 4 &* n
        d = d &+ daysPer4Years &* n
        d = d &+ 365 &* y
        return d
    }
}
