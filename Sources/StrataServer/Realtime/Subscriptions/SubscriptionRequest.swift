import StrataQuery

/// A `subscribe` message, checked:
/// `{"type":"subscribe","payload":{"id":"a","query":"rate(x[5m])","range":"1h","step":"15s"}}`.
///
/// `range` and `step` take Prometheus durations or seconds; `range`
/// defaults to 1 h and `step` to 15 s (or whatever keeps the window within
/// 11,000 points, Prometheus' limit for a range query).
struct SubscriptionRequest: Sendable {
    var id: String
    var query: String
    var expr: Expr
    var rangeMs: Int64
    var stepMs: Int64

    static let maxIDLength = 128
    static let maxPoints: Int64 = 11_000

    var key: SubscriptionKey { SubscriptionKey(query: expr.description, rangeMs: rangeMs, stepMs: stepMs) }

    static func parse(_ p: JSONValue) throws(RealtimeClientError) -> SubscriptionRequest {
        guard let id = p["id"]?.stringValue, !id.isEmpty, id.utf8.count <= maxIDLength else {
            throw RealtimeClientError("bad_data", "subscribe needs an \"id\": a string of 1 to \(maxIDLength) bytes")
        }
        guard let query = p["query"]?.stringValue else {
            throw RealtimeClientError(id: id, "bad_data", "subscribe needs a \"query\" (PromQL)")
        }
        let expr: Expr
        do {
            expr = try parsePromQL(query)
        } catch {
            throw RealtimeClientError(id: id, "bad_data", "invalid parameter \"query\": \(error)",
                                      position: (error.line, error.column, error.position.start, error.position.end))
        }
        switch expr.type {
        case .scalar, .vector: break
        default:
            throw RealtimeClientError(id: id, "bad_data",
                "invalid expression type \"\(expr.type.documentedName)\" for range query, must be Scalar or instant Vector")
        }
        let range = try duration(p["range"], name: "range", id: id) ?? 3_600_000
        guard range > 0 else { throw RealtimeClientError(id: id, "bad_data", "invalid parameter \"range\": must be positive") }
        var step = try duration(p["step"], name: "step", id: id) ?? max(15_000, (range + maxPoints - 1) / maxPoints)
        if step <= 0 {
            throw RealtimeClientError(id: id, "bad_data",
                "invalid parameter \"step\": zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        if range / step > maxPoints {
            throw RealtimeClientError(id: id, "bad_data",
                "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        step = min(step, range)
        return SubscriptionRequest(id: id, query: query, expr: expr, rangeMs: range, stepMs: step)
    }

    private static func duration(_ v: JSONValue?, name: String, id: String) throws(RealtimeClientError) -> Int64? {
        guard let v, v != .null else { return nil }
        if let s = v.stringValue, let ms = TimeParameters.parseDuration(s) { return ms }
        if let d = v.doubleValue, d.isFinite, abs(d) < 9e15 { return Int64((d * 1000).rounded()) }
        throw RealtimeClientError(id: id, "bad_data", "invalid parameter \"\(name)\": cannot parse \(String(decoding: v.jsonBytes, as: UTF8.self)) to a valid duration")
    }
}

/// What subscriptions share an evaluation by: the query in canonical form, range and step.
struct SubscriptionKey: Hashable, Sendable {
    var query: String
    var rangeMs: Int64
    var stepMs: Int64
}
