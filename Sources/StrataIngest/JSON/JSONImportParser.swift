/// Parses the JSON import body (POST /api/v1/import). Accepted shapes:
///
///     {"series":[{"labels":{"__name__":"x","job":"a"},"samples":[[1700000000000,1.5],[1700000015000,"NaN"]]}]}
///
/// or a sequence of series objects separated by whitespace (JSON lines):
///
///     {"labels":{"__name__":"x"},"samples":[[1700000000000,1]]}
///     {"labels":{"__name__":"y"},"samples":[[1700000000000,2]]}
///
/// For convenience a top-level array of either kind of object is accepted,
/// and so is VictoriaMetrics' own import line shape
/// (`{"metric":{...},"values":[...],"timestamps":[...]}`).
///
/// - Timestamps are integer milliseconds (a JSON number; `1.7e12` is fine
///   when it is integral).
/// - Values are JSON numbers, or strings holding a number or one of `NaN`,
///   `+Inf`, `-Inf`, `Inf` (any case, as Go's ParseFloat reads them).
/// - Label values must be strings; keys may come in any order; unknown keys
///   are skipped. Labels are sorted; duplicates are kept for `validate()`.
/// - Bounds: the body size (`maxBytes`) and nesting depth (`maxDepth`).
///
/// Errors carry the byte offset and line:column. On error the batch is
/// restored to what it held before the call.
public struct JSONImportParser: Sendable {
    public struct Options: Sendable {
        /// Bodies larger than this are refused before parsing.
        public var maxBytes: Int
        /// Nesting limit. Unknown values are skipped recursively, so this
        /// also bounds stack use: keep it in the tens, not the thousands.
        public var maxDepth: Int

        public init(maxBytes: Int = 64 << 20, maxDepth: Int = 64) {
            self.maxBytes = maxBytes
            self.maxDepth = maxDepth
        }
    }

    public var options: Options
    var labelScratch: [Label] = []

    public init(options: Options = Options()) {
        self.options = options
    }

    public mutating func parse(_ bytes: UnsafeRawBufferPointer, into batch: inout IngestBatch) throws(JSONImportError) {
        var s = JSONScanner(bytes)
        if bytes.count > options.maxBytes {
            throw JSONImportError(.tooLarge(bytes: bytes.count, limit: options.maxBytes), offset: 0, position: TextPosition(line: 1, column: 1))
        }
        let mark = batch.mark
        do throws(JSONImportError) {
            while let c = s.peek() {
                if c == UInt8(ascii: "[") {
                    if try s.openContainer(UInt8(ascii: "["), close: UInt8(ascii: "]")) {
                        repeat {
                            try parseObject(&s, depth: 1, allowSeriesKey: true, into: &batch)
                        } while try s.nextElement(close: UInt8(ascii: "]"))
                    }
                } else {
                    try parseObject(&s, depth: 0, allowSeriesKey: true, into: &batch)
                }
            }
        } catch {
            batch.rollback(to: mark)
            throw error
        }
    }

    public mutating func parse(_ bytes: [UInt8], into batch: inout IngestBatch) throws(JSONImportError) {
        let r = bytes.withUnsafeBytes { raw in
            Result { () throws(JSONImportError) in try parse(raw, into: &batch) }
        }
        try r.get()
    }

    /// One object: a `{"series":[...]}` container, or a series.
    mutating func parseObject(_ s: inout JSONScanner, depth: Int, allowSeriesKey: Bool, into batch: inout IngestBatch) throws(JSONImportError) {
        guard s.peek() == UInt8(ascii: "{") else {
            throw s.error(s.peek() == nil ? .unexpectedEnd : .expectedObject)
        }
        let objectStart = s.pos
        guard depth + 1 <= options.maxDepth else { throw s.error(.tooDeep(limit: options.maxDepth)) }
        let sampleStart = batch.sampleCount
        var labels: [Label]? = nil
        var sawSeries = false
        var sawPairs = false
        var sawColumns = false
        if try s.openContainer(UInt8(ascii: "{"), close: UInt8(ascii: "}")) {
            repeat {
                let keyAt = s.pos
                let key = try s.scanString()
                try s.expect(UInt8(ascii: ":"))
                if allowSeriesKey && s.equals(key, "series") {
                    sawSeries = true
                    if try openArray(&s) {
                        repeat {
                            try parseObject(&s, depth: depth + 2, allowSeriesKey: false, into: &batch)
                        } while try s.nextElement(close: UInt8(ascii: "]"))
                    }
                } else if s.equals(key, "labels") || s.equals(key, "metric") {
                    labels = try parseLabels(&s)
                } else if s.equals(key, "samples") {
                    if sawColumns { throw s.error(.mixedSampleForms, at: keyAt) }
                    sawPairs = true
                    try parseSamples(&s, into: &batch)
                } else if s.equals(key, "values") {
                    if sawPairs { throw s.error(.mixedSampleForms, at: keyAt) }
                    sawColumns = true
                    if try openArray(&s) {
                        repeat {
                            batch.appendValue(try parseValue(&s))
                        } while try s.nextElement(close: UInt8(ascii: "]"))
                    }
                } else if s.equals(key, "timestamps") {
                    if sawPairs { throw s.error(.mixedSampleForms, at: keyAt) }
                    sawColumns = true
                    if try openArray(&s) {
                        repeat {
                            batch.appendTimestamp(try parseTimestamp(&s))
                        } while try s.nextElement(close: UInt8(ascii: "]"))
                    }
                } else {
                    try s.skipValue(depth: depth + 1, limit: options.maxDepth)
                }
            } while try s.nextElement(close: UInt8(ascii: "}"))
        }
        let isSeries = labels != nil || sawPairs || sawColumns
        if sawSeries {
            if isSeries { throw s.error(.seriesWithSamples, at: objectStart) }
            return
        }
        guard isSeries else { throw s.error(.noSeries, at: objectStart) }
        guard let labels else { throw s.error(.missingLabels, at: objectStart) }
        if sawColumns {
            let nt = batch.timestamps.count - sampleStart, nv = batch.values.count - sampleStart
            if nt != nv { throw s.error(.lengthMismatch(timestamps: nt, values: nv), at: objectStart) }
        }
        batch.commitSeries(labels: Labels(sorting: labels), samplesFrom: sampleStart, labelsSorted: true)
    }

