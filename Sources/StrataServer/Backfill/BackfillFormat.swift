/// File formats `strata import` and `POST /api/v1/admin/tsdb/import` read (issue #5).
public enum BackfillFormat: String, Sendable, CaseIterable {
    /// OpenMetrics text with timestamps (float seconds), `# EOF` at the end.
    case openMetrics = "openmetrics"
    /// Prometheus text exposition 0.0.4 with timestamps (milliseconds).
    case prometheusText = "text"
    /// CSV with a header line (`CSVImportParser`).
    case csv
    /// The JSON of `POST /api/v1/import` (issue #3).
    case json

    /// From a file name's extension: `.csv`, `.json`, `.prom`/`.txt` (Prometheus text), else OpenMetrics.
    public init(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { self = .csv }
        else if lower.hasSuffix(".json") || lower.hasSuffix(".jsonl") { self = .json }
        else if lower.hasSuffix(".prom") || lower.hasSuffix(".txt") { self = .prometheusText }
        else { self = .openMetrics }
    }
}
