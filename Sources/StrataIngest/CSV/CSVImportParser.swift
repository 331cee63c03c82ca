import StrataStorage

/// CSV for backfill (`strata import`, issue #5), RFC 4180 fields:
///
/// ```
/// __name__,instance,job,timestamp,value
/// node_load1,host-00:9100,node,1700000000000,0.42
/// "node_load1","host-01:9100",node,1700000000000,1.5e0
/// ```
///
/// The first line names the columns: `timestamp` (integer Unix
/// milliseconds), `value` (a float as Prometheus writes it: `NaN`, `+Inf`
/// allowed), `__name__` (or `metric`) for the metric name, and any other
/// column is a label (an empty field: no such label on that row). Fields
/// may be double-quoted (`""` inside quotes is a quote); lines end in LF or
/// CRLF; empty lines are skipped. Each row is one sample. Consecutive rows
/// with the same label fields (byte for byte) become one batch series, so
/// a file written series by series costs one label set per series, not
/// per row; the importer groups the rest. On error the batch is restored.
public struct CSVImportParser: Sendable {
    public init() {}

    public func parse(_ bytes: [UInt8], into batch: inout IngestBatch) throws(CSVImportError) {
        let r = bytes.withUnsafeBytes { raw in Result { () throws(CSVImportError) in try parse(raw, into: &batch) } }
        try r.get()
    }

    public func parse(_ bytes: UnsafeRawBufferPointer, into batch: inout IngestBatch) throws(CSVImportError) {
        let mark = batch.mark
        do throws(CSVImportError) {
            try parseRows(bytes, into: &batch)
        } catch {
            batch.rollback(to: mark)
            throw error
        }
    }

    private func parseRows(_ b: UnsafeRawBufferPointer, into batch: inout IngestBatch) throws(CSVImportError) {
        var i = 0
        var fields: [Range<Int>] = []
        var quoted: [Bool] = []
        var scratch: [UInt8] = []
        func position(_ offset: Int) -> TextPosition { TextPosition(of: offset, in: b) }

        // Header.
        var header: [String] = []
        while header.isEmpty {
            guard i < b.count else { throw CSVImportError(.missingHeader, position(i)) }
            let start = i
            i = try readRow(b, from: i, &fields, &quoted)
            if fields.count == 1 && fields[0].isEmpty { continue }
            for (k, f) in fields.enumerated() {
                let name = text(b, f, quoted[k], &scratch)
                guard !header.contains(name) else { throw CSVImportError(.duplicateColumn(name), position(start)) }
                header.append(name)
            }
        }
        guard let tCol = header.firstIndex(of: "timestamp") else { throw CSVImportError(.missingColumn("timestamp"), position(0)) }
        guard let vCol = header.firstIndex(of: "value") else { throw CSVImportError(.missingColumn("value"), position(0)) }
        guard let nCol = header.firstIndex(of: "__name__") ?? header.firstIndex(of: "metric") else {
            throw CSVImportError(.missingColumn("__name__"), position(0))
        }
        var labelCols: [(Int, String)] = []
        for (k, name) in header.enumerated() where k != tCol && k != vCol && k != nCol {
            guard Self.validLabelName(name) else { throw CSVImportError(.invalidColumnName(name), position(0)) }
            labelCols.append((k, name))
        }
        labelCols.sort { $0.1 < $1.1 }

        // Rows: a run of rows with the same label fields is one series; its
        // key is the fields' raw bytes, so a row of a run allocates nothing.
        let keyCols = [nCol] + labelCols.map(\.0)
        var key: [UInt8] = [], runKey: [UInt8] = []
        var labels = Labels()
        var runStart = -1
        var values: [String] = []
        while i < b.count {
            let start = i
            i = try readRow(b, from: i, &fields, &quoted)
            if fields.count == 1 && fields[0].isEmpty { continue }
            guard fields.count == header.count else {
                throw CSVImportError(.fieldCount(expected: header.count, found: fields.count), position(start))
            }
            guard let t = parseInt64(b, fields[tCol].lowerBound, fields[tCol].upperBound) else {
                throw CSVImportError(.invalidTimestamp, position(fields[tCol].lowerBound))
            }
            guard let v = parsePrometheusFloat(b, fields[vCol].lowerBound, fields[vCol].upperBound) else {
                throw CSVImportError(.invalidValue, position(fields[vCol].lowerBound))
            }
            key.removeAll(keepingCapacity: true)
            for k in keyCols {
                key.append(quoted[k] ? 1 : 0)
                key.append(contentsOf: UnsafeRawBufferPointer(rebasing: b[fields[k]]))
                key.append(0xFF)   // never in UTF-8 text
            }
            if runStart < 0 || key != runKey {
                if runStart >= 0 { batch.commitSeries(labels: labels, samplesFrom: runStart, labelsSorted: true) }
                values.removeAll(keepingCapacity: true)
                values.append(text(b, fields[nCol], quoted[nCol], &scratch))
                for (k, _) in labelCols { values.append(text(b, fields[k], quoted[k], &scratch)) }
                guard !values[0].isEmpty else { throw CSVImportError(.emptyMetricName, position(fields[nCol].lowerBound)) }
                var pairs: [Label] = [Label(metricNameLabel, values[0])]
                for (j, (_, name)) in labelCols.enumerated() where !values[j + 1].isEmpty { pairs.append(Label(name, values[j + 1])) }
                labels = Labels(sorting: pairs)
                swap(&key, &runKey)
                runStart = batch.sampleCount
            }
            batch.appendSample(t, v)
        }
        if runStart >= 0 { batch.commitSeries(labels: labels, samplesFrom: runStart, labelsSorted: true) }
    }