    mutating func openArray(_ s: inout JSONScanner) throws(JSONImportError) -> Bool {
        guard let c = s.peek() else { throw s.error(.unexpectedEnd) }
        guard c == UInt8(ascii: "[") else { throw s.error(.expectedArray) }
        return try s.openContainer(UInt8(ascii: "["), close: UInt8(ascii: "]"))
    }

    /// `{"name":"value",...}` → labels (unsorted, duplicates kept).
    mutating func parseLabels(_ s: inout JSONScanner) throws(JSONImportError) -> [Label] {
        guard let c = s.peek() else { throw s.error(.unexpectedEnd) }
        guard c == UInt8(ascii: "{") else { throw s.error(.expectedObject) }
        labelScratch.removeAll(keepingCapacity: true)
        if try s.openContainer(UInt8(ascii: "{"), close: UInt8(ascii: "}")) {
            repeat {
                // Two statements: `s.string(try s.scanString())` would read
                // `s` (and its scratch) before the scan mutates it.
                let nameToken = try s.scanString()
                let name = try s.string(nameToken)
                try s.expect(UInt8(ascii: ":"))
                guard s.peek() == UInt8(ascii: "\"") else { throw s.error(.labelValueNotString) }
                let valueToken = try s.scanString()
                let value = try s.string(valueToken)
                labelScratch.append(Label(name, value))
            } while try s.nextElement(close: UInt8(ascii: "}"))
        }
        return Array(labelScratch)
    }

    /// `[[ts, value], ...]`
    mutating func parseSamples(_ s: inout JSONScanner, into batch: inout IngestBatch) throws(JSONImportError) {
        guard try openArray(&s) else { return }
        repeat {
            guard s.peek() == UInt8(ascii: "[") else { throw s.error(.sampleNotPair) }
            s.pos += 1
            let t = try parseTimestamp(&s)
            guard s.peek() == UInt8(ascii: ",") else { throw s.error(.sampleNotPair) }
            s.pos += 1
            let v = try parseValue(&s)
            guard s.peek() == UInt8(ascii: "]") else { throw s.error(.sampleNotPair) }
            s.pos += 1
            batch.appendSample(t, v)
        } while try s.nextElement(close: UInt8(ascii: "]"))
    }

    func parseTimestamp(_ s: inout JSONScanner) throws(JSONImportError) -> Int64 {
        guard let c = s.peek() else { throw s.error(.unexpectedEnd) }
        guard c == UInt8(ascii: "-") || isDigit(c) else { throw s.error(.invalidTimestamp) }
        let (r, isInteger) = try s.scanNumber()
        if isInteger, let t = parseInt64(s.base, r.lowerBound, r.upperBound) { return t }
        // 1.7e12 style: fine if integral and in range.
        guard let d = parseDecimalDouble(s.base, r.lowerBound, r.upperBound),
              d == d.rounded(), d >= -0x1p63, d < 0x1p63 else {
            throw s.error(.invalidTimestamp, at: r.lowerBound)
        }
        return Int64(d)
    }

    func parseValue(_ s: inout JSONScanner) throws(JSONImportError) -> Double {
        guard let c = s.peek() else { throw s.error(.unexpectedEnd) }
        if c == UInt8(ascii: "\"") {
            let at = s.pos
            let t = try s.scanString()
            let v: Double? = t.escaped
                ? s.scratch.withUnsafeBytes { parsePrometheusFloat($0, 0, $0.count) }
                : parsePrometheusFloat(s.base, t.range.lowerBound, t.range.upperBound)
            guard let v else { throw s.error(.invalidSampleValue, at: at) }
            return v
        }
        guard c == UInt8(ascii: "-") || isDigit(c) else { throw s.error(.invalidSampleValue) }
        let (r, _) = try s.scanNumber()
        guard let v = parseDecimalDouble(s.base, r.lowerBound, r.upperBound) else {
            throw s.error(.invalidNumber, at: r.lowerBound)
        }
        return v
    }
}
