import StrataQuery
import StrataStorage

/// Health of a rule's last evaluation, as Prometheus' API names it.
public enum RuleHealth: String, Sendable {
    case unknown
    case ok
    case err
}

/// One rule and what its evaluations left behind: the alert states, the
/// health shown by `/api/v1/rules`, and the series written last time (so
/// the ones that vanish get a staleness marker, as Prometheus does).
struct RuleRuntime: Sendable {
    let rule: CompiledRule
    var machine: AlertStateMachine
    var health: RuleHealth = .unknown
    var lastError = ""
    /// Unix ms of the last evaluation; nil: never evaluated.
    var lastEvaluation: Int64?
    var evaluationSeconds: Double = 0
    var lastSeries: Set<Labels> = []

    init(rule: CompiledRule) {
        self.rule = rule
        machine = AlertStateMachine(holdDuration: rule.definition.holdDuration,
                                    keepFiringFor: rule.definition.keepFiringFor)
    }
}

/// A group with the runtime state of its rules.
struct GroupRuntime: Sendable {
    var group: CompiledGroup
    var rules: [RuleRuntime]
    /// Effective interval in ms.
    var interval: Int64
    var lastEvaluation: Int64?
    var evaluationSeconds: Double = 0
    /// `for` state is restored from `ALERTS_FOR_STATE` once, at the first
    /// evaluation after the server started (Prometheus' `RestoreForState`).
    var needsRestore = true

    init(group: CompiledGroup, defaultInterval: Int64) {
        self.group = group
        rules = group.rules.map(RuleRuntime.init)
        interval = group.definition.interval ?? defaultInterval
    }

    /// Every series the group's rules wrote at their last evaluation.
    var writtenSeries: Set<Labels> {
        var out = Set<Labels>()
        for r in rules { out.formUnion(r.lastSeries) }
        return out
    }

    /// Keeps alert states of rules that survived a reload unchanged (same
    /// kind, name, expression, `for` and labels), as Prometheus' `CopyState`.
    mutating func adopt(_ old: GroupRuntime) {
        needsRestore = old.needsRestore
        var used = Set<Int>()
        for i in rules.indices {
            guard let j = old.rules.indices.first(where: { !used.contains($0) && old.rules[$0].rule.definition == rules[i].rule.definition }) else { continue }
            used.insert(j)
            rules[i].machine.adopt(old.rules[j].machine)
            rules[i].health = old.rules[j].health
            rules[i].lastError = old.rules[j].lastError
            rules[i].lastEvaluation = old.rules[j].lastEvaluation
            rules[i].evaluationSeconds = old.rules[j].evaluationSeconds
            rules[i].lastSeries = old.rules[j].lastSeries
        }
        lastEvaluation = old.lastEvaluation
        evaluationSeconds = old.evaluationSeconds
    }
}
