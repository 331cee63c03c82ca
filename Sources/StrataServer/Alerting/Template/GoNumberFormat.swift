import Foundation
import StrataQuery

/// Go's float spellings that Prometheus' alerting output depends on:
/// `fmt.Sprint(float64)` in templates, `strconv.FormatFloat(v, 'e', -1, 64)`
/// for alert values in `/api/v1/alerts`, and `%.4g`-style verbs in the
/// `humanize*` helpers. Go's rules, not Swift's or C's, decide the text.
enum GoNumberFormat {
    /// `fmt.Sprint(v)`: strconv's `'g'` with the shortest digits, which
    /// switches to the exponent form when the decimal exponent is < -4 or
    /// ≥ 6: `0.93`, `100000`, `1e+06`, `1.23456789e+08`.
    static func shortestG(_ v: Double) -> String { GoFormat.float(v) }

    /// `strconv.FormatFloat(v, 'e', -1, 64)`: `2.7e+00`, `1e-07`.
    static func shortestE(_ v: Double) -> String { GoFormat.floatE(v) }

    /// A `%e`, `%f` or `%g` verb with flags, width and precision, as Go
    /// formats finite floats (the same text as C for these verbs, since Go's
    /// `%g` with a precision uses C's switch-over rule); NaN and the
    /// infinities as Go spells them.
    static func cVerb(_ v: Double, verb: Character, flags: String, width: Int?, precision: Int?) -> String {
        if v.isNaN || v.isInfinite {
            var s = v.isNaN ? "NaN" : (v < 0 ? "-Inf" : (flags.contains("+") ? "+Inf" : "Inf"))
            if let width, s.count < width {
                s = flags.contains("-") ? s + String(repeating: " ", count: width - s.count)
                    : String(repeating: " ", count: width - s.count) + s
            }
            return s
        }
        let safeFlags = String(flags.filter { "+- 0#".contains($0) })
        var spec = "%" + safeFlags
        if let width { spec += String(min(width, 1000)) }
        if let precision { spec += "." + String(min(precision, 300)) }
        spec.append(verb)
        return String(format: spec, v)
    }

    /// `strconv.ParseFloat(s, 64)` for the spellings alert templates meet.
    static func parseFloat(_ s: String) -> Double? {
        switch s.lowercased() {
        case "inf", "+inf", "infinity", "+infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        default: break
        }
        guard !s.isEmpty, !s.contains(" ") else { return nil }
        return Double(s.replacingOccurrences(of: "_", with: ""))
    }

    /// Go's `%q` of a string (enough for error messages).
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 || u.value == 0x7f {
                    out += String(format: "\\x%02x", u.value)
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }
}
