import Foundation

/// Go's float spellings that Prometheus' alerting output depends on:
/// `fmt.Sprint(float64)` in templates, `strconv.FormatFloat(v, 'e', -1, 64)`
/// for alert values in `/api/v1/alerts`, and `%.4g`-style verbs in the
/// `humanize*` helpers. Go's rules, not Swift's or C's, decide the text.
enum GoNumberFormat {
    /// The shortest digits that round-trip `v` (> 0, finite) and the decimal
    /// point position: `v = 0.d1d2… × 10^dp`. Swift's `description` already
    /// yields the shortest round-trip digits; only the layout differs.
    static func shortestDigits(_ v: Double) -> (digits: [UInt8], dp: Int) {
        let text = Array(v.description.utf8)
        var mantissa = text[...]
        var exp10 = 0
        if let e = text.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }) {
            mantissa = text[..<e]
            var sign = 1
            var i = e + 1
            if i < text.count, text[i] == UInt8(ascii: "-") { sign = -1; i += 1 } else if i < text.count, text[i] == UInt8(ascii: "+") { i += 1 }
            var n = 0
            while i < text.count { n = n * 10 + Int(text[i] &- UInt8(ascii: "0")); i += 1 }
            exp10 = sign * n
        }
        var digits: [UInt8] = []
        var intLen = 0
        var sawPoint = false
        for c in mantissa {
            if c == UInt8(ascii: ".") { sawPoint = true; continue }
            digits.append(c)
            if !sawPoint { intLen += 1 }
        }
        var dp = intLen + exp10
        var lead = 0
        while lead < digits.count - 1, digits[lead] == UInt8(ascii: "0") { lead += 1; dp -= 1 }
        digits.removeFirst(lead)
        while digits.count > 1, digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (digits, dp)
    }

    private static func special(_ v: Double) -> String? {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        return nil
    }

    /// `fmt.Sprint(v)`: strconv's `'g'` with the shortest digits, which
    /// switches to the exponent form when the decimal exponent is < -4 or
    /// ≥ 6 (ftoa.go: "if precision was the shortest possible, use precision
    /// 6 for this decision"): `0.93`, `100000`, `1e+06`, `1.23456789e+08`.
    static func shortestG(_ v: Double) -> String {
        if let s = special(v) { return s }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let (digits, dp) = shortestDigits(v.magnitude)
        let exp = dp - 1
        let body = exp < -4 || exp >= 6 ? eForm(digits, exp: exp) : fForm(digits, dp: dp)
        return (v < 0 ? "-" : "") + body
    }

    /// `strconv.FormatFloat(v, 'e', -1, 64)`: `2.7e+00`, `1e-07`.
    static func shortestE(_ v: Double) -> String {
        if let s = special(v) { return s }
        if v == 0 { return v.sign == .minus ? "-0e+00" : "0e+00" }
        let (digits, dp) = shortestDigits(v.magnitude)
        return (v < 0 ? "-" : "") + eForm(digits, exp: dp - 1)
    }

    private static func eForm(_ digits: [UInt8], exp: Int) -> String {
        var out = ""
        out.unicodeScalars.append(Unicode.Scalar(digits[0]))
        if digits.count > 1 {
            out += "."
            for d in digits[1...] { out.unicodeScalars.append(Unicode.Scalar(d)) }
        }
        out += exp < 0 ? "e-" : "e+"
        let e = exp.magnitude
        if e < 10 { out += "0" }
        out += String(e)
        return out
    }

    private static func fForm(_ digits: [UInt8], dp: Int) -> String {
        var out = ""
        let nd = digits.count
        if dp <= 0 {
            out += "0."
            out += String(repeating: "0", count: -dp)
            for d in digits { out.unicodeScalars.append(Unicode.Scalar(d)) }
        } else if dp >= nd {
            for d in digits { out.unicodeScalars.append(Unicode.Scalar(d)) }
            out += String(repeating: "0", count: dp - nd)
        } else {
            for d in digits[..<dp] { out.unicodeScalars.append(Unicode.Scalar(d)) }
            out += "."
            for d in digits[dp...] { out.unicodeScalars.append(Unicode.Scalar(d)) }
        }
        return out
    }

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
