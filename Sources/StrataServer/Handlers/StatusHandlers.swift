import Foundation
import Hummingbird
import StrataQuery
import StrataStorage

/// `/api/v1/status/{buildinfo,runtimeinfo,flags,config}`, `/api/v1/metadata`,
/// `/api/v1/query_exemplars`, `/api/v1/format_query`, `/api/v1/targets/metadata`.
struct StatusHandlers: Sendable {
    let db: Database
    let config: ServeConfig
    let metadata: MetadataStore
    let startTime: Date

    /// Strata's own version.
    static let version = "0.1.0"
    /// The Prometheus API level Strata implements. Grafana reads `version` from
    /// buildinfo to pick features, so it carries the Prometheus version whose
    /// API we match; `strataVersion` names ours.
    static let prometheusCompatibleVersion = "2.42.0"

    func register(on router: Router<StrataRequestContext>) {
        router.get("/api/v1/status/buildinfo") { _, _ in buildinfo() }
        router.get("/api/v1/status/runtimeinfo") { _, _ in runtimeinfo() }
        router.get("/api/v1/status/flags") { _, _ in flags() }
        router.get("/api/v1/status/config") { _, _ in
            APIResponse.success { w in w.raw("{\"yaml\":"); w.string(configYAML()); w.byte(UInt8(ascii: "}")) }
        }
        router.get("/api/v1/metadata") { req, _ in try metadataResponse(FormParameters(query: req.uri.query)) }
        router.get("/api/v1/query_exemplars") { req, _ in try await exemplars(req) }
        router.post("/api/v1/query_exemplars") { req, _ in try await exemplars(req) }
        router.get("/api/v1/format_query") { req, _ in try await format(req) }
        router.post("/api/v1/format_query") { req, _ in try await format(req) }
    }

    func buildinfo() -> Response {
        APIResponse.success { w in
            w.raw("{\"version\":")
            w.string(Self.prometheusCompatibleVersion)
            w.raw(",\"strataVersion\":")
            w.string(Self.version)
            w.raw(",\"revision\":\"\",\"branch\":\"\",\"buildUser\":\"\",\"buildDate\":\"\",\"goVersion\":\"swift\"}")
        }
    }

    func runtimeinfo() -> Response {
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return APIResponse.success { w in
            w.raw("{\"startTime\":")
            w.string(iso.string(from: startTime))
            w.raw(",\"CWD\":")
            w.string(FileManager.default.currentDirectoryPath)
            w.raw(",\"reloadConfigSuccess\":true,\"lastConfigTime\":")
            w.string(iso.string(from: startTime))
            w.raw(",\"corruptionCount\":")
            w.int(db.replayStats.wal.corruptions.count + db.quarantined.count)
            w.raw(",\"goroutineCount\":0,\"GOMAXPROCS\":")
            w.int(ProcessInfo.processInfo.activeProcessorCount)
            w.raw(",\"GOGC\":\"\",\"GODEBUG\":\"\",\"storageRetention\":")
            // Prometheus: "15d or 20GiB" when a size bound is set.
            w.string(Self.formatDuration(config.retention) + (config.retentionBytes > 0 ? " or \(config.retentionBytes)B" : ""))
            w.byte(UInt8(ascii: "}"))
        }
    }

    func flagValues() -> [(String, String)] {
        [
            ("data-dir", config.dataDir),
            ("listen", config.listen),
            ("retention", Self.formatDuration(config.retention)),
            ("retention-size", String(config.retentionBytes)),
            ("rollup-retention.5m", Self.formatDuration(config.rollupRetention5m)),
            ("rollup-retention.1h", Self.formatDuration(config.rollupRetention1h)),
            ("rollup-after.5m", config.rollupAfter5m.map(Self.formatDuration) ?? "retention minus the largest block span"),
            ("rollup-after.1h", Self.formatDuration(config.rollupAfter1h)),
            ("compaction-interval", Self.formatDuration(config.compactionInterval)),
            ("wal-fsync", { if case .always = config.walFsync { return "always" } else { return "interval" } }()),
            ("limits.max-body-bytes", String(config.limits.maxBodyBytes)),
            ("limits.max-decoded-bytes", String(config.limits.maxDecodedBytes)),
            ("limits.max-series", String(config.limits.maxSeries)),
            // Prometheus' own names for the PromQL limits.
            ("query.lookback-delta", Self.formatDuration(config.query.lookbackDeltaMs)),
            ("query.max-concurrency", String(config.query.maxConcurrency)),
            ("query.max-samples", String(config.query.maxSamples)),
            ("query.timeout", Self.formatDuration(config.query.timeoutMs)),
        ]
    }

