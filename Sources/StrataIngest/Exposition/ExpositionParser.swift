#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses a scrape: the Prometheus text exposition format 0.0.4 or
/// OpenMetrics 1.0 text (https://prometheus.io/docs/instrumenting/exposition_formats/,
/// https://github.com/OpenObservability/OpenMetrics/blob/main/specification/OpenMetrics.md).
///
/// Each sample line becomes one series with one sample in the batch; `# HELP`,
/// `# TYPE` and `# UNIT` lines become one `MetricMetadata` per family.
///
/// - Sample lines: `name[{label="value",...}] value [timestamp]`. Label
///   values escape `\\`, `\"` and `\n` (any other backslash is kept as is,
///   as Prometheus does). A trailing comma in the label set is allowed.
///   Tokens may be separated by spaces or tabs; blank lines and leading or
///   trailing whitespace are ignored; `\r\n` is accepted.
/// - Values: Go ParseFloat syntax as Prometheus reads it (decimal, `NaN`,
///   `+Inf`, `-Inf`, case-insensitive). Hex floats are not accepted.
/// - Timestamps: integer milliseconds in the Prometheus format; float seconds
///   in OpenMetrics, converted exactly to milliseconds (rounding toward −∞).
///   A sample without one gets `options.defaultTimestampMs` (the scrape time).
/// - `# HELP name text` (escapes `\\`, `\n`), `# TYPE name type` with types
///   counter, gauge, histogram, summary, untyped, and OpenMetrics' unknown,
///   info, stateset, gaugehistogram (untyped and unknown both map to
///   `.unknown`). Other `#` lines are comments.
/// - OpenMetrics only: `# UNIT`; exemplars (` # {labels} value [ts]` after
///   the sample) are checked and skipped; `# EOF` must end the exposition and
///   nothing may follow it; `_bucket` samples of a histogram need a float
///   `le`, and summary samples a float `quantile`.
/// - `_created` samples are ingested like any series (as Prometheus 2.x does)
///   unless `options.dropCreatedSeries`.
///
/// Histogram and summary samples need no special handling: `le` and
/// `quantile` are ordinary labels on `_bucket`/quantile series, and `_sum`,
/// `_count` are series of their own. Labels are sorted; duplicate names are
/// kept for `Labels.validate()` to report. On error the batch is restored.
public struct ExpositionParser: Sendable {
    public enum Format: Sendable, Equatable {
        /// `text/plain; version=0.0.4`
        case prometheusText
        /// `application/openmetrics-text; version=1.0.0`
        case openMetrics

        /// Picks the format from a scrape response's Content-Type.
        public init(contentType: String) {
            self = contentType.lowercased().hasPrefix("application/openmetrics-text") ? .openMetrics : .prometheusText
        }
    }

    public struct Options: Sendable {
        public var format: Format
        public var defaultTimestampMs: Int64
        public var dropCreatedSeries: Bool

        public init(format: Format = .prometheusText, defaultTimestampMs: Int64, dropCreatedSeries: Bool = false) {
            self.format = format
            self.defaultTimestampMs = defaultTimestampMs
            self.dropCreatedSeries = dropCreatedSeries
        }
    }

    public var options: Options
    var labelScratch: [Label] = []
    var scratch: [UInt8] = []
    /// Family name → index in `batch.metadata`, for this parse.
    var families: [String: Int] = [:]
    /// The last metric name's bytes and String: consecutive lines of a
    /// family (buckets, quantiles, per-label children) repeat the name.
    var lastNameBytes: [UInt8] = []
    var lastName = ""
    /// The family of the most recent `# TYPE` line (OpenMetrics checks).
    var currentFamily = ""
    var currentType = MetricMetadata.MetricType.unknown

    public init(options: Options) {
        self.options = options
    }

