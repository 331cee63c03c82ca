import Foundation

/// Go's `fmt` spellings that Prometheus' output depends on: `%v` of a
/// float64, `%q` of a string or rune, `%#U`, `%f`. `format_query` and error
/// messages must match Prometheus 2.42 byte for byte, so these follow
/// Go's strconv/fmt rules rather than Swift's.
public enum GoFormat {
    /// `fmt.Sprint(float64)`: shortest round-trip digits, `%e` form when the
    /// decimal exponent is < -4 or >= 6 (strconv's `'g'` with precision -1
    /// uses 6 as the switch-over), `+Inf`/`-Inf`/`NaN`.
    public static func float(_ v: Double) -> String {
        if let s = special(v) { return s }
        let (digits, dp) = shortestDigits(v.magnitude)
        var out = v < 0 ? "-" : ""
        let exp = dp - 1
        if exp < -4 || exp >= 6 {
            appendExponentForm(digits, exp: exp, to: &out)
        } else {
            appendPositional(digits, dp: dp, to: &out)
        }
        return out
    }

    /// `strconv.FormatFloat(v, 'e', -1, 64)`: shortest digits, always the
    /// exponent form (`2.7e+00`, `1e-07`). Alert values in `/api/v1/alerts`.
    public static func floatE(_ v: Double) -> String {
        if v == 0 { return v.sign == .minus ? "-0e+00" : "0e+00" }
        if let s = special(v) { return s }
        let (digits, dp) = shortestDigits(v.magnitude)
        var out = v < 0 ? "-" : ""
        appendExponentForm(digits, exp: dp - 1, to: &out)
        return out
    }

    /// `strconv.FormatFloat(v, 'f', -1, 64)`: shortest digits, never an
    /// exponent (`1e21` → `1000000000000000000000`). `count_values` labels.
    public static func floatF(_ v: Double) -> String {
        if let s = special(v) { return s }
        let (digits, dp) = shortestDigits(v.magnitude)
        var out = v < 0 ? "-" : ""
        appendPositional(digits, dp: dp, to: &out)
        return out
    }

    /// NaN, the infinities and the zeros as strconv spells them (nil otherwise).
    private static func special(_ v: Double) -> String? {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        return nil
    }

    /// `d.ddde±XX` from the shortest digits, at least two exponent digits.
    private static func appendExponentForm(_ digits: [UInt8], exp: Int, to out: inout String) {
        out.unicodeScalars.append(Unicode.Scalar(digits[0]))
        if digits.count > 1 {
            out += "."
            for d in digits[1...] { out.unicodeScalars.append(Unicode.Scalar(d)) }
        }
        out += exp < 0 ? "e-" : "e+"
        let e = exp.magnitude
        if e < 10 { out += "0" }
        out += String(e)
    }

    /// The digits with the decimal point at `dp`, zeros filled in.
    private static func appendPositional(_ digits: [UInt8], dp: Int, to out: inout String) {
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
    }

    /// The shortest decimal digits that round-trip `v` (> 0), with the
    /// decimal point position: `v = 0.d1d2... * 10^dp`. Swift's `description`
    /// already produces the shortest round-trip digits; we only re-layout them.
    public static func shortestDigits(_ v: Double) -> (digits: [UInt8], dp: Int) {
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

    /// `fmt.Sprintf("%q", s)` (strconv.Quote).
    static func quote(_ s: String) -> String {
        var out = "\""
        for r in s.unicodeScalars { appendEscaped(r, quote: "\"", escapeReplacementCharacter: true, into: &out) }
        out += "\""
        return out
    }

    /// `fmt.Sprintf("%q", r)` for a rune (strconv.QuoteRune). `nil` is Go's
    /// `eof` (-1), which Go prints as the replacement character.
    static func quoteRune(_ r: Unicode.Scalar?) -> String {
        var out = "'"
        appendEscaped(r ?? "\u{FFFD}", quote: "'", escapeReplacementCharacter: false, into: &out)
        out += "'"
        return out
    }

    /// `fmt.Sprintf("%#U", r)`: `U+0063 'c'`, or just `U+000A` when not printable.
    static func unicodeNotation(_ r: Unicode.Scalar?) -> String {
        let r = r ?? "\u{FFFD}"
        var hex = String(r.value, radix: 16, uppercase: true)
        while hex.utf8.count < 4 { hex = "0" + hex }
        var out = "U+" + hex
        if isPrint(r) {
            out += " '"
            out.unicodeScalars.append(r)
            out += "'"
        }
        return out
    }

    /// `fmt.Sprintf("%.<precision>f", v)` with Go's spellings of the specials.
    static func fixed(_ v: Double, precision: Int) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
        return String(format: "%.\(precision)f", v)
    }

    private static let lowerHex: [Character] = Array("0123456789abcdef")

    private static func appendEscaped(_ r: Unicode.Scalar, quote: Unicode.Scalar, escapeReplacementCharacter: Bool,
                                      into out: inout String) {
        if r == quote || r == "\\" {
            out += "\\"
            out.unicodeScalars.append(r)
            return
        }
        // U+FFFD is printable for Go, but PromQL's lexer refuses it inside
        // strings ("invalid UTF-8 rune"), so string literals escape it:
        // printed queries must always parse back.
        if isPrint(r) && !(escapeReplacementCharacter && r == "\u{FFFD}") {
            out.unicodeScalars.append(r)
            return
        }
        switch r.value {
        case 0x07: out += "\\a"
        case 0x08: out += "\\b"
        case 0x0C: out += "\\f"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x0B: out += "\\v"
        default:
            let v = r.value
            if v < 0x20 || v == 0x7F {
                out += "\\x"
                out.append(lowerHex[Int(v >> 4)])
                out.append(lowerHex[Int(v & 0xF)])
            } else if v < 0x10000 {
                out += "\\u"
                for shift in stride(from: 12, through: 0, by: -4) { out.append(lowerHex[Int((v >> UInt32(shift)) & 0xF)]) }
            } else {
                out += "\\U"
                for shift in stride(from: 28, through: 0, by: -4) { out.append(lowerHex[Int((v >> UInt32(shift)) & 0xF)]) }
            }
        }
    }

    /// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols
    /// and the ASCII space; Latin-1 handled as Go's fast path does.
    static func isPrint(_ r: Unicode.Scalar) -> Bool {
        let v = r.value
        if v <= 0xFF {
            if v >= 0x20 && v <= 0x7E { return true }
            if v >= 0xA1 && v <= 0xFF { return v != 0xAD }
            return false
        }
        switch r.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .nonspacingMark, .spacingMark, .enclosingMark,
             .decimalNumber, .letterNumber, .otherNumber,
             .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation,
             .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }
}
