/// Go's `strconv.FormatFloat(v, 'f', -1, 64)`: the shortest digits that
/// round-trip, in positional notation (no exponent), `NaN`, `+Inf`, `-Inf`.
/// `count_values` puts it in a label.
enum GoFloatFormat {
    static func formatF(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        let (digits, dp) = GoFormat.shortestDigits(v.magnitude)
        var out = v < 0 ? "-" : ""
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
}
