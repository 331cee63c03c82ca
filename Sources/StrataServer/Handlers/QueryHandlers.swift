import Foundation
import Hummingbird
import StrataQuery
import StrataStorage

/// The Prometheus query API: `/api/v1/query`, `/api/v1/query_range`,
/// `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/{name}/values`.
struct QueryHandlers: Sendable {
    let db: Database
    let engine: QueryEngine
    let metrics: ServerMetrics
    let gate: QueryGate
    let options: QueryOptions

    func register(on router: Router<StrataRequestContext>) {
        router.get("/api/v1/query") { req, _ in try await instant(req) }
        router.post("/api/v1/query") { req, _ in try await instant(req) }
        router.get("/api/v1/query_range") { req, _ in try await range(req) }
        router.post("/api/v1/query_range") { req, _ in try await range(req) }
        router.get("/api/v1/series") { req, _ in try await series(req) }
        router.post("/api/v1/series") { req, _ in try await series(req) }
        router.get("/api/v1/labels") { req, _ in try await labels(req) }
        router.post("/api/v1/labels") { req, _ in try await labels(req) }
        router.get("/api/v1/label/{name}/values") { req, ctx in try await labelValues(req, name: ctx.parameters.get("name") ?? "") }
    }

    // MARK: parameters

    static func time(_ p: FormParameters, _ key: String, default def: Int64? = nil) throws(APIError) -> Int64 {
        guard let s = p[key], !s.isEmpty else {
            if let def { return def }
            throw APIError(.badData, "invalid parameter \"\(key)\": cannot parse \"\" to a valid timestamp")
        }
        guard let t = TimeParameters.parseTime(s) else {
            // 2.42's parseTimeParam (parameters with a default) wraps the error once more.
            let wrap = def == nil ? "" : "Invalid time value for '\(key)': "
            throw APIError(.badData, "invalid parameter \"\(key)\": \(wrap)cannot parse \"\(s)\" to a valid timestamp")
        }
        return t
    }

    static func parse(_ query: String?, prefix: String = "invalid parameter \"query\": ") throws(APIError) -> Expr {
        // A missing query is the empty one (Go's FormValue): "1:1: … no expression found".
        let q = query ?? ""
        do {
            return try parsePromQL(q)
        } catch {
            throw APIError(.badData, prefix + "\(error)")
        }
    }

    /// `prefixed`: 2.42 prefixes `invalid parameter "match[]": ` to these
    /// errors for /api/v1/series but not for the label endpoints.
    static func matchers(_ p: FormParameters, required: Bool, prefixed: Bool = false) throws(APIError) -> [[Matcher]] {
        let prefix = prefixed ? "invalid parameter \"match[]\": " : ""
        let raw = p.all("match[]")
        if raw.isEmpty && required { throw APIError(.badData, "no match[] parameter provided") }
        // 2.42's parseMatchersParam: parse every set, then require each set to
        // have a matcher that does not match the empty string.
        var out: [[Matcher]] = []
        for m in raw {
            do {
                out.append(try parsePromQLMetricSelector(m))
            } catch {
                throw APIError(.badData, prefix + "\(error)")
            }
        }
        for set in out where !set.contains(where: { !$0.matches("") }) {
            throw APIError(.badData, prefix + "match[] must contain at least one non-empty matcher")
        }
        return out
    }

    /// The query's limits: the server's (`QueryOptions`), with a shorter
    /// `timeout` if the request asks for one (Prometheus takes the smaller).
    func limitsFor(_ p: FormParameters) throws(APIError) -> QueryLimits {
        var requested: Int64? = nil
        if let t = p["timeout"], !t.isEmpty {
            guard let ms = TimeParameters.parseDuration(t), ms > 0 else {
                throw APIError(.badData, "invalid parameter \"timeout\": cannot parse \"\(t)\" to a valid duration")
            }
            requested = ms
        }
        return options.limits(requestedTimeoutMs: requested)
    }

    // MARK: handlers

