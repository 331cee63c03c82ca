/// Turns arbitrary names (Influx measurements, fields and tag keys) into
/// valid Prometheus names, the way Prometheus' own bridges do (the statsd
/// and graphite exporters, the OTLP translator, VictoriaMetrics'
/// `-usePromCompatibleNaming`): every character outside the allowed set
/// becomes `_`, and a name starting with a digit gets a leading `_`.
///
/// - metric names: `[a-zA-Z_:][a-zA-Z0-9_:]*`
/// - label names:  `[a-zA-Z_][a-zA-Z0-9_]*`
///
/// One `_` replaces one Unicode scalar: a multi-byte UTF-8 sequence (or a
/// stray byte of invalid UTF-8) becomes a single `_`, so the result is ASCII.
enum NameSanitizer {
    /// Sanitizes `bytes[from...]` in place; returns whether anything changed.
    /// `fixLeadingDigit` is off for a suffix appended to an already valid prefix.
    @discardableResult
    static func sanitize(_ bytes: inout [UInt8], from start: Int = 0, allowColon: Bool, fixLeadingDigit: Bool = true) -> Bool {
        var changed = false
        var needsRewrite = false
        for i in start..<bytes.count where !isNameByte(bytes[i], allowColon: allowColon) {
            needsRewrite = true
            break
        }
        if needsRewrite {
            var w = start
            var r = start
            while r < bytes.count {
                let b = bytes[r]
                if isNameByte(b, allowColon: allowColon) {
                    bytes[w] = b
                    r += 1
                } else {
                    bytes[w] = UInt8(ascii: "_")
                    r += 1
                    // Skip the continuation bytes of a multi-byte scalar.
                    if b >= 0xC0 {
                        while r < bytes.count, bytes[r] & 0xC0 == 0x80 { r += 1 }
                    }
                }
                w += 1
            }
            bytes.removeLast(bytes.count - w)
            changed = true
        }
        if fixLeadingDigit, start < bytes.count, isDigit(bytes[start]) {
            bytes.insert(UInt8(ascii: "_"), at: start)
            changed = true
        }
        return changed
    }

    @inline(__always)
    static func isNameByte(_ b: UInt8, allowColon: Bool) -> Bool {
        switch b {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
            return true
        case UInt8(ascii: ":"):
            return allowColon
        default:
            return false
        }
    }
}
