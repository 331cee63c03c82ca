/// Parses InfluxDB line protocol (POST /api/v2/write and /write):
///
///     measurement[,tag=value...] field=value[,field=value...] [timestamp]
///
/// Each numeric field becomes one sample of the series
/// `{__name__="<measurement>_<field>", <tags>...}` — the mapping
/// VictoriaMetrics uses — with names sanitized to Prometheus' character set
/// (`NameSanitizer`). The rules:
///
/// - Escapes, per the InfluxDB reference: in measurements `\,` `\ `; in tag
///   keys, tag values and field keys `\,` `\=` `\ `; `\\` is one backslash;
///   any other backslash is literal. String field values are double-quoted
///   with `\"` and `\\` escapes and may span lines.
/// - Values: floats (`1.5`, `-2e3`), integers (`2i`), unsigned (`3u`),
///   booleans (`t`/`T`/`true`/`True`/`TRUE` → 1, the `f` forms → 0).
///   Integers beyond 2^53 lose precision as doubles. String fields carry no
///   number and are skipped (counted in `batch.skipped.stringFields`).
///   NaN and Inf are not valid line protocol values.
/// - Timestamps are integers in `options.precision`, converted to
///   milliseconds (rounding toward −∞); a point without one gets
///   `options.defaultTimestampMs`.
/// - Blank lines and lines starting with `#` are skipped; `\r\n` is accepted.
/// - A bad line is dropped and reported (`.skipInvalidLines`, the default,
///   as InfluxDB does; see `LineProtocolOptions.ErrorPolicy`) or fails the
///   request (`.rejectRequest`). Errors carry line and column.
///
/// Tags are sorted; duplicate keys are kept for `Labels.validate()` to report.
public struct LineProtocolParser: Sendable {
    public var options: LineProtocolOptions

    var scratch: [UInt8] = []
    var nameScratch: [UInt8] = []
    var tags: [Label] = []
    var fieldNames: [String] = []
    var fieldValues: [Double] = []

    public init(options: LineProtocolOptions) {
        self.options = options
    }

