import AsyncHTTPClient
import NIOCore
import StrataIngest
import StrataStorage

/// Scrapes one Prometheus target into the TSDB as Prometheus' scrape loop
/// does (scrape/scrape.go): the samples with the target's labels, the report
/// series `up`, `scrape_duration_seconds`, `scrape_samples_scraped`,
/// `scrape_samples_post_metric_relabeling` and `scrape_series_added`, and a
/// staleness marker for every series that disappears — all of them when a
/// scrape fails. Owned by the target's task; keeps its buffers between scrapes.
struct PrometheusScrape: Sendable {
    let spec: TargetSpec
    let url: String
    let labeler: TargetLabeler
    /// Largest exposition accepted (Prometheus has no default limit; 64 MiB keeps memory bounded).
    static let maxBodyBytes = 64 << 20
    /// Prometheus 2.x asks for OpenMetrics first; Strata asks for the text
    /// format so that `_created` series are not multiplied (scrape_classic).
    static let accept = "text/plain;version=0.0.4;q=1,application/openmetrics-text;version=1.0.0;q=0.5,*/*;q=0.1"
    static let reportNames = ["up", "scrape_duration_seconds", "scrape_samples_scraped",
                              "scrape_samples_post_metric_relabeling", "scrape_series_added"]

    private var parsed = IngestBatch()
    private var staleness = StalenessTracker()

    init(spec: TargetSpec) {
        self.spec = spec
        url = spec.parsedURL?.string ?? spec.url
        labeler = TargetLabeler(spec.targetLabels)
    }

    mutating func check(client: HTTPClient, ingestor: Ingestor, now: Int64) async -> CheckOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        var failure: String?
        var samples = 0
        var out = IngestBatch()
        do throws(TargetFetch.Failure) {
            let timeoutSeconds = Double(spec.timeoutMs) / 1000
            let r = try await TargetFetch.get(url, client: client, timeoutMs: spec.timeoutMs, maxBytes: Self.maxBodyBytes, headers: [
                ("Accept", Self.accept), ("Accept-Encoding", "gzip"),
                ("X-Prometheus-Scrape-Timeout-Seconds", String(timeoutSeconds)),
            ])
            guard r.status == 200 else { throw TargetFetch.Failure(description: "server returned HTTP status \(r.status) \(r.reason)") }
            parsed.reset()
            var parser = ExpositionParser(options: .init(format: .init(contentType: r.contentType), defaultTimestampMs: now))
            let parseError: ExpositionError? = r.body.withUnsafeReadableBytes { raw in
                do throws(ExpositionError) {
                    try parser.parse(raw, into: &parsed)
                    return nil
                } catch {
                    return error
                }
            }
            if let parseError { throw TargetFetch.Failure(description: "parse error: \(parseError)") }
        } catch {
            failure = error.description
        }
        let duration = (clock.now - start)
        let seconds = Double(duration.totalNanoseconds) / 1e9
        var added = 0
        if failure == nil {
            samples = parsed.sampleCount
            // HELP/TYPE/UNIT, for /api/v1/metadata.
            for m in parsed.metadata { out.appendMetadata(m) }
            var current = Set<Labels>(minimumCapacity: parsed.series.count)
            for s in parsed.series {
                let labels = labeler.apply(s.labels)
                var explicitTimestamp = false
                for i in s.samples {
                    out.append(labels: labels, timestamp: parsed.timestamps[i], value: parsed.values[i])
                    if parsed.timestamps[i] != now { explicitTimestamp = true }
                }
                // Series with their own timestamps are not marked stale (Prometheus does the same).
                if !explicitTimestamp { current.insert(labels) }
            }
            added = current.subtracting(staleness.previous).count
            for gone in staleness.update(current) { out.append(labels: gone, timestamp: now, value: staleMarker) }
        } else {
            for gone in staleness.clear() { out.append(labels: gone, timestamp: now, value: staleMarker) }
        }
        let report: [Double] = [failure == nil ? 1 : 0, seconds, Double(samples), Double(samples), Double(added)]
        for (name, v) in zip(Self.reportNames, report) { out.append(labels: labeler.report(name), timestamp: now, value: v) }
        var warning: String?
        do {
            let o = try await ingestor.ingest(out, protocol: "scrape", now: now)
            if o.refused > 0 {
                warning = "\(o.refused) sample(s) refused: " + o.messages.prefix(3).joined(separator: "; ")
            }
        } catch {
            if failure == nil { failure = "storing the scrape: \(error.message)" }
        }
        return CheckOutcome(success: failure == nil, timestamp: now, durationSeconds: seconds, error: failure,
                            warning: warning, samples: failure == nil ? samples : 0, httpStatus: nil)
    }

    /// Marks every series of the target stale (it was removed or changed).
    mutating func markAllStale(ingestor: Ingestor, now: Int64) async {
        var out = IngestBatch()
        for gone in staleness.clear() { out.append(labels: gone, timestamp: now, value: staleMarker) }
        for name in Self.reportNames { out.append(labels: labeler.report(name), timestamp: now, value: staleMarker) }
        _ = try? await ingestor.ingest(out, protocol: "scrape", now: now)
    }
}
