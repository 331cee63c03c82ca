import StrataStorage

/// Rules and alerts in the JSON shapes of Prometheus' `/api/v1/rules` and
/// `/api/v1/alerts` (prometheus/web/api/v1: `RuleGroup`, `AlertingRule`,
/// `RecordingRule`, `Alert`), read from the documentation and responses.
enum AlertingJSON {
    static func seconds(_ ms: Int64) -> JSONValue {
        ms % 1000 == 0 ? .int(ms / 1000) : .double(Double(ms) / 1000)
    }

    static func time(_ ms: Int64?) -> JSONValue { .string(ms.map(GoTime.rfc3339Nano) ?? GoTime.zero) }

    static func alert(_ a: AlertInstance) -> JSONValue {
        var o: [(String, JSONValue)] = [
            ("labels", AlertPayloads.labelsJSON(a.labels)),
            ("annotations", AlertPayloads.labelsJSON(a.annotations)),
            ("state", .string(a.state.rawValue)),
            ("activeAt", time(a.activeAt)),
        ]
        if let k = a.keepFiringSince { o.append(("keepFiringSince", time(k))) }
        // Go's strconv.FormatFloat(v, 'e', -1, 64), as Prometheus writes it.
        o.append(("value", .string(GoNumberFormat.shortestE(a.value))))
        return .object(o)
    }

    static func rule(_ r: RuleRuntime) -> JSONValue {
        let d = r.rule.definition
        var o: [(String, JSONValue)] = []
        if r.rule.isAlerting {
            o.append(("state", .string(r.machine.state.rawValue)))
        }
        o.append(("name", .string(d.name)))
        o.append(("query", .string(d.expr)))
        if r.rule.isAlerting {
            o.append(("duration", seconds(d.holdDuration)))
            o.append(("keepFiringFor", seconds(d.keepFiringFor)))
        }
        o.append(("labels", RuleDefinition.map(d.labels)))
        if r.rule.isAlerting {
            o.append(("annotations", RuleDefinition.map(d.annotations)))
            o.append(("alerts", .array(r.machine.activeAlerts.map(alert))))
        }
        o.append(("health", .string(r.health.rawValue)))
        if !r.lastError.isEmpty { o.append(("lastError", .string(r.lastError))) }
        o.append(("evaluationTime", .double(r.evaluationSeconds)))
        o.append(("lastEvaluation", time(r.lastEvaluation)))
        o.append(("type", .string(r.rule.isAlerting ? "alerting" : "recording")))
        return .object(o)
    }

    static func group(_ g: GroupRuntime, filter: (RuleRuntime) -> Bool = { _ in true }) -> JSONValue {
        var o: [(String, JSONValue)] = [
            ("name", .string(g.group.name)),
            ("file", .string(g.group.file)),
            ("rules", .array(g.rules.filter(filter).map(rule))),
            ("interval", seconds(g.interval)),
        ]
        if g.group.definition.limit > 0 { o.append(("limit", .int(Int64(g.group.definition.limit)))) }
        o.append(("evaluationTime", .double(g.evaluationSeconds)))
        o.append(("lastEvaluation", time(g.lastEvaluation)))
        return .object(o)
    }

    /// `/api/v1/alerts` item: Prometheus' alert plus the rule's health, so a
    /// client sees whether an absent alert means "fine" or "rule broken".
    static func alertWithRule(_ a: AlertInstance, group: GroupRuntime, rule r: RuleRuntime) -> JSONValue {
        guard case .object(var o) = alert(a) else { return .null }
        o.append(("group", .string(group.group.name)))
        o.append(("rule", .string(r.rule.name)))
        o.append(("health", .string(r.health.rawValue)))
        o.append(("lastError", .string(r.lastError)))
        o.append(("evaluationTime", .double(r.evaluationSeconds)))
        o.append(("lastEvaluation", time(r.lastEvaluation)))
        return .object(o)
    }
}
