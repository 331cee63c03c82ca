import StrataEvents
import StrataStorage

/// JSON shapes of the health API and `health_update` messages.
enum HealthJSON {
    /// One target's status (`GET /api/v1/health`, `health_update`).
    static func writeTarget(_ spec: TargetSpec, _ st: TargetStatus, to w: inout JSONWriter) {
        w.raw("{\"id\":")
        w.string(spec.id)
        w.raw(",\"name\":")
        w.string(spec.name)
        w.raw(",\"kind\":")
        w.string(spec.kind.rawValue)
        w.raw(",\"url\":")
        w.string(spec.url)
        w.raw(",\"source\":")
        w.string(spec.source.rawValue)
        w.raw(",\"labels\":")
        w.labels(spec.targetLabels)
        w.raw(",\"status\":")
        w.string(st.state.rawValue)
        w.raw(",\"lastError\":")
        optionalString(st.lastError, &w)
        w.raw(",\"lastWarning\":")
        optionalString(st.lastWarning, &w)
        w.raw(",\"lastCheck\":")
        optionalString(st.lastCheck.map(RFC3339.format), &w)
        w.raw(",\"lastResponseTimeSeconds\":")
        optionalNumber(st.lastResponseTimeSeconds, &w)
        w.raw(",\"uptime24h\":")
        optionalNumber(st.uptime24h, &w)
        w.raw(",\"consecutiveFailures\":")
        w.int(st.consecutiveFailures)
        w.raw(",\"checks\":")
        w.int(st.checks)
        w.raw(",\"interval\":")
        w.string(PromDurationText.format(spec.intervalMs))
        w.raw(",\"timeout\":")
        w.string(PromDurationText.format(spec.timeoutMs))
        if spec.kind == .prometheus {
            w.raw(",\"samplesScraped\":")
            if let n = st.samples { w.int(n) } else { w.raw("null") }
        } else {
            w.raw(",\"httpStatus\":")
            if let n = st.httpStatus { w.int(n) } else { w.raw("null") }
        }
        w.byte(UInt8(ascii: "}"))
    }

    /// `"status":worst,"summary":{…},"targets":[…]` (no braces).
    static func writeSummary(_ entries: [HealthMonitor.Entry], to w: inout JSONWriter) {
        var counts: [HealthState: Int] = [:]
        var worst = HealthState.healthy
        for e in entries {
            counts[e.status.state, default: 0] += 1
            if e.status.state.severity > worst.severity { worst = e.status.state }
        }
        if entries.isEmpty { worst = .unknown }
        w.raw("\"status\":")
        w.string(worst.rawValue)
        w.raw(",\"summary\":{")
        for (i, s) in [HealthState.healthy, .degraded, .down, .unknown].enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(s.rawValue)
            w.byte(UInt8(ascii: ":"))
            w.int(counts[s] ?? 0)
        }
        w.raw("},\"targets\":[")
        for (i, e) in entries.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            writeTarget(e.spec, e.status, to: &w)
        }
        w.byte(UInt8(ascii: "]"))
    }

    /// One entry of `GET /api/v1/targets`: Prometheus' `activeTargets` shape
    /// (so tools that read it keep working) plus Strata's definition fields.
    static func writeActiveTarget(_ spec: TargetSpec, _ st: TargetStatus, to w: inout JSONWriter) {
        let u = spec.parsedURL
        w.raw("{\"discoveredLabels\":{\"__address__\":")
        w.string(u?.hostPort ?? spec.url)
        w.raw(",\"__metrics_path__\":")
        w.string(u?.pathAndQuery ?? "/")
        w.raw(",\"__scheme__\":")
        w.string(u?.scheme ?? "http")
        w.raw(",\"job\":")
        w.string(spec.job)
        w.raw("},\"labels\":")
        w.labels(spec.targetLabels)
        w.raw(",\"scrapePool\":")
        w.string(spec.job)
        w.raw(",\"scrapeUrl\":")
        w.string(spec.url)
        w.raw(",\"globalUrl\":")
        w.string(spec.url)
        w.raw(",\"lastError\":")
        w.string(st.lastError ?? "")
        w.raw(",\"lastScrape\":")
        w.string(st.lastCheck.map(RFC3339.format) ?? "0001-01-01T00:00:00Z")
        w.raw(",\"lastScrapeDuration\":")
        w.number(st.lastResponseTimeSeconds ?? 0)
        w.raw(",\"health\":")
        switch st.state {
        case .unknown: w.string("unknown")
        case .down: w.string("down")
        case .healthy, .degraded: w.string("up")
        }
        w.raw(",\"scrapeInterval\":")
        w.string(PromDurationText.format(spec.intervalMs))
        w.raw(",\"scrapeTimeout\":")
        w.string(PromDurationText.format(spec.timeoutMs))
        w.raw(",\"id\":")
        w.string(spec.id)
        w.raw(",\"name\":")
        w.string(spec.name)
        w.raw(",\"url\":")
        w.string(spec.url)
        w.raw(",\"kind\":")
        w.string(spec.kind.rawValue)
        w.raw(",\"interval\":")
        w.string(PromDurationText.format(spec.intervalMs))
        w.raw(",\"timeout\":")
        w.string(PromDurationText.format(spec.timeoutMs))
        w.raw(",\"source\":")
        w.string(spec.source.rawValue)
        w.raw(",\"status\":")
        w.string(st.state.rawValue)
        w.raw(",\"uptime24h\":")
        optionalNumber(st.uptime24h, &w)
        w.byte(UInt8(ascii: "}"))
    }

    static func optionalString(_ s: String?, _ w: inout JSONWriter) {
        if let s { w.string(s) } else { w.raw("null") }
    }

    static func optionalNumber(_ d: Double?, _ w: inout JSONWriter) {
        if let d, d.isFinite { w.number(d) } else { w.raw("null") }
    }
}