    /// Reads one row's fields (byte ranges; quoted fields without their
    /// quotes) from `i`; returns the offset after the row's line end.
    private func readRow(_ b: UnsafeRawBufferPointer, from start: Int, _ fields: inout [Range<Int>], _ quoted: inout [Bool]) throws(CSVImportError) -> Int {
        fields.removeAll(keepingCapacity: true)
        quoted.removeAll(keepingCapacity: true)
        var i = start
        let n = b.count
        while true {
            if i < n && b[i] == UInt8(ascii: "\"") {
                let open = i
                i += 1
                let s = i
                while true {
                    guard i < n else { throw CSVImportError(.unterminatedQuote, TextPosition(of: open, in: b)) }
                    if b[i] == UInt8(ascii: "\"") {
                        if i + 1 < n && b[i + 1] == UInt8(ascii: "\"") { i += 2; continue }
                        break
                    }
                    i += 1
                }
                fields.append(s..<i)
                quoted.append(true)
                i += 1
            } else {
                let s = i
                while i < n && b[i] != UInt8(ascii: ",") && b[i] != UInt8(ascii: "\n") { i += 1 }
                var e = i
                if e > s && b[e - 1] == UInt8(ascii: "\r") { e -= 1 }
                fields.append(s..<e)
                quoted.append(false)
            }
            if i < n && b[i] == UInt8(ascii: "\r") { i += 1 }
            if i >= n { return i }
            if b[i] == UInt8(ascii: "\n") { return i + 1 }
            if b[i] == UInt8(ascii: ",") { i += 1; continue }
            // Text after a closing quote: read it as part of an unquoted field's error.
            throw CSVImportError(.unterminatedQuote, TextPosition(of: i, in: b))
        }
    }

    private func text(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ quoted: Bool, _ scratch: inout [UInt8]) -> String {
        scratch.removeAll(keepingCapacity: true)
        var i = r.lowerBound
        while i < r.upperBound {
            scratch.append(b[i])
            // `""` inside a quoted field is one quote.
            if quoted && b[i] == UInt8(ascii: "\"") { i += 1 }
            i += 1
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    static func validLabelName(_ s: String) -> Bool {
        guard let f = s.utf8.first, f == UInt8(ascii: "_") || (f | 0x20) >= UInt8(ascii: "a") && (f | 0x20) <= UInt8(ascii: "z") else { return false }
        return s.utf8.allSatisfy { c in
            c == UInt8(ascii: "_") || (c | 0x20) >= UInt8(ascii: "a") && (c | 0x20) <= UInt8(ascii: "z") || (c >= 48 && c <= 57)
        }
    }
}
