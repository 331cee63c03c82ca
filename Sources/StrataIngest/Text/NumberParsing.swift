// Number parsing straight from request bytes, shared by the text formats.
// `Double(String)` would need a String (a heap allocation once a literal is
// longer than 15 bytes) per sample; these read the bytes in place.

/// Powers of ten that are exact in a Double (10^22 < 2^53 · 2^22).
private let exactPowersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]

@inline(__always)
func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

/// Parses a decimal floating-point literal occupying exactly `base[start..<end]`:
/// `[+-]? (digits ["." digits*] | "." digits) ([eE] [+-]? digits)?`.
/// Returns nil on any other syntax (no NaN/Inf here, see `parseSpecialFloat`).
///
/// Correctly rounded: Clinger's fast path (W. D. Clinger, "How to read
/// floating point numbers accurately", PLDI 1990) handles mantissas up to
/// 2^53 with |exponent| ≤ 22 by one exact multiplication or division, which
/// covers nearly every metric value; the rest go to the C library's strtod
/// (via `Double(String)`), after this function has checked the syntax.
func parseDecimalDouble(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Double? {
    var i = start
    guard i < end else { return nil }
    var negative = false
    if base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+") {
        negative = base[i] == UInt8(ascii: "-")
        i += 1
    }
    var mantissa: UInt64 = 0
    var significant = 0      // significant digits taken into `mantissa`
    var dropped = false      // a non-zero digit did not fit in 19 digits
    var exp10 = 0
    var digits = 0
    while i < end, isDigit(base[i]) {
        let d = UInt64(base[i] &- UInt8(ascii: "0"))
        if significant < 19 {
            mantissa = mantissa &* 10 &+ d
            if mantissa != 0 { significant += 1 }
        } else {
            exp10 += 1
            if d != 0 { dropped = true }
        }
        digits += 1
        i += 1
    }
    if i < end, base[i] == UInt8(ascii: ".") {
        i += 1
        while i < end, isDigit(base[i]) {
            let d = UInt64(base[i] &- UInt8(ascii: "0"))
            if significant < 19 {
                mantissa = mantissa &* 10 &+ d
                if mantissa != 0 { significant += 1 }
                exp10 -= 1
            } else if d != 0 {
                dropped = true
            }
            digits += 1
            i += 1
        }
    }
    guard digits > 0 else { return nil }
    if i < end, base[i] | 0x20 == UInt8(ascii: "e") {
        i += 1
        var expNegative = false
        if i < end, base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+") {
            expNegative = base[i] == UInt8(ascii: "-")
            i += 1
        }
        var e = 0
        var expDigits = 0
        while i < end, isDigit(base[i]) {
            // Saturate: anything beyond ±10^6 is 0 or ±Inf anyway.
            if e < 1_000_000 { e = e * 10 + Int(base[i] &- UInt8(ascii: "0")) }
            expDigits += 1
            i += 1
        }
        guard expDigits > 0 else { return nil }
        exp10 += expNegative ? -e : e
    }
    guard i == end else { return nil }
    if mantissa == 0 && !dropped { return negative ? -0.0 : 0.0 }
    if !dropped && mantissa <= 1 << 53 && exp10 >= -22 && exp10 <= 22 {
        var v = Double(mantissa)
        if exp10 >= 0 { v *= exactPowersOfTen[exp10] } else { v /= exactPowersOfTen[-exp10] }
        return negative ? -v : v
    }
    // Slow path, syntax already validated: strtod semantics, correctly rounded.
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: base[start..<end]), as: UTF8.self)
    return Double(text)
}

/// Parses the special values Go's strconv.ParseFloat accepts (which is what
/// Prometheus' parsers use): `NaN`, and `Inf`/`Infinity` with an optional
/// sign, all case-insensitive.
func parseSpecialFloat(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Double? {
    var i = start
    var sign = 1.0
    var signed = false
    if i < end, base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-") {
        if base[i] == UInt8(ascii: "-") { sign = -1 }
        signed = true
        i += 1
    }
    let n = end - i
    @inline(__always) func lower(_ k: Int) -> UInt8 { base[i + k] | 0x20 }
    if n == 3 && lower(0) == UInt8(ascii: "n") && lower(1) == UInt8(ascii: "a") && lower(2) == UInt8(ascii: "n") {
        return signed ? nil : .nan
    }
    if n == 3 || n == 8, lower(0) == UInt8(ascii: "i"), lower(1) == UInt8(ascii: "n"), lower(2) == UInt8(ascii: "f") {
        if n == 8 {
            let rest: [UInt8] = Array("inity".utf8)
            for k in 0..<5 where lower(3 + k) != rest[k] { return nil }
        }
        return sign * .infinity
    }
    return nil
}

/// A float in Prometheus' text formats: decimal or special.
@inline(__always)
func parsePrometheusFloat(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Double? {
    if let v = parseDecimalDouble(base, start, end) { return v }
    return parseSpecialFloat(base, start, end)
}

/// Parses `[+-]?digits` into an Int64, nil on bad syntax or overflow.
func parseInt64(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int64? {
    var i = start
    guard i < end else { return nil }
    var negative = false
    if base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+") {
        negative = base[i] == UInt8(ascii: "-")
        i += 1
    }
    guard i < end else { return nil }
    // Accumulate negatively so that Int64.min parses.
    var v: Int64 = 0
    while i < end {
        let b = base[i]
        guard isDigit(b) else { return nil }
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.subtractingReportingOverflow(Int64(b &- UInt8(ascii: "0")))
        if o1 || o2 { return nil }
        v = s
        i += 1
    }
    if negative { return v }
    return v == .min ? nil : -v
}

/// Parses `digits` into a UInt64, nil on bad syntax or overflow.
func parseUInt64(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> UInt64? {
    var i = start
    guard i < end else { return nil }
    var v: UInt64 = 0
    while i < end {
        let b = base[i]
        guard isDigit(b) else { return nil }
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (s, o2) = m.addingReportingOverflow(UInt64(b &- UInt8(ascii: "0")))
        if o1 || o2 { return nil }
        v = s
        i += 1
    }
    return v
}