    func flags() -> Response {
        APIResponse.success { w in
            w.byte(UInt8(ascii: "{"))
            for (i, (k, v)) in flagValues().enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(k)
                w.byte(UInt8(ascii: ":"))
                w.string(v)
            }
            w.byte(UInt8(ascii: "}"))
        }
    }

    func configYAML() -> String {
        var out = ""
        if !config.externalLabels.isEmpty {
            // Prometheus' place for them; values quoted as Go's %q, which is
            // also a YAML double-quoted scalar.
            out += "global:\n  external_labels:\n"
            for l in config.externalLabels { out += "    \(l.name): \(GoNumberFormat.quote(l.value))\n" }
        }
        return out + flagValues().map { "\($0.0): \($0.1)" }.joined(separator: "\n") + "\n"
    }

    static func formatDuration(_ ms: Int64) -> String {
        if ms == 0 { return "0s" }   // Prometheus' model.Duration prints zero as 0s
        if ms % 86_400_000 == 0 { return "\(ms / 86_400_000)d" }
        if ms % 3_600_000 == 0 { return "\(ms / 3_600_000)h" }
        if ms % 60_000 == 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }

    func metadataResponse(_ p: FormParameters) throws(APIError) -> Response {
        var limit = -1
        if let s = p["limit"], !s.isEmpty {
            guard let n = Int(s) else { throw APIError(.badData, "limit must be a number") }
            limit = n
        }
        let perMetric = p["limit_per_metric"].flatMap(Int.init) ?? -1
        let metric = p["metric"]
        var all = metadata.snapshot()
        if let metric, !metric.isEmpty { all = all.filter { $0.key == metric } }
        let names = all.keys.sorted()
        return APIResponse.success { w in
            w.byte(UInt8(ascii: "{"))
            var n = 0
            for name in names {
                if limit >= 0 && n >= limit { break }
                if n > 0 { w.byte(UInt8(ascii: ",")) }
                n += 1
                w.string(name)
                w.raw(":[")
                for (i, e) in all[name]!.enumerated() {
                    if perMetric >= 0 && i >= perMetric { break }
                    if i > 0 { w.byte(UInt8(ascii: ",")) }
                    w.raw("{\"type\":")
                    w.string(e.type)
                    w.raw(",\"help\":")
                    w.string(e.help)
                    w.raw(",\"unit\":")
                    w.string(e.unit)
                    w.byte(UInt8(ascii: "}"))
                }
                w.byte(UInt8(ascii: "]"))
            }
            w.byte(UInt8(ascii: "}"))
        }
    }

    /// Strata does not store exemplars (remote-write exemplars are counted and
    /// dropped), so after validating the request like Prometheus the answer is
    /// always an empty list.
    func exemplars(_ request: Request) async throws -> Response {
        var req = request
        let p = try await FormParameters.from(&req)
        // 2.42's queryExemplars: start, end, their order, then the query,
        // whose parse error has no `invalid parameter` prefix.
        let start = try QueryHandlers.time(p, "start", default: TimeParameters.minTime)
        let end = try QueryHandlers.time(p, "end", default: TimeParameters.maxTime)
        if end < start { throw APIError(.badData, "end timestamp must not be before start timestamp") }
        _ = try QueryHandlers.parse(p["query"] ?? "", prefix: "")
        return APIResponse.success { w in w.raw("[]") }
    }

    func format(_ request: Request) async throws -> Response {
        var req = request
        let p = try await FormParameters.from(&req)
        // A missing query is the empty one (Go's FormValue).
        let q = p["query"] ?? ""
        do {
            let formatted = try formatPromQL(q)
            return APIResponse.success { w in w.string(formatted) }
        } catch {
            throw APIError(.badData, "invalid parameter \"query\": \(error)")
        }
    }
}
