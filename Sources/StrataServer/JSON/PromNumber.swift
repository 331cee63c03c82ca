/// Number formatting exactly as Prometheus' JSON API writes it.
///
/// Values: Go's `strconv.FormatFloat(v, 'f', -1, 64)` (shortest round-trip
/// digits, fixed notation), switching to `'e'` when |v| < 1e-6 or |v| ≥ 1e21
/// (Prometheus' jsonutil.MarshalFloat); "NaN", "+Inf", "-Inf" spelled out.
/// Timestamps: seconds, integral ones without decimals, others with exactly
/// three (`1795913685.050`).
public enum PromNumber {
    public static func appendValue(_ v: Double, to out: inout [UInt8]) {
        if v.isNaN { out.append(contentsOf: "NaN".utf8); return }
        if v.isInfinite { out.append(contentsOf: (v < 0 ? "-Inf" : "+Inf").utf8); return }
        if v == 0 {
            if v.sign == .minus { out.append(UInt8(ascii: "-")) }
            out.append(UInt8(ascii: "0"))
            return
        }
        // Whole numbers below 2^53 (counters, counts, most gauges): their
        // shortest round-trip digits are their decimal digits. No string
        // and no allocation on this path.
        if v.magnitude < 9_007_199_254_740_992, v == v.rounded(.towardZero) {
            appendInteger(Int64(v), to: &out)
            return
        }
        // Swift's description yields the shortest digits that round-trip (like Go's -1 precision).
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var exp10 = 0          // value = 0.d1d2d3… × 10^exp10
        var negative = false
        var seenDot = false
        var intDigits = 0
        var expPart = 0
        var expSign = 1
        var inExp = false
        for c in v.description.utf8 {
            switch c {
            case UInt8(ascii: "-"):
                if inExp { expSign = -1 } else { negative = true }
            case UInt8(ascii: "+"):
                break
            case UInt8(ascii: "."):
                seenDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExp = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExp {
                    expPart = expPart * 10 + Int(c - 48)
                } else {
                    digits.append(c)
                    if !seenDot { intDigits += 1 }
                }
            default:
                break
            }
        }
        // Normalise: strip leading zeros (adjusting the exponent) and trailing zeros.
        exp10 = intDigits + expSign * expPart
        var lead = 0
        while lead < digits.count - 1 && digits[lead] == UInt8(ascii: "0") { lead += 1; exp10 -= 1 }
        if lead > 0 { digits.removeFirst(lead) }
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }

        if negative { out.append(UInt8(ascii: "-")) }
        let a = abs(v)
        if a < 1e-6 || a >= 1e21 {
            // d.ddde±XX
            out.append(digits[0])
            if digits.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            let e = exp10 - 1
            out.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let ae = abs(e)
            if ae < 10 { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: String(ae).utf8)
        } else if exp10 <= 0 {
            out.append(contentsOf: "0.".utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -exp10))
            out.append(contentsOf: digits)
        } else if exp10 >= digits.count {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: exp10 - digits.count))
        } else {
            out.append(contentsOf: digits[0..<exp10])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[exp10...])
        }
    }

    public static func formatValue(_ v: Double) -> String {
        var out: [UInt8] = []
        appendValue(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Decimal digits of `n`, without building a String.
    @inline(__always)
    static func appendInteger(_ n: Int64, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var m = n.magnitude
        // 20 digits hold any UInt64; written backwards into a fixed buffer.
        var buf: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &buf) { b in
            var i = 24
            repeat {
                i -= 1
                b[i] = UInt8(48 + m % 10)
                m /= 10
            } while m > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[i..<24]))
        }
    }

    /// Milliseconds as Prometheus' seconds: `12`, `12.5` → `12.500`, `-0.001`.
    public static func appendTimestamp(_ ms: Int64, to out: inout [UInt8]) {
        var sec = ms / 1000
        var frac = ms % 1000
        if frac < 0 { frac += 1000; sec -= 1 }
        if frac == 0 {
            appendInteger(sec, to: &out)
            return
        }
        if sec < 0 {
            // e.g. -1 ms = -0.001: write sign and magnitude.
            let total = -ms
            out.append(UInt8(ascii: "-"))
            appendTimestamp(total, to: &out)
            return
        }
        appendInteger(sec, to: &out)
        out.append(UInt8(ascii: "."))
        out.append(UInt8(48 + UInt8(frac / 100)))
        out.append(UInt8(48 + UInt8((frac / 10) % 10)))
        out.append(UInt8(48 + UInt8(frac % 10)))
    }

    public static func formatTimestamp(_ ms: Int64) -> String {
        var out: [UInt8] = []
        appendTimestamp(ms, to: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
