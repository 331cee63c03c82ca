import StrataCodec
import StrataIngest
import StrataStorage

/// Turns a decoded `IngestBatch` into a head commit, applying the server's
/// limits, and reports what was refused in Prometheus' words.
///
/// Semantics follow Prometheus' remote-write receiver: valid samples are
/// stored even when others in the same request are refused; refusals make
/// the answer a 400 (the sender must not retry), naming the series.
struct Ingestor: Sendable {
    let db: Database
    let metrics: ServerMetrics
    let metadata: MetadataStore
    let limits: ServeConfig.Limits
    /// Told after each commit that stored something (realtime subscriptions, issue #8).
    /// A non-blocking signal: ingestion never waits for subscribers.
    var commits: CommitSignal? = nil
    /// Told after each commit so alert rules can evaluate early (issue #9).
    var alertCommits: CommitSignal? = nil

    struct Outcome: Sendable {
        var appended = 0
        var duplicates = 0
        var refused = 0
        /// The first few refusals, for the error message.
        var messages: [String] = []
    }

    static let maxMessages = 10

    /// The `/metrics` name of the label limit an error hit (issue #7), nil
    /// when the labels are malformed rather than over a limit.
    static func limitName(_ e: LabelError) -> String? {
        switch e {
        case .tooManyLabels: return "max_labels_per_series"
        case .nameTooLong: return "max_label_name_length"
        case .valueTooLong: return "max_label_value_length"
        default: return nil
        }
    }

    /// The answer when the WAL could not take a record: nothing of it is
    /// acknowledged (issue #7: data not in the WAL never gets a 2xx). A full
    /// disk is 507 Insufficient Storage, any other I/O error 503; both are
    /// 5xx, which remote-write senders retry. Counted in
    /// `strata_wal_write_errors_total{reason}`.
    func walFailure(_ e: IOError, stored: String) -> APIError {
        metrics.walWriteError(reason: e.isNoSpace ? "no_space" : "io")
        if e.isNoSpace {
            return APIError(.unavailable, "write-ahead log: no space left on device, \(stored); retry once space is freed (\(e))",
                            status: .init(code: 507, reasonPhrase: "Insufficient Storage"))
        }
        return APIError(.unavailable, "write-ahead log unavailable, \(stored): \(e)")
    }

    func ingest(_ batch: IngestBatch, protocol proto: String, now: Int64) async throws(APIError) -> Outcome {
        var out = Outcome()
        metadata.record(batch.metadata)
        guard batch.sampleCount > 0 else { return out }
        var app = db.appender()
        app.reserveCapacity(batch.sampleCount)
        // Which batch series each appended sample came from, to name series in refusals.
        var seriesOfRun: [Int] = []
        var runStarts: [Int] = []
        let futureLimit = now + limits.maxFutureMs
        var oldest = Int64.max  // for realtime subscriptions: how far back this commit changes data

        func refuse(_ n: Int, _ reason: String, _ message: @autoclosure () -> String) {
            out.refused += n
            metrics.rejected(n, reason: reason)
            if out.messages.count < Self.maxMessages { out.messages.append(message()) }
        }

        for (si, s) in batch.series.enumerated() {
            let n = s.samples.count
            if n == 0 { continue }
            if !s.labelsSorted {
                refuse(n, "invalid_labels", "labels are not sorted for series \(s.labels)")
                continue
            }
            let handle: SeriesHandle
            do throws(SeriesError) {
                handle = try s.headSeries(in: db.head)
            } catch {
                switch error {
                case .invalidLabels(let e, let l):
                    if let limit = Self.limitName(e) { metrics.limitHit(limit) }
                    refuse(n, "invalid_labels", "\(e) for series \(l)")
                case .seriesLimit(let max):
                    metrics.limitHit("max_series")
                    refuse(n, "series_limit", "series limit of \(max) active series reached, refusing new series \(s.labels)")
                case .io(let e): throw walFailure(e, stored: "nothing of this request was stored")
                case .unknownRef: refuse(n, "invalid_labels", "unknown series \(s.labels)")
                }
                continue
            }
            runStarts.append(app.count)
            seriesOfRun.append(si)
            for i in s.samples {
                let t = batch.timestamps[i]
                if t > futureLimit {
                    refuse(1, "too_far_in_future", "sample for series \(s.labels) at \(t) is more than \(limits.maxFutureMs / 1000)s in the future")
                    continue
                }
                if t < oldest { oldest = t }
                app.append(handle, t, batch.values[i])
            }
        }
        let result: CommitResult
        do {
            result = try await app.commit()
        } catch let e as IOError {
            throw walFailure(e, stored: "nothing of this request was stored")
        } catch {
            throw APIError(.internalError, "commit failed: \(error)")
        }
        out.appended = result.appended
        if result.appended > 0 {
            commits?.signal(oldestTimestamp: oldest)
            alertCommits?.signal(oldestTimestamp: oldest)
        }
        out.duplicates = result.duplicates
        metrics.ingested(result.appended + result.duplicates, protocol: proto)
        for r in result.rejected {
            // Find the batch series of appended sample r.index.
            var lo = 0, hi = runStarts.count
            while lo + 1 < hi {
                let mid = (lo + hi) / 2
                if runStarts[mid] <= r.index { lo = mid } else { hi = mid }
            }
            let labels = batch.series[seriesOfRun[lo]].labels
            switch r.rejection {
            case .outOfOrder:
                refuse(1, "out_of_order", "out of order sample for series \(labels) at \(r.timestamp): \(r.rejection)")
            case .duplicateTimestamp:
                refuse(1, "duplicate", "duplicate sample for timestamp \(r.timestamp) with a different value for series \(labels)")
            case .outOfBounds(let minValid):
                refuse(1, "out_of_bounds", "out of bounds sample for series \(labels) at \(r.timestamp): older than \(minValid), already persisted")
            }
        }
        return out
    }
}
