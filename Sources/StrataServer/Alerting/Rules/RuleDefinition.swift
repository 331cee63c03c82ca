import StrataQuery
import StrataStorage

/// One rule as written in a Prometheus rule file (rulefmt's `RuleNode`):
/// an alerting rule (`alert`, `expr`, `for`, `keep_firing_for`, `labels`,
/// `annotations`) or a recording rule (`record`, `expr`, `labels`).
public struct RuleDefinition: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case alerting
        case recording
    }

    public var kind: Kind
    /// The alert name or the recorded metric name.
    public var name: String
    /// The expression as written.
    public var expr: String
    /// `for` in ms (alerting rules).
    public var holdDuration: Int64 = 0
    /// `keep_firing_for` in ms (alerting rules).
    public var keepFiringFor: Int64 = 0
    public var labels: [String: String] = [:]
    public var annotations: [String: String] = [:]

    public init(kind: Kind, name: String, expr: String) {
        self.kind = kind
        self.name = name
        self.expr = expr
    }

    public static func alert(_ name: String, expr: String, for hold: Int64 = 0, labels: [String: String] = [:],
                             annotations: [String: String] = [:]) -> RuleDefinition {
        var r = RuleDefinition(kind: .alerting, name: name, expr: expr)
        r.holdDuration = hold
        r.labels = labels
        r.annotations = annotations
        return r
    }
}

/// A group of rules evaluated together, in order, every `interval`.
public struct RuleGroupDefinition: Sendable, Equatable {
    public var name: String
    /// ms; nil: the configured default (15 s, Prometheus' evaluation_interval).
    public var interval: Int64?
    /// Most alerts (alerting rules) or series (recording rules) one rule may
    /// produce; 0: no limit. Exceeding it fails the rule's evaluation.
    public var limit: Int = 0
    public var rules: [RuleDefinition]

    public init(name: String, interval: Int64? = nil, limit: Int = 0, rules: [RuleDefinition]) {
        self.name = name
        self.interval = interval
        self.limit = limit
        self.rules = rules
    }
}

/// A rule definition checked and compiled: the parsed expression and templates.
struct CompiledRule: Sendable {
    let definition: RuleDefinition
    let expr: Expr
    /// Label templates, sorted by label name.
    let labelTemplates: [(name: String, template: AlertTemplate)]
    let annotationTemplates: [(name: String, template: AlertTemplate)]

    var name: String { definition.name }
    var isAlerting: Bool { definition.kind == .alerting }
}

struct CompiledGroup: Sendable {
    let definition: RuleGroupDefinition
    /// The rule file, or `RuleGroupDefinition.apiFile` for API-managed groups.
    let file: String
    let rules: [CompiledRule]
    var name: String { definition.name }
}

extension RuleGroupDefinition {
    /// The `file` of groups managed through the API.
    public static let apiFile = "api"
}
