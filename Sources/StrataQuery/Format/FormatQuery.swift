/// What `/api/v1/format_query` returns: the query parsed and printed as
/// Prometheus 2.42 does (`parser.ParseExpr(q).Pretty(0)`), split over lines
/// when a node is longer than 100 bytes.
public func formatPromQL(_ text: String) throws(PromQLParseError) -> String {
    try parsePromQL(text).prettyPrinted()
}
