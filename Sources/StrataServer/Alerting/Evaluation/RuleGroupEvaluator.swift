import StrataQuery
import StrataStorage

/// Evaluates one group at one instant (Prometheus' `Group.Eval`): every rule
/// in order, against the same time `t`, so a recording rule's output is
/// seen by rules after it only from the next evaluation on (as in
/// Prometheus, which writes the group's samples as it goes but queries at `t`
/// with its lookback).
///
/// It only computes: the owner (`RuleManager`) writes the samples and hands
/// the events on, so this stays testable without a server.
struct RuleGroupEvaluator {
    let engine: QueryEngine
    var externalURL = ""
    var externalLabels: [String: String] = [:]
    /// Prometheus' `--rules.alert.resend-delay`.
    var resendDelay: Int64 = 60_000
    /// Prometheus' `--rules.alert.for-grace-period`.
    var forGracePeriod: Int64 = 10 * 60_000
    /// Prometheus' `--rules.alert.for-outage-tolerance`.
    var outageTolerance: Int64 = 60 * 60_000
    /// Stored `ALERTS_FOR_STATE` samples of an alert rule: labels (without
    /// `__name__`) → (value, timestamp) of the newest sample in [from, to].
    var forStateLookup: @Sendable (_ alertName: String, _ from: Int64, _ to: Int64) -> [Labels: (value: Double, t: Int64)] = { _, _, _ in [:] }

    static let alertsMetric = "ALERTS"
    static let forStateMetric = "ALERTS_FOR_STATE"
    static let staleNaN = Double(bitPattern: RollupBuilder.staleMarkerBits)

    func evaluate(_ g: inout GroupRuntime, at t: Int64) -> GroupEvaluation {
        let clock = ContinuousClock()
        let groupStart = clock.now
        var out = GroupEvaluation()
        let restore = g.needsRestore
        g.needsRestore = false
        for i in g.rules.indices {
            let start = clock.now
            var rt = g.rules[i]
            var series: [(labels: Labels, value: Double)] = []
            do throws(RuleEvalError) {
                if rt.rule.isAlerting {
                    try evaluateAlerting(&rt, at: t, restore: restore, limit: g.group.definition.limit,
                                         group: g.group.name, series: &series, out: &out)
                } else {
                    try evaluateRecording(rt.rule, at: t, limit: g.group.definition.limit, series: &series)
                }
                rt.health = .ok
                rt.lastError = ""
                var now = Set<Labels>()
                now.reserveCapacity(series.count)
                for s in series { now.insert(s.labels) }
                for old in rt.lastSeries where !now.contains(old) {
                    out.samples.append((old, Self.staleNaN))
                }
                out.samples.append(contentsOf: series)
                rt.lastSeries = now
            } catch {
                rt.health = .err
                rt.lastError = error.message
                out.rulesFailed += 1
            }
            out.rulesEvaluated += 1
            rt.lastEvaluation = t
            rt.evaluationSeconds = Self.seconds(clock.now - start)
            g.rules[i] = rt
        }
        g.lastEvaluation = t
        g.evaluationSeconds = Self.seconds(clock.now - groupStart)
        return out
    }

    private func query(_ rule: CompiledRule, at t: Int64) throws(RuleEvalError) -> [InstantSample] {
        let v: QueryValue
        do { v = try engine.instantQuery(rule.expr, at: t) } catch { throw RuleEvalError(message: error.description) }
        switch v {
        case .vector(let samples): return samples
        case .scalar(let ts, let value): return [InstantSample(labels: Labels(), timestamp: ts, value: value)]
        default: throw RuleEvalError(message: "rule result is not a vector or scalar: \(v.typeName)")
        }
    }

    func evaluateRecording(_ rule: CompiledRule, at t: Int64, limit: Int,
                           series: inout [(labels: Labels, value: Double)]) throws(RuleEvalError) {
        let samples = try query(rule, at: t)
        if limit > 0 && samples.count > limit {
            throw RuleEvalError(message: "exceeded limit of \(limit) with \(samples.count) series")
        }
        var seen = Set<Labels>()
        for s in samples {
            var d: [String: String] = [:]
            for l in s.labels { d[l.name] = l.value }
            d[metricNameLabel] = rule.name
            for (k, v) in rule.definition.labels { d[k] = v.isEmpty ? nil : v }
            let labels = Labels(d)
            guard seen.insert(labels).inserted else {
                throw RuleEvalError(message: "vector contains metrics with the same labelset after applying rule labels")
            }
            series.append((labels, s.value))
        }
    }

