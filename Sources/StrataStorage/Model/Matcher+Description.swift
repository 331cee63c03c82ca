extension Matcher {
    /// PromQL text form: `name="value"`, `name!~"a|b"`. The value is quoted
    /// like Go's `strconv.Quote` (what Prometheus prints), and a name that is
    /// not a legacy label name is quoted too, as Prometheus 3 does for UTF-8
    /// names: `"my.name"="x"`.
    public var description: String {
        var s = ""
        if Matcher.nameNeedsQuotes(name) {
            Matcher.appendQuoted(name, to: &s)
        } else {
            s += name
        }
        s += type.description
        Matcher.appendQuoted(value, to: &s)
        return s
    }

    static func nameNeedsQuotes(_ name: String) -> Bool {
        !Labels.isValidLabelName(name)
    }

    /// Go `strconv.Quote` rules: `\a \b \f \n \r \t \v \\ \"` by name,
    /// other ASCII controls as `\xNN`, non-printable non-ASCII as `\uNNNN` or
    /// `\UNNNNNNNN`, everything printable as is except U+FFFD (`\ufffd`).
    static func appendQuoted(_ v: String, to s: inout String) {
        s += "\""
        for c in v.unicodeScalars {
            switch c {
            case "\u{07}": s += "\\a"
            case "\u{08}": s += "\\b"
            case "\u{0C}": s += "\\f"
            case "\n": s += "\\n"
            case "\r": s += "\\r"
            case "\t": s += "\\t"
            case "\u{0B}": s += "\\v"
            case "\\": s += "\\\\"
            case "\"": s += "\\\""
            // Printable for Go, but PromQL's lexer refuses U+FFFD inside a
            // string ("invalid UTF-8 rune"), and a `\xcc`-style escape of a
            // byte that is not UTF-8 decodes to it: escape it so a printed
            // selector always parses back (found by FuzzPromQL).
            case "\u{FFFD}": s += "\\ufffd"
            default:
                if isPrintable(c) {
                    s.unicodeScalars.append(c)
                } else if c.value < 0x80 {
                    s += "\\x" + hex(c.value, width: 2)
                } else if c.value < 0x10000 {
                    s += "\\u" + hex(c.value, width: 4)
                } else {
                    s += "\\U" + hex(c.value, width: 8)
                }
            }
        }
        s += "\""
    }

    /// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols
    /// and the ASCII space.
    static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII { return c.value >= 0x20 && c.value < 0x7f }
        switch c.properties.generalCategory {
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

    private static func hex(_ v: UInt32, width: Int) -> String {
        let h = String(v, radix: 16)
        return String(repeating: "0", count: max(0, width - h.count)) + h
    }
}