    /// Appends every point of `bytes` to `batch`. Under `.rejectRequest` the
    /// first bad line throws; the batch then holds the lines before it, so
    /// discard it (the server writes nothing). Under `.skipInvalidLines`
    /// bad lines leave no trace in the batch and are listed in the report.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, into batch: inout IngestBatch) throws(LineProtocolError) -> LineProtocolReport {
        var c = Cursor(base: bytes)
        var report = LineProtocolReport()
        while c.pos < c.end {
            // Leading whitespace, then blank line or comment.
            c.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            if c.pos >= c.end { break }
            let b = c.base[c.pos]
            if b == UInt8(ascii: "\n") {
                c.newline()
                continue
            }
            if b == UInt8(ascii: "#") {
                c.skip { $0 != UInt8(ascii: "\n") }
                continue
            }
            report.pointLines += 1
            do throws(LineProtocolError) {
                try parsePoint(&c, into: &batch)
            } catch {
                if options.errorPolicy == .rejectRequest { throw error }
                report.invalidLines += 1
                if report.errors.count < options.maxReportedErrors { report.errors.append(error) }
                // Resume after the line the error was found on.
                c.skip { $0 != UInt8(ascii: "\n") }
            }
        }
        return report
    }

    public mutating func parse(_ bytes: [UInt8], into batch: inout IngestBatch) throws(LineProtocolError) -> LineProtocolReport {
        let r = bytes.withUnsafeBytes { raw in
            Result { () throws(LineProtocolError) in try parse(raw, into: &batch) }
        }
        return try r.get()
    }

    // MARK: one point

    /// Parses one point starting at a non-blank, non-comment byte. Samples
    /// are appended only once the whole line has parsed, so a bad line never
    /// leaves part of itself in the batch.
    mutating func parsePoint(_ c: inout Cursor, into batch: inout IngestBatch) throws(LineProtocolError) {
        // Measurement.
        let m = c.scanToken(stopAtEquals: false, escapesEquals: false)
        if m.start == m.end { throw c.error(.missingMeasurement) }
        nameScratch.removeAll(keepingCapacity: true)
        appendUnescaped(c.base, m, escapesEquals: false, to: &nameScratch)
        NameSanitizer.sanitize(&nameScratch, allowColon: true)
        let measurementLength = nameScratch.count

        // Tags.
        tags.removeAll(keepingCapacity: true)
        tags.append(contentsOf: options.extraLabels)
        while c.peek == UInt8(ascii: ",") {
            c.pos += 1
            let k = c.scanToken(stopAtEquals: true, escapesEquals: true)
            guard c.peek == UInt8(ascii: "=") else { throw c.error(.missingTagEquals) }
            if k.start == k.end { throw c.error(.emptyTagKey) }
            c.pos += 1
            let v = c.scanToken(stopAtEquals: false, escapesEquals: true)
            if v.start == v.end { throw c.error(.emptyTagValue) }
            scratch.removeAll(keepingCapacity: true)
            appendUnescaped(c.base, k, escapesEquals: true, to: &scratch)
            NameSanitizer.sanitize(&scratch, allowColon: false)
            let key = String(decoding: scratch, as: UTF8.self)
            let value: String
            if v.escaped {
                scratch.removeAll(keepingCapacity: true)
                appendUnescaped(c.base, v, escapesEquals: true, to: &scratch)
                guard let s = makeValidatedString(scratch) else { throw c.error(.invalidUTF8, at: v.start) }
                value = s
            } else {
                guard let s = makeValidatedString(c.base, v.start..<v.end) else { throw c.error(.invalidUTF8, at: v.start) }
                value = s
            }
            tags.append(Label(key, value))
        }
        guard c.peek == UInt8(ascii: " ") else {
            if c.atLineEnd { throw c.error(.missingFields) }
            throw c.error(.unexpectedCharacter(c.base[c.pos]))
        }
        c.skipSpaces()
        if c.atLineEnd { throw c.error(.missingFields) }

        // Fields.
        fieldNames.removeAll(keepingCapacity: true)
        fieldValues.removeAll(keepingCapacity: true)
        var stringFields = 0
        while true {
            let k = c.scanToken(stopAtEquals: true, escapesEquals: true)
            guard c.peek == UInt8(ascii: "=") else { throw c.error(.missingFieldEquals) }
            if k.start == k.end { throw c.error(.emptyFieldKey) }
            c.pos += 1
            if c.peek == UInt8(ascii: "\"") {
                try c.skipStringValue()
                stringFields += 1
            } else {
                let start = c.pos
                c.skip { b in
                    b != UInt8(ascii: ",") && b != UInt8(ascii: " ") && b != UInt8(ascii: "\n") && b != UInt8(ascii: "\r")
                }
                if start == c.pos { throw c.error(.missingFieldValue) }
                guard let v = Self.fieldValue(c.base, start, c.pos) else { throw c.error(.invalidFieldValue, at: start) }
                nameScratch.removeLast(nameScratch.count - measurementLength)
                nameScratch.append(contentsOf: options.measurementFieldSeparator.utf8)
                appendUnescaped(c.base, k, escapesEquals: true, to: &nameScratch)
                NameSanitizer.sanitize(&nameScratch, from: measurementLength, allowColon: true, fixLeadingDigit: false)
                fieldNames.append(String(decoding: nameScratch, as: UTF8.self))
                fieldValues.append(v)
            }
            guard c.peek == UInt8(ascii: ",") else { break }
            c.pos += 1
        }

        // Timestamp.
        var timestamp = options.defaultTimestampMs
        if !c.atLineEnd {
            guard c.peek == UInt8(ascii: " ") else { throw c.error(.unexpectedCharacter(c.base[c.pos])) }
            c.skipSpaces()
            if !c.atLineEnd {
                let start = c.pos
                c.skip { b in b != UInt8(ascii: " ") && b != UInt8(ascii: "\n") && b != UInt8(ascii: "\r") && b != UInt8(ascii: "\t") }
                guard let raw = parseInt64(c.base, start, c.pos) else { throw c.error(.invalidTimestamp, at: start) }
                guard let ms = Self.toMilliseconds(raw, options.precision) else { throw c.error(.timestampOutOfRange, at: start) }
                timestamp = ms
            }
        }
        // Only blanks may follow until the newline. A lone `\r` ends a token
        // (for `\r\n`) but does not end the line: without this check
        // `m v=1\rn v=2` was read as two points on one line (found by
        // fuzzing, Fuzz/Sources/FuzzLineProtocol).
        c.skip { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
        if c.pos < c.end && c.base[c.pos] != UInt8(ascii: "\n") { throw c.error(.unexpectedCharacter(c.base[c.pos])) }

        // Emit: one series per numeric field.
        batch.skipped.stringFields += stringFields
        tags.sort { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
        // `__name__` goes where it sorts among the tags.
        let nameAt = tags.firstIndex { !$0.name.utf8.lexicographicallyPrecedes(metricNameLabel.utf8) } ?? tags.count
        for i in 0..<fieldNames.count {
            var pairs: [Label] = []
            pairs.reserveCapacity(tags.count + 1)
            pairs.append(contentsOf: tags[..<nameAt])
            pairs.append(Label(metricNameLabel, fieldNames[i]))
            pairs.append(contentsOf: tags[nameAt...])
            let start = batch.sampleCount
            batch.appendSample(timestamp, fieldValues[i])
            batch.commitSeries(labels: Labels(sortedUnchecked: pairs), samplesFrom: start, labelsSorted: true)
        }
    }

    /// A non-string field value.
    static func fieldValue(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Double? {
        let last = base[end - 1]
        if last == UInt8(ascii: "i") {
            return parseInt64(base, start, end - 1).map { Double($0) }
        }
        if last == UInt8(ascii: "u") {
            return parseUInt64(base, start, end - 1).map { Double($0) }
        }
        switch base[start] {
        case UInt8(ascii: "t"), UInt8(ascii: "T"), UInt8(ascii: "f"), UInt8(ascii: "F"):
            return boolValue(base, start, end)
        default:
            return parseDecimalDouble(base, start, end)
        }
    }

    static let trueForms: [[UInt8]] = ["t", "T", "true", "True", "TRUE"].map { Array($0.utf8) }
    static let falseForms: [[UInt8]] = ["f", "F", "false", "False", "FALSE"].map { Array($0.utf8) }

    static func boolValue(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Double? {
        let token = UnsafeRawBufferPointer(rebasing: base[start..<end])
        if trueForms.contains(where: { $0.elementsEqual(token) }) { return 1 }
        if falseForms.contains(where: { $0.elementsEqual(token) }) { return 0 }
        return nil
    }

    /// Converts a timestamp in `precision` to milliseconds, rounding toward
    /// −∞ (so that pre-1970 sub-millisecond times don't round up across a
    /// millisecond). Nil when ×1000-style scaling overflows.
    static func toMilliseconds(_ t: Int64, _ precision: LineProtocolOptions.Precision) -> Int64? {
        func floorDiv(_ a: Int64, _ d: Int64) -> Int64 {
            let q = a / d
            return (a % d != 0 && a < 0) ? q - 1 : q
        }
        func scaled(_ a: Int64, _ m: Int64) -> Int64? {
            let (r, o) = a.multipliedReportingOverflow(by: m)
            return o ? nil : r
        }
        switch precision {
        case .nanoseconds: return floorDiv(t, 1_000_000)
        case .microseconds: return floorDiv(t, 1_000)
        case .milliseconds: return t
        case .seconds: return scaled(t, 1_000)
        case .minutes: return scaled(t, 60_000)
        case .hours: return scaled(t, 3_600_000)
        }
    }

    /// Appends a token's bytes with its escapes resolved.
    func appendUnescaped(_ base: UnsafeRawBufferPointer, _ t: Cursor.Token, escapesEquals: Bool, to out: inout [UInt8]) {
        if !t.escaped {
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: base[t.start..<t.end]))
            return
        }
        var i = t.start
        while i < t.end {
            let b = base[i]
            if b == UInt8(ascii: "\\"), i + 1 < t.end, Cursor.isEscapable(base[i + 1], escapesEquals: escapesEquals) {
                out.append(base[i + 1])
                i += 2
            } else {
                out.append(b)
                i += 1
            }
        }
    }
}

extension LineProtocolParser {
    /// Position state over one body. Every read checks `pos < end`.
    struct Cursor {
        let base: UnsafeRawBufferPointer
        var pos = 0
        let end: Int
        var line = 1
        var lineStart = 0

        init(base: UnsafeRawBufferPointer) {
            self.base = base
            self.end = base.count
        }

        struct Token {
            var start: Int
            var end: Int
            var escaped: Bool
        }

        var peek: UInt8? { pos < end ? base[pos] : nil }

        var atLineEnd: Bool {
            pos >= end || base[pos] == UInt8(ascii: "\n") || base[pos] == UInt8(ascii: "\r")
        }

        mutating func newline() {
            pos += 1
            line += 1
            lineStart = pos
        }

        @inline(__always)
        mutating func skip(while pred: (UInt8) -> Bool) {
            while pos < end, pred(base[pos]) { pos += 1 }
        }

        mutating func skipSpaces() {
            skip { $0 == UInt8(ascii: " ") }
        }

        @inline(__always)
        static func isEscapable(_ b: UInt8, escapesEquals: Bool) -> Bool {
            b == UInt8(ascii: ",") || b == UInt8(ascii: " ") || b == UInt8(ascii: "\\") || (escapesEquals && b == UInt8(ascii: "="))
        }

        /// Scans a measurement, key or tag value up to an unescaped
        /// separator (`,`, space, `=` when `stopAtEquals`) or the line end.
        mutating func scanToken(stopAtEquals: Bool, escapesEquals: Bool) -> Token {
            let start = pos
            var escaped = false
            while pos < end {
                let b = base[pos]
                if b == UInt8(ascii: "\\"), pos + 1 < end, Self.isEscapable(base[pos + 1], escapesEquals: escapesEquals) {
                    escaped = true
                    pos += 2
                    continue
                }
                if b == UInt8(ascii: ",") || b == UInt8(ascii: " ") || b == UInt8(ascii: "\n")
                    || (stopAtEquals && b == UInt8(ascii: "=")) {
                    break
                }
                pos += 1
            }
            return Token(start: start, end: pos, escaped: escaped)
        }

        /// Skips a double-quoted string field value (escapes `\"`, `\\`),
        /// counting the newlines it may contain.
        mutating func skipStringValue() throws(LineProtocolError) {
            let open = pos
            let openLine = line, openLineStart = lineStart
            pos += 1
            while pos < end {
                let b = base[pos]
                if b == UInt8(ascii: "\\"), pos + 1 < end,
                   base[pos + 1] == UInt8(ascii: "\"") || base[pos + 1] == UInt8(ascii: "\\") {
                    pos += 2
                    continue
                }
                if b == UInt8(ascii: "\"") {
                    pos += 1
                    if let n = peek, n != UInt8(ascii: ","), n != UInt8(ascii: " "), n != UInt8(ascii: "\n"), n != UInt8(ascii: "\r") {
                        throw error(.unexpectedCharacter(n))
                    }
                    return
                }
                if b == UInt8(ascii: "\n") {
                    line += 1
                    lineStart = pos + 1
                }
                pos += 1
            }
            throw LineProtocolError(.unterminatedString, at: TextPosition(line: openLine, column: open - openLineStart + 1))
        }

        func error(_ reason: LineProtocolError.Reason) -> LineProtocolError {
            error(reason, at: pos)
        }

        func error(_ reason: LineProtocolError.Reason, at offset: Int) -> LineProtocolError {
            LineProtocolError(reason, at: TextPosition(line: line, column: offset - lineStart + 1))
        }
    }
}
