import StrataQuery

extension QueryResolution {
    /// The `resolution` parameter of range queries and `/api/v1/percentiles`
    /// (issue #5): `raw`, `5m`, `1h` (any rollup window as a duration) or
    /// `auto` (the default).
    static func parse(_ s: String?) throws(APIError) -> QueryResolution {
        guard let s, !s.isEmpty, s != "auto" else { return .auto }
        if s == "raw" { return .raw }
        guard let ms = TimeParameters.parsePromDuration(s), ms > 0 else {
            throw APIError(.badData, "invalid parameter \"resolution\": \"\(s)\" is not raw, auto or a rollup window such as 5m or 1h")
        }
        return .window(ms)
    }
}
