import StrataEvents

/// Times as Go prints them in Prometheus' API and templates (UTC).
enum GoTime {
    /// `time.RFC3339Nano`: fraction without trailing zeros, none when whole
    /// (`2025-11-29T05:00:00.12Z`, `2025-11-29T05:00:00Z`).
    static func rfc3339Nano(_ ms: Int64) -> String {
        var s = RFC3339.format(ms)           // …:SS.fffZ
        s.removeLast()                       // Z
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s + "Z"
    }

    /// Go's zero `time.Time` in JSON: what Prometheus shows for "never".
    static let zero = "0001-01-01T00:00:00Z"

    /// `time.Time.String()` in UTC: `2025-11-29 05:00:00.5 +0000 UTC`.
    static func string(_ ms: Int64) -> String {
        let r = rfc3339Nano(ms)
        return r.dropLast().replacingOccurrences(of: "T", with: " ") + " +0000 UTC"
    }
}