    public mutating func parse(_ bytes: UnsafeRawBufferPointer, into batch: inout IngestBatch) throws(ExpositionError) {
        let mark = batch.mark
        families.removeAll(keepingCapacity: true)
        currentFamily = ""
        currentType = .unknown
        do throws(ExpositionError) {
            try parseLines(bytes, into: &batch)
        } catch {
            batch.rollback(to: mark)
            throw error
        }
    }

    public mutating func parse(_ bytes: [UInt8], into batch: inout IngestBatch) throws(ExpositionError) {
        let r = bytes.withUnsafeBytes { raw in
            Result { () throws(ExpositionError) in try parse(raw, into: &batch) }
        }
        try r.get()
    }

    mutating func parseLines(_ base: UnsafeRawBufferPointer, into batch: inout IngestBatch) throws(ExpositionError) {
        let openMetrics = options.format == .openMetrics
        var pos = 0
        var lineNumber = 1
        var sawEOF = false
        while pos < base.count {
            let lineEnd = Self.indexOfNewline(base, from: pos)
            var contentEnd = lineEnd
            if contentEnd > pos, base[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
            var line = Line(base: base, pos: pos, end: contentEnd, number: lineNumber, start: pos)
            if sawEOF {
                line.skipWhitespace()
                if !line.atEnd { throw line.error(.contentAfterEOF) }
            } else {
                sawEOF = try parseLine(&line, into: &batch)
            }
            pos = lineEnd + 1
            lineNumber += 1
        }
        if openMetrics && !sawEOF {
            throw ExpositionError(.missingEOF, at: TextPosition(line: lineNumber, column: 1))
        }
    }

    /// The offset of the next `\n` at or after `from`, or `base.count`.
    /// memchr: lines are long (labels) and this is the one full pass over the body.
    static func indexOfNewline(_ base: UnsafeRawBufferPointer, from: Int) -> Int {
        guard from < base.count, let start = base.baseAddress else { return base.count }
        guard let hit = memchr(start + from, Int32(UInt8(ascii: "\n")), base.count - from) else { return base.count }
        return UnsafeRawPointer(hit) - start
    }

    /// Parses one line; returns true if it was an OpenMetrics `# EOF`.
    mutating func parseLine(_ l: inout Line, into batch: inout IngestBatch) throws(ExpositionError) -> Bool {
        l.skipWhitespace()
        if l.atEnd { return false }
        if l.peek == UInt8(ascii: "#") {
            return try parseComment(&l, into: &batch)
        }
        try parseSample(&l, into: &batch)
        return false
    }

    // MARK: comments and metadata

    mutating func parseComment(_ l: inout Line, into batch: inout IngestBatch) throws(ExpositionError) -> Bool {
        l.pos += 1
        guard l.skipWhitespace() > 0 else { return false }  // `#HELP` is a plain comment
        let kw = l.pos
        while !l.atEnd, !Line.isBlank(l.base[l.pos]) { l.pos += 1 }
        let keyword = UnsafeRawBufferPointer(rebasing: l.base[kw..<l.pos])
        let openMetrics = options.format == .openMetrics
        if openMetrics && keyword.elementsEqual("EOF".utf8) {
            l.skipWhitespace()
            if !l.atEnd { throw l.error(.unexpectedCharacter(l.base[l.pos])) }
            return true
        }
        let isHelp = keyword.elementsEqual("HELP".utf8)
        let isType = keyword.elementsEqual("TYPE".utf8)
        let isUnit = openMetrics && keyword.elementsEqual("UNIT".utf8)
        guard isHelp || isType || isUnit else { return false }
        guard l.skipWhitespace() > 0 else { throw l.error(l.atEnd ? .invalidMetricName : .unexpectedCharacter(l.base[l.pos])) }
        let name = try l.scanMetricName()
        let familyName = String(decoding: UnsafeRawBufferPointer(rebasing: l.base[name]), as: UTF8.self)
        let hadSpace = l.skipWhitespace() > 0
        if !l.atEnd && !hadSpace { throw l.error(.unexpectedCharacter(l.base[l.pos])) }
        let index = metadataIndex(familyName, in: &batch)
        if isHelp {
            batch.metadata[index].help = try unescapeHelp(&l)
        } else if isUnit {
            let start = l.pos
            while !l.atEnd, !Line.isBlank(l.base[l.pos]) { l.pos += 1 }
            guard let unit = makeValidatedString(l.base, start..<l.pos) else { throw l.error(.invalidUTF8, at: start) }
            batch.metadata[index].unit = unit
        } else {
            let start = l.pos
            while !l.atEnd, !Line.isBlank(l.base[l.pos]) { l.pos += 1 }
            let word = UnsafeRawBufferPointer(rebasing: l.base[start..<l.pos])
            guard let type = Self.metricType(word) else {
                throw l.error(.invalidType(String(decoding: word, as: UTF8.self)), at: start)
            }
            l.skipWhitespace()
            if !l.atEnd { throw l.error(.unexpectedCharacter(l.base[l.pos])) }
            batch.metadata[index].type = type
            currentFamily = familyName
            currentType = type
        }
        return false
    }

    mutating func metadataIndex(_ family: String, in batch: inout IngestBatch) -> Int {
        if let i = families[family] { return i }
        batch.appendMetadata(MetricMetadata(familyName: family))
        let i = batch.metadata.count - 1
        families[family] = i
        return i
    }

    static func metricType(_ word: UnsafeRawBufferPointer) -> MetricMetadata.MetricType? {
        switch String(decoding: word, as: UTF8.self) {
        case "counter": return .counter
        case "gauge": return .gauge
        case "histogram": return .histogram
        case "summary": return .summary
        case "untyped", "unknown": return .unknown
        case "gaugehistogram": return .gaugeHistogram
        case "info": return .info
        case "stateset": return .stateset
        default: return nil
        }
    }

    /// The rest of the line as a HELP text: `\\` → `\`, `\n` → newline,
    /// `\"` → `"` (OpenMetrics); other backslashes are kept.
    mutating func unescapeHelp(_ l: inout Line) throws(ExpositionError) -> String {
        let start = l.pos
        scratch.removeAll(keepingCapacity: true)
        while !l.atEnd {
            let b = l.base[l.pos]
            if b == UInt8(ascii: "\\"), l.pos + 1 < l.end {
                switch l.base[l.pos + 1] {
                case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\")); l.pos += 2; continue
                case UInt8(ascii: "n"): scratch.append(UInt8(ascii: "\n")); l.pos += 2; continue
                case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\"")); l.pos += 2; continue
                default: break
                }
            }
            scratch.append(b)
            l.pos += 1
        }
        // Trailing whitespace is not part of the text.
        while let last = scratch.last, Line.isBlank(last) { scratch.removeLast() }
        guard let s = makeValidatedString(scratch) else { throw l.error(.invalidUTF8, at: start) }
        return s
    }

    // MARK: samples

    mutating func parseSample(_ l: inout Line, into batch: inout IngestBatch) throws(ExpositionError) {
        let openMetrics = options.format == .openMetrics
        let nameRange = try l.scanMetricName()
        let name = cachedName(l.base, nameRange)
        labelScratch.removeAll(keepingCapacity: true)
        labelScratch.append(Label(metricNameLabel, name))
        // The value must be separated from a bare name; after `}` a blank is optional.
        var separated = l.skipWhitespace() > 0
        if l.peek == UInt8(ascii: "{") {
            // Borrow the scratch array (keeping its capacity) while self is mutated.
            var labels: [Label] = []
            swap(&labels, &labelScratch)
            do throws(ExpositionError) {
                try parseLabels(&l, into: &labels)
            } catch {
                swap(&labels, &labelScratch)
                throw error
            }
            swap(&labels, &labelScratch)
            l.skipWhitespace()
            separated = true
        }
        if l.atEnd { throw l.error(.missingValue) }
        if !separated { throw l.error(.unexpectedCharacter(l.base[l.pos])) }

        let valueStart = l.pos
        l.skipToken()
        guard let value = parsePrometheusFloat(l.base, valueStart, l.pos) else { throw l.error(.invalidValue, at: valueStart) }

        var timestamp = options.defaultTimestampMs
        l.skipWhitespace()
        if !l.atEnd && l.peek != UInt8(ascii: "#") {
            let tsStart = l.pos
            l.skipToken()
            let ts = openMetrics
                ? Self.parseSecondsAsMilliseconds(l.base, tsStart, l.pos)
                : parseInt64(l.base, tsStart, l.pos)
            guard let ts else { throw l.error(.invalidTimestamp, at: tsStart) }
            timestamp = ts
            l.skipWhitespace()
        }
        if !l.atEnd {
            guard openMetrics, l.peek == UInt8(ascii: "#") else { throw l.error(.unexpectedCharacter(l.base[l.pos])) }
            try skipExemplar(&l)
            batch.skipped.exemplars += 1
        }

        if openMetrics { try checkHistogramAndSummaryLabels(name, &l) }
        if options.dropCreatedSeries && isCreatedOfCountingFamily(l.base, nameRange, batch.metadata) {
            batch.skipped.createdSeries += 1
            return
        }
        let start = batch.sampleCount
        batch.appendSample(timestamp, value)
        batch.commitSeries(labels: Labels(sorting: labelScratch), samplesFrom: start, labelsSorted: true)
    }

    /// `{name="value",...}` starting at `{`.
    mutating func parseLabels(_ l: inout Line, into labels: inout [Label]) throws(ExpositionError) {
        l.pos += 1
        while true {
            l.skipWhitespace()
            if l.atEnd { throw l.error(.expectedCommaOrBrace) }
            if l.peek == UInt8(ascii: "}") {
                l.pos += 1
                return
            }
            let nameStart = l.pos
            guard Line.isLabelNameStart(l.base[l.pos]) else { throw l.error(.invalidLabelName) }
            while !l.atEnd, Line.isLabelNameByte(l.base[l.pos]) { l.pos += 1 }
            let labelName = String(decoding: UnsafeRawBufferPointer(rebasing: l.base[nameStart..<l.pos]), as: UTF8.self)
            l.skipWhitespace()
            guard l.peek == UInt8(ascii: "=") else { throw l.error(.missingLabelEquals) }
            l.pos += 1
            l.skipWhitespace()
            guard l.peek == UInt8(ascii: "\"") else { throw l.error(.expectedLabelValueQuote) }
            let value = try scanLabelValue(&l)
            labels.append(Label(labelName, value))
            l.skipWhitespace()
            switch l.peek {
            case UInt8(ascii: ","): l.pos += 1
            case UInt8(ascii: "}"): l.pos += 1; return
            default: throw l.error(.expectedCommaOrBrace)
            }
        }
    }

    /// A quoted label value starting at `"`.
    mutating func scanLabelValue(_ l: inout Line) throws(ExpositionError) -> String {
        let open = l.pos
        l.pos += 1
        let start = l.pos
        var escaped = false
        while !l.atEnd {
            let b = l.base[l.pos]
            if b == UInt8(ascii: "\"") { break }
            if b == UInt8(ascii: "\\") {
                escaped = true
                l.pos += 2
                continue
            }
            l.pos += 1
        }
        guard l.pos < l.end else { throw l.error(.unterminatedLabelValue, at: open) }
        let end = l.pos
        l.pos += 1
        if !escaped {
            guard let s = makeValidatedString(l.base, start..<end) else { throw l.error(.invalidUTF8, at: start) }
            return s
        }
        scratch.removeAll(keepingCapacity: true)
        var i = start
        while i < end {
            let b = l.base[i]
            if b == UInt8(ascii: "\\"), i + 1 < end {
                switch l.base[i + 1] {
                case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\")); i += 2; continue
                case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\"")); i += 2; continue
                case UInt8(ascii: "n"): scratch.append(UInt8(ascii: "\n")); i += 2; continue
                default: break
                }
            }
            scratch.append(b)
            i += 1
        }
        guard let s = makeValidatedString(scratch) else { throw l.error(.invalidUTF8, at: start) }
        return s
    }

    /// ` # {labels} value [timestamp]` (OpenMetrics exemplar), validated and dropped.
    mutating func skipExemplar(_ l: inout Line) throws(ExpositionError) {
        l.pos += 1
        guard l.skipWhitespace() > 0, l.peek == UInt8(ascii: "{") else { throw l.error(.invalidExemplar) }
        var discard: [Label] = []
        try parseLabels(&l, into: &discard)
        l.skipWhitespace()
        let vs = l.pos
        l.skipToken()
        guard parsePrometheusFloat(l.base, vs, l.pos) != nil else { throw l.error(.invalidExemplar, at: vs) }
        l.skipWhitespace()
        if !l.atEnd {
            let ts = l.pos
            l.skipToken()
            guard Self.parseSecondsAsMilliseconds(l.base, ts, l.pos) != nil else { throw l.error(.invalidExemplar, at: ts) }
            l.skipWhitespace()
            if !l.atEnd { throw l.error(.unexpectedCharacter(l.base[l.pos])) }
        }
    }

    /// OpenMetrics requires a float `le` on histogram buckets and a float
    /// `quantile` on summary quantiles.
    func checkHistogramAndSummaryLabels(_ name: String, _ l: inout Line) throws(ExpositionError) {
        switch currentType {
        case .histogram, .gaugeHistogram:
            guard name.utf8.count == currentFamily.utf8.count + 7, name.hasSuffix("_bucket"), name.hasPrefix(currentFamily) else { return }
            guard let le = labelScratch.first(where: { $0.name == "le" }), Self.isFloat(le.value) else {
                throw l.error(.invalidBucketBound, at: l.start)
            }
        case .summary:
            guard name == currentFamily else { return }
            guard let q = labelScratch.first(where: { $0.name == "quantile" }), Self.isFloat(q.value) else {
                throw l.error(.invalidQuantile, at: l.start)
            }
        default:
            return
        }
    }

    static func isFloat(_ s: String) -> Bool {
        var s = s
        return s.withUTF8 { p in parsePrometheusFloat(UnsafeRawBufferPointer(p), 0, p.count) != nil }
    }

    /// Whether `name` is `<family>_created` of a counter, histogram, summary
    /// or gauge histogram family declared by a `# TYPE` line.
    func isCreatedOfCountingFamily(_ base: UnsafeRawBufferPointer, _ name: Range<Int>, _ metadata: [MetricMetadata]) -> Bool {
        let suffix = "_created".utf8
        guard name.count > suffix.count,
              UnsafeRawBufferPointer(rebasing: base[(name.upperBound - suffix.count)..<name.upperBound]).elementsEqual(suffix) else {
            return false
        }
        let family = String(decoding: UnsafeRawBufferPointer(rebasing: base[name.lowerBound..<(name.upperBound - suffix.count)]), as: UTF8.self)
        guard let i = families[family] else { return false }
        switch metadata[i].type {
        case .counter, .histogram, .summary, .gaugeHistogram: return true
        default: return false
        }
    }

    mutating func cachedName(_ base: UnsafeRawBufferPointer, _ r: Range<Int>) -> String {
        let bytes = UnsafeRawBufferPointer(rebasing: base[r])
        if !bytes.elementsEqual(lastNameBytes) {
            lastNameBytes.removeAll(keepingCapacity: true)
            lastNameBytes.append(contentsOf: bytes)
            // Metric names are ASCII by construction (`scanMetricName`).
            lastName = String(decoding: bytes, as: UTF8.self)
        }
        return lastName
    }

    /// OpenMetrics timestamps are float seconds. Plain decimals are
    /// converted exactly (`1520879607.789` → 1520879607789, no binary
    /// rounding); exponent forms go through Double. Rounds toward −∞.
    static func parseSecondsAsMilliseconds(_ base: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int64? {
        var i = start
        var negative = false
        if i < end, base[i] == UInt8(ascii: "-") || base[i] == UInt8(ascii: "+") {
            negative = base[i] == UInt8(ascii: "-")
            i += 1
        }
        var secs: Int64 = 0
        var digits = 0
        while i < end, isDigit(base[i]) {
            let (m, o1) = secs.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(base[i] &- 48))
            if o1 || o2 { return nil }
            secs = s
            digits += 1
            i += 1
        }
        var millis: Int64 = 0
        var fractionRest = false
        if i < end, base[i] == UInt8(ascii: ".") {
            i += 1
            var k = 0
            while i < end, isDigit(base[i]) {
                if k < 3 { millis = millis * 10 + Int64(base[i] &- 48) } else if base[i] != UInt8(ascii: "0") { fractionRest = true }
                k += 1
                digits += 1
                i += 1
            }
            while k < 3 { millis *= 10; k += 1 }
        }
        if i == end && digits > 0 {
            let (m, o1) = secs.multipliedReportingOverflow(by: 1000)
            let (t, o2) = m.addingReportingOverflow(millis)
            if o1 || o2 { return nil }
            if !negative { return t }
            return fractionRest ? -t - 1 : -t
        }
        // Exponent forms such as 1.5e9.
        guard let d = parseDecimalDouble(base, start, end) else { return nil }
        let ms = (d * 1000).rounded(.down)
        guard ms >= -0x1p63, ms < 0x1p63 else { return nil }
        return Int64(ms)
    }
}

