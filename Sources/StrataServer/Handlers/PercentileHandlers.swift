import Hummingbird
import StrataQuery
import StrataStorage

/// `GET|POST /api/v1/percentiles?match[]=…&q=0.5,0.95&start=&end=&step=[&by=instance][&resolution=]`
/// (issue #5): quantiles per step of the values of the matching series,
/// merged from the rollups' quantile sketches where they cover a step
/// (raw samples elsewhere), within 1 % relative error. Answers a matrix,
/// one series per group and quantile, labelled with the group's labels
/// (`by`, else each series' labels without `__name__`) and `quantile`.
struct PercentileHandlers: Sendable {
    let db: Database
    let gate: QueryGate
    /// The query timeout (`query.timeout`), which also bounds the wait for a slot.
    let timeout: Duration

    func register(on router: Router<StrataRequestContext>) {
        router.get("/api/v1/percentiles") { req, _ in try await percentiles(req) }
        router.post("/api/v1/percentiles") { req, _ in try await percentiles(req) }
    }

    func percentiles(_ request: Request) async throws -> Response {
        var req = request
        let p = try await FormParameters.from(&req)
        let sets = try QueryHandlers.matchers(p, required: true)
        guard sets.count == 1 else { throw APIError(.badData, "exactly one match[] parameter is accepted") }
        var quantiles: [Double] = []
        for part in (p["q"] ?? "0.5,0.95").split(separator: ",") {
            guard let q = Double(part.trimmingCharacters(in: .whitespaces)), q >= 0, q <= 1 else {
                throw APIError(.badData, "invalid parameter \"q\": \"\(part)\" is not a quantile in [0, 1]")
            }
            quantiles.append(q)
        }
        guard !quantiles.isEmpty else { throw APIError(.badData, "invalid parameter \"q\": no quantile") }
        let start = try QueryHandlers.time(p, "start")
        let end = try QueryHandlers.time(p, "end")
        if end < start { throw APIError(.badData, "invalid parameter \"end\": end timestamp must not be before start time") }
        guard let stepStr = p["step"], let step = TimeParameters.parseDuration(stepStr), step > 0 else {
            throw APIError(.badData, "invalid parameter \"step\": cannot parse \"\(p["step"] ?? "")\" to a positive duration")
        }
        let by = p["by"].map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        let resolution: Int64?
        switch try QueryResolution.parse(p["resolution"]) {
        case .auto: resolution = nil
        case .raw: resolution = 0
        case .window(let w): resolution = w
        }
        let db = self.db
        let matchers = sets[0]
        let qs = quantiles
        let result: Result<[PercentileSeries], PercentileError> = try await gate.run(timeout: timeout) { _ in
            try await offPool {
                Result { () throws(PercentileError) in
                    try db.percentiles(matchers, quantiles: qs, start: start, end: end, step: step,
                                       by: by, resolution: resolution)
                }
            }
        }
        let series: [PercentileSeries]
        switch result {
        case .success(let s): series = s
        case .failure(let e): throw APIError(.badData, e.message)
        }
        let value = QueryValue.matrix(series.map { RangeSeries(labels: $0.labels, timestamps: $0.timestamps, values: $0.values) })
        return QueryHandlers.render(value)
    }
}