    /// The `query` template function: an instant query at the evaluation
    /// time; a vector gives its samples, a scalar one sample without labels
    /// (Prometheus' `convertToQueryResult`).
    static func templateQuery(_ engine: QueryEngine, at t: Int64) -> @Sendable (String) throws(TemplateError) -> [TemplateValue] {
        return { q throws(TemplateError) in
            let value: QueryValue
            do {
                value = try engine.instantQuery(try parsePromQL(q), at: t)
            } catch {
                throw TemplateError("error calling query: \(error)")
            }
            switch value {
            case .vector(let samples):
                return samples.map { s in
                    var labels: [String: String] = [:]
                    for l in s.labels { labels[l.name] = l.value }
                    return .sample(labels: labels, value: s.value)
                }
            case .scalar(_, let v):
                return [.sample(labels: [:], value: v)]
            default:
                throw TemplateError("error calling query: query result is not a vector or scalar")
            }
        }
    }

    func evaluateAlerting(_ rt: inout RuleRuntime, at t: Int64, restore: Bool, limit: Int, group: String,
                          series: inout [(labels: Labels, value: Double)], out: inout GroupEvaluation) throws(RuleEvalError) {
        let rule = rt.rule
        let samples = try query(rule, at: t)
        let templateQuery = Self.templateQuery(engine, at: t)
        var observations: [AlertStateMachine.Observation] = []
        observations.reserveCapacity(samples.count)
        var seen = Set<Labels>()
        for s in samples {
            var templateLabels: [String: String] = [:]
            for l in s.labels { templateLabels[l.name] = l.value }
            let data = TemplateData(labels: templateLabels, externalLabels: externalLabels, externalURL: externalURL, value: .float(s.value),
                                    query: templateQuery)
            var d = templateLabels
            d[metricNameLabel] = nil
            for (name, tmpl) in rule.labelTemplates {
                let v = tmpl.expandForAlert(data)
                d[name] = v.isEmpty ? nil : v
            }
            d[alertNameLabel] = rule.name
            var ann: [String: String] = [:]
            for (name, tmpl) in rule.annotationTemplates { ann[name] = tmpl.expandForAlert(data) }
            let labels = Labels(d)
            guard seen.insert(labels).inserted else {
                throw RuleEvalError(message: "vector contains metrics with the same labelset after applying alert labels")
            }
            observations.append(.init(labels: labels, annotations: Labels(ann), value: s.value))
        }
        var restored: [Labels: Int64] = [:]
        let hold = rule.definition.holdDuration
        if restore, ForStateRestore.applies(holdDuration: hold, gracePeriod: forGracePeriod) {
            let stored = forStateLookup(rule.name, t - outageTolerance, t)
            for o in observations {
                guard let s = stored[o.labels], !s.value.isNaN else { continue }
                restored[o.labels] = ForStateRestore.activeAt(storedActiveAtSeconds: s.value, downAt: s.t, now: t,
                                                              holdDuration: hold, gracePeriod: forGracePeriod)
            }
        }
        let changes = rt.machine.step(observations, at: t, restoredActiveAt: restored)
        let active = rt.machine.activeAlerts
        if limit > 0 && active.count > limit {
            rt.machine.reset()
            throw RuleEvalError(message: "exceeded limit of \(limit) with \(active.count) alerts")
        }
        for c in changes { out.events.append(AlertEvent(group: group, rule: rule.name, at: t, transition: c)) }
        for a in active {
            series.append((a.labels.setting(metricNameLabel, Self.alertsMetric).setting(alertStateLabel, a.state.rawValue), 1))
            series.append((a.labels.setting(metricNameLabel, Self.forStateMetric), Double(a.activeAt / 1000)))
        }
        out.toSend.append(contentsOf: rt.machine.alertsToSend(at: t, resendDelay: resendDelay))
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}

let alertNameLabel = "alertname"
let alertStateLabel = "alertstate"

struct RuleEvalError: Error, Sendable {
    var message: String
}