extension ExpositionParser {
    /// One line of the body: `[pos, end)` excludes the newline (and a `\r`).
    struct Line {
        let base: UnsafeRawBufferPointer
        var pos: Int
        let end: Int
        let number: Int
        let start: Int

        var atEnd: Bool { pos >= end }
        var peek: UInt8? { pos < end ? base[pos] : nil }

        @inline(__always)
        static func isBlank(_ b: UInt8) -> Bool { b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") }

        /// Skips spaces and tabs; returns how many.
        @discardableResult
        mutating func skipWhitespace() -> Int {
            let s = pos
            while pos < end, Self.isBlank(base[pos]) { pos += 1 }
            return pos - s
        }

        mutating func skipToken() {
            while pos < end, !Self.isBlank(base[pos]) { pos += 1 }
        }

        static func isLabelNameStart(_ b: UInt8) -> Bool {
            (b | 0x20) >= UInt8(ascii: "a") && (b | 0x20) <= UInt8(ascii: "z") || b == UInt8(ascii: "_")
        }

        static func isLabelNameByte(_ b: UInt8) -> Bool { isLabelNameStart(b) || isDigit(b) }

        /// `[a-zA-Z_:][a-zA-Z0-9_:]*`
        mutating func scanMetricName() throws(ExpositionError) -> Range<Int> {
            let s = pos
            guard pos < end, Self.isLabelNameStart(base[pos]) || base[pos] == UInt8(ascii: ":") else {
                throw error(.invalidMetricName)
            }
            while pos < end, Self.isLabelNameByte(base[pos]) || base[pos] == UInt8(ascii: ":") { pos += 1 }
            return s..<pos
        }

        func error(_ reason: ExpositionError.Reason) -> ExpositionError {
            error(reason, at: pos)
        }

        func error(_ reason: ExpositionError.Reason, at offset: Int) -> ExpositionError {
            ExpositionError(reason, at: TextPosition(line: number, column: offset - start + 1))
        }
    }
}
