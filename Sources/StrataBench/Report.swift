/// Number formatting shared by the progress line and the reports, without
/// Foundation's locale-dependent formatters, so reports are byte-identical
/// on every machine.
public enum Report {
    /// `value` with exactly `decimals` decimals, rounded half away from zero.
    public static func fixed(_ value: Double, _ decimals: Int) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "+Inf" : "-Inf") }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return String(value) }
        let n = Int64(scaled)
        let intPart = n / Int64(scale)
        let frac = n % Int64(scale)
        var s = (value < 0 && n != 0 ? "-" : "") + String(intPart)
        if decimals > 0 {
            let f = String(frac)
            s += "." + String(repeating: "0", count: decimals - f.count) + f
        }
        return s
    }

    /// 2880000 → "2,880,000".
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// 612345 → "612.3k", 1.5e6 → "1.50M".
    public static func si(_ x: Double) -> String {
        let a = abs(x)
        if a >= 1e9 { return fixed(x / 1e9, 2) + "G" }
        if a >= 1e6 { return fixed(x / 1e6, 2) + "M" }
        if a >= 1e3 { return fixed(x / 1e3, 1) + "k" }
        return fixed(x, a < 10 ? 2 : 0)
    }

    /// Seconds as "42s", "3m05s", "1h02m".
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite && seconds >= 0 else { return "?" }
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" + (s % 60 < 10 ? "0" : "") + "\(s % 60)s" }
        return "\(s / 3600)h" + ((s % 3600) / 60 < 10 ? "0" : "") + "\((s % 3600) / 60)m"
    }

    /// Significant-figure formatting for table cells: 3 significant digits,
    /// at most `maxDecimals` decimals.
    public static func sig(_ x: Double, maxDecimals: Int = 3) -> String {
        guard x.isFinite else { return fixed(x, 0) }
        let a = abs(x)
        let decimals = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : maxDecimals
        return fixed(x, min(decimals, maxDecimals))
    }

    /// A duration in PromQL syntax (whole seconds, largest units): 6h, 1h30m, 90s.
    public static func promDuration(ms: Int64) -> String {
        var s = max(1, ms / 1000)
        var out = ""
        for (unit, len) in [("d", Int64(86_400)), ("h", 3_600), ("m", 60), ("s", 1)] where s >= len {
            out += "\(s / len)\(unit)"
            s %= len
        }
        return out
    }
}