    func instant(_ request: Request) async throws -> Response {
        var req = request
        let p = try await FormParameters.from(&req)
        // Prometheus 2.42's order of checks (api.go query): time, timeout, query.
        let t = try Self.time(p, "time", default: nowMillis())
        let limits = try limitsFor(p)
        // Issue #5: rollups answer where raw data has expired (auto, the default).
        let resolution = try QueryResolution.parse(p["resolution"])
        let expr = try Self.parse(p["query"])
        let db = self.db
        let value = try await evaluate(limits, inline: Self.evaluatesInline(expr)) { (l) throws(QueryError) in
            try QueryEngine(storage: db, limits: l).instantQuery(expr, at: t, resolution: resolution)
        }
        return Self.render(value)
    }

    func range(_ request: Request) async throws -> Response {
        var req = request
        let p = try await FormParameters.from(&req)
        // Prometheus 2.42's order of checks (api.go queryRange): start, end,
        // step, resolution, timeout, and only then the query.
        let start = try Self.time(p, "start")
        let end = try Self.time(p, "end")
        if end < start { throw APIError(.badData, "invalid parameter \"end\": end timestamp must not be before start time") }
        guard let stepStr = p["step"], !stepStr.isEmpty else {
            throw APIError(.badData, "invalid parameter \"step\": cannot parse \"\" to a valid duration")
        }
        guard let step = TimeParameters.parseDuration(stepStr) else {
            throw APIError(.badData, "invalid parameter \"step\": cannot parse \"\(stepStr)\" to a valid duration")
        }
        if step <= 0 {
            throw APIError(.badData, "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        if (end - start) / step > Int64(QueryLimits().maxPointsPerSeries) {
            metrics.limitHit("query_max_points_per_series")
            throw APIError(.badData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        let limits = try limitsFor(p)
        // Issue #5: raw | 5m | 1h | auto (default).
        let resolution = try QueryResolution.parse(p["resolution"])
        // Unlike /api/v1/query, 2.42 reports a range query's parse error without
        // the `invalid parameter "query": ` prefix.
        let expr = try Self.parse(p["query"], prefix: "")
        let db = self.db
        let value = try await evaluate(limits, inline: Self.evaluatesInline(expr)) { (l) throws(QueryError) in
            try QueryEngine(storage: db, limits: l).rangeQuery(expr, start: start, end: end, step: step, resolution: resolution)
        }
        return Self.render(value)
    }

    /// Whether `expr` is evaluated on the request's own task rather than on
    /// the query pool: plain selectors and literals. Their evaluation costs
    /// less than rendering their answer (a few ns to decode a sample, tens to
    /// write it as JSON), and rendering runs on this task anyway, so the hop
    /// to the pool and back — most of a single-series dashboard query's
    /// latency — buys nothing for them.
    static func evaluatesInline(_ expr: Expr) -> Bool {
        switch expr {
        case .vectorSelector, .matrixSelector, .number, .string: return true
        case .paren(let p): return evaluatesInline(p.expr)
        default: return false
        }
    }

    /// Evaluates once one of the concurrency slots is free, off the
    /// cooperative pool (queries are CPU-bound and may be long) unless
    /// `inline`; `body` gets `limits` with the timeout left after waiting
    /// for the slot.
    func evaluate(_ limits: QueryLimits, inline: Bool = false,
                  _ body: @escaping @Sendable (QueryLimits) throws(QueryError) -> QueryValue) async throws -> QueryValue {
        do {
            return try await gate.run(timeout: limits.timeout) { left in
                var adjusted = limits
                adjusted.timeout = left
                let l = adjusted
                if inline { return try body(l) }
                return try await offPool { () throws -> QueryValue in try body(l) }
            }
        } catch let e as QueryError {
            // Refusals by a limit are counted by reason (issue #7); the
            // evaluator names the sample limit only in its message.
            if e.kind == .timeout { metrics.limitHit("query_timeout") }
            if e.kind == .execution && e.message.contains("too many samples") { metrics.limitHit("query_max_samples") }
            let kind: APIError.Kind
            switch e.kind {
            case .badData: kind = .badData
            case .execution: kind = .execution
            case .timeout: kind = .timeout
            case .canceled: kind = .canceled
            }
            throw APIError(kind, e.message)
        }
    }

    static func render(_ value: QueryValue) -> Response {
        var capacity = 256
        if case .matrix(let m) = value { capacity += m.reduce(0) { $0 + 64 + $1.timestamps.count * 24 } }
        if case .vector(let v) = value { capacity += v.count * 96 }
        return APIResponse.success(capacity: capacity) { w in
            w.raw("{\"resultType\":")
            w.string(value.typeName)
            w.raw(",\"result\":")
            switch value {
            case .matrix(let series):
                w.byte(UInt8(ascii: "["))
                for (i, s) in series.enumerated() {
                    if i > 0 { w.byte(UInt8(ascii: ",")) }
                    w.raw("{\"metric\":")
                    w.labels(s.labels)
                    w.raw(",\"values\":[")
                    for k in 0..<s.timestamps.count {
                        if k > 0 { w.byte(UInt8(ascii: ",")) }
                        w.samplePair(s.timestamps[k], s.values[k])
                    }
                    w.raw("]}")
                }
                w.byte(UInt8(ascii: "]"))
            case .vector(let samples):
                w.byte(UInt8(ascii: "["))
                for (i, s) in samples.enumerated() {
                    if i > 0 { w.byte(UInt8(ascii: ",")) }
                    w.raw("{\"metric\":")
                    w.labels(s.labels)
                    w.raw(",\"value\":")
                    w.samplePair(s.timestamp, s.value)
                    w.byte(UInt8(ascii: "}"))
                }
                w.byte(UInt8(ascii: "]"))
            case .scalar(let t, let v):
                w.samplePair(t, v)
            case .string(let t, let s):
                w.byte(UInt8(ascii: "["))
                PromNumber.appendTimestamp(t, to: &w.bytes)
                w.byte(UInt8(ascii: ","))
                w.string(s)
                w.byte(UInt8(ascii: "]"))
            }
            w.byte(UInt8(ascii: "}"))
        }
    }

    func series(_ request: Request) async throws -> Response {
        var req = request
        let p = try await FormParameters.from(&req)
        let sets = try Self.matchers(p, required: true, prefixed: true)
        let start = try Self.time(p, "start", default: TimeParameters.minTime)
        let end = try Self.time(p, "end", default: TimeParameters.maxTime)
        let q = db.querier(mint: start, maxt: end)
        var all = Set<Labels>()
        for m in sets { all.formUnion(q.series(m)) }
        let sorted = all.sorted()
        return APIResponse.success(capacity: 64 + sorted.count * 96) { w in
            w.byte(UInt8(ascii: "["))
            for (i, l) in sorted.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.labels(l)
            }
            w.byte(UInt8(ascii: "]"))
        }
    }

    func labels(_ request: Request) async throws -> Response {
        var req = request
        let p = try await FormParameters.from(&req)
        let sets = try Self.matchers(p, required: false)
        let start = try Self.time(p, "start", default: TimeParameters.minTime)
        let end = try Self.time(p, "end", default: TimeParameters.maxTime)
        let q = db.querier(mint: start, maxt: end)
        var names = Set<String>()
        if sets.isEmpty { names.formUnion(q.labelNames()) } else { for m in sets { names.formUnion(q.labelNames(m)) } }
        return Self.stringList(names)
    }

    func labelValues(_ request: Request, name: String) async throws -> Response {
        var req = request
        let p = try await FormParameters.from(&req)
        guard Labels.isValidLabelName(name) || name == metricNameLabel else {
            throw APIError(.badData, "invalid label name: \"\(name)\"")
        }
        let sets = try Self.matchers(p, required: false)
        let start = try Self.time(p, "start", default: TimeParameters.minTime)
        let end = try Self.time(p, "end", default: TimeParameters.maxTime)
        let q = db.querier(mint: start, maxt: end)
        var values = Set<String>()
        if sets.isEmpty { values.formUnion(q.labelValues(name)) } else { for m in sets { values.formUnion(q.labelValues(name, m)) } }
        return Self.stringList(values)
    }

    static func stringList(_ set: Set<String>) -> Response {
        let sorted = set.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return APIResponse.success(capacity: 64 + sorted.count * 32) { w in
            w.byte(UInt8(ascii: "["))
            for (i, s) in sorted.enumerated() {
                if i > 0 { w.byte(UInt8(ascii: ",")) }
                w.string(s)
            }
            w.byte(UInt8(ascii: "]"))
        }
    }
}
