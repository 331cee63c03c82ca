/// Number literal semantics of Prometheus' parser: `strconv.ParseInt(s, 0, 64)`
/// first (so `0x1f` is hex and `0755` octal), then `strconv.ParseFloat(s, 64)`
/// (so `1e3`, `.5`, `5.`, `Inf`, `NaN`), with Go's error texts.
enum GoNumber {
    /// The value of a NUMBER token's text, or Prometheus' error message.
    static func parse(_ s: String) -> Result<Double, NumberError> {
        if let i = parseIntBase0(Array(s.utf8)) { return .success(Double(i)) }
        return parseFloat(s)
    }

    struct NumberError: Error, Equatable {
        let message: String
    }

    /// `strconv.ParseInt(s, 0, 64)` for the unsigned forms the lexer produces;
    /// nil on syntax error or overflow.
    static func parseIntBase0(_ b: [UInt8]) -> Int64? {
        guard !b.isEmpty else { return nil }
        var digits = b[...]
        var base: UInt64 = 10
        if b.count >= 2, b[0] == UInt8(ascii: "0"), b[1] | 0x20 == UInt8(ascii: "x") {
            base = 16
            digits = b[2...]
        } else if b.count >= 2, b[0] == UInt8(ascii: "0") {
            base = 8
            digits = b[1...]
        }
        guard !digits.isEmpty else { return nil }
        var v: UInt64 = 0
        for c in digits {
            let d: UInt64
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt64(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt64(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt64(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            guard d < base else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: base)
            let (s, o2) = m.addingReportingOverflow(d)
            if o1 || o2 { return nil }
            v = s
        }
        return v <= UInt64(Int64.max) ? Int64(v) : nil
    }

    /// `strconv.ParseFloat(s, 64)`: decimal syntax, or inf/infinity/nan in any case.
    static func parseFloat(_ s: String) -> Result<Double, NumberError> {
        func fail(_ why: String) -> Result<Double, NumberError> {
            .failure(NumberError(message: "strconv.ParseFloat: parsing \(GoFormat.quote(s)): \(why)"))
        }
        let b = Array(s.utf8)
        let lower = String(decoding: b.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
        switch lower {
        case "inf", "+inf", "infinity", "+infinity": return .success(.infinity)
        case "-inf", "-infinity": return .success(-.infinity)
        case "nan": return .success(.nan)
        default: break
        }
        // Decimal: [+-] digits [. digits] [e [+-] digits], at least one mantissa digit.
        // A hex mantissa would need a `p` exponent, which the lexer never produces.
        var i = 0
        if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
        var mantissaDigits = 0
        while i < b.count, Lexer.isDigit(b[i]) { i += 1; mantissaDigits += 1 }
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count, Lexer.isDigit(b[i]) { i += 1; mantissaDigits += 1 }
        }
        guard mantissaDigits > 0 else { return fail("invalid syntax") }
        if i < b.count, b[i] | 0x20 == UInt8(ascii: "e") {
            i += 1
            if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
            var expDigits = 0
            while i < b.count, Lexer.isDigit(b[i]) { i += 1; expDigits += 1 }
            guard expDigits > 0 else { return fail("invalid syntax") }
        }
        guard i == b.count, let v = Double(s) else { return fail("invalid syntax") }
        if v.isInfinite { return fail("value out of range") }
        return .success(v)
    }
}
