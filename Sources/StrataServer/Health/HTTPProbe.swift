import AsyncHTTPClient
import StrataIngest
import StrataStorage

/// Probes an HTTP endpoint as the blackbox exporter's http prober does:
/// GET (following redirects), success when the final status is 2xx. Stores
/// `probe_success`, `probe_duration_seconds` and `probe_http_status_code`
/// (0 when no response arrived) with the target's labels.
struct HTTPProbe: Sendable {
    let spec: TargetSpec
    let url: String
    let labeler: TargetLabeler
    static let maxBodyBytes = 16 << 20
    static let seriesNames = ["probe_success", "probe_duration_seconds", "probe_http_status_code"]

    init(spec: TargetSpec) {
        self.spec = spec
        url = spec.parsedURL?.string ?? spec.url
        labeler = TargetLabeler(spec.targetLabels)
    }

    func check(client: HTTPClient, ingestor: Ingestor, now: Int64) async -> CheckOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        var status = 0
        var failure: String?
        do throws(TargetFetch.Failure) {
            let r = try await TargetFetch.get(url, client: client, timeoutMs: spec.timeoutMs, maxBytes: Self.maxBodyBytes, headers: [])
            status = r.status
            if !(200..<300).contains(r.status) { failure = "HTTP status \(r.status) \(r.reason)" }
        } catch {
            failure = error.description
        }
        let seconds = Double((clock.now - start).totalNanoseconds) / 1e9
        var out = IngestBatch()
        for (name, v) in zip(Self.seriesNames, [failure == nil ? 1 : 0, seconds, Double(status)]) {
            out.append(labels: labeler.report(name), timestamp: now, value: v)
        }
        var warning: String?
        do {
            let o = try await ingestor.ingest(out, protocol: "probe", now: now)
            if o.refused > 0 { warning = "\(o.refused) sample(s) refused: " + o.messages.prefix(3).joined(separator: "; ") }
        } catch {
            if failure == nil { failure = "storing the probe: \(error.message)" }
        }
        return CheckOutcome(success: failure == nil, timestamp: now, durationSeconds: seconds, error: failure,
                            warning: warning, samples: nil, httpStatus: status)
    }

    func markAllStale(ingestor: Ingestor, now: Int64) async {
        var out = IngestBatch()
        for name in Self.seriesNames { out.append(labels: labeler.report(name), timestamp: now, value: staleMarker) }
        _ = try? await ingestor.ingest(out, protocol: "probe", now: now)
    }
}
