/// Why a rule file or rule group is invalid, and where: the file and the
/// line:column in it (YAML), the group, the rule (1-based, as promtool
/// counts), the field, and for expressions the line:column inside the query.
///
/// `description` reads like promtool's messages:
/// `rules.yml:7:11: group "latency", rule 1, "HighLatency": expr: 1:17: parse error: unexpected <op:>>`
public struct RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var file: String?
    public var line: Int?
    public var column: Int?
    public var group: String?
    public var ruleIndex: Int?
    public var ruleName: String?
    public var field: String?
    /// Position inside the expression (PromQL parse errors).
    public var queryLine: Int?
    public var queryColumn: Int?

    public init(_ message: String) { self.message = message }

    public var description: String {
        var s = ""
        if let file { s += file + ":" }
        if let line, let column { s += "\(line):\(column):" }
        if !s.isEmpty { s += " " }
        if let group { s += "group \"\(group)\", " }
        if let ruleIndex {
            s += "rule \(ruleIndex), "
            if let ruleName { s += "\"\(ruleName)\", " }
        }
        if s.hasSuffix(", ") { s.removeLast(2); s += ": " }
        if let field { s += field + ": " }
        return s + message
    }

    func at(_ p: DocumentPosition?) -> RuleError {
        var e = self
        if e.line == nil, let p {
            e.line = p.line
            e.column = p.column
        }
        return e
    }
}
