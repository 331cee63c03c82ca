import StrataQuery

extension RuleGroupDefinition {
    /// The group in rule-file shape, as JSON: what `GET /api/v1/rules/{group}`
    /// answers and what `rules.json` stores (docs/format/alerting-files.md).
    /// `RuleGroupDecoder.decodeAPIGroup` reads it back.
    var json: JSONValue {
        var g: [(String, JSONValue)] = [("name", .string(name))]
        if let interval { g.append(("interval", .string(PromDuration.format(interval)))) }
        if limit > 0 { g.append(("limit", .int(Int64(limit)))) }
        g.append(("rules", .array(rules.map(\.json))))
        return .object(g)
    }
}

extension RuleDefinition {
    var json: JSONValue {
        var r: [(String, JSONValue)] = []
        switch kind {
        case .alerting: r.append(("alert", .string(name)))
        case .recording: r.append(("record", .string(name)))
        }
        r.append(("expr", .string(expr)))
        if holdDuration > 0 { r.append(("for", .string(PromDuration.format(holdDuration)))) }
        if keepFiringFor > 0 { r.append(("keep_firing_for", .string(PromDuration.format(keepFiringFor)))) }
        if !labels.isEmpty { r.append(("labels", Self.map(labels))) }
        if !annotations.isEmpty { r.append(("annotations", Self.map(annotations))) }
        return .object(r)
    }

    static func map(_ d: [String: String]) -> JSONValue {
        .object(d.keys.sorted().map { ($0, .string(d[$0]!)) })
    }
}
