/// Multi-line formatting, as Prometheus 2.42's `Pretty(level)`
/// (promql/parser/prettier.go), which `/api/v1/format_query` returns.
///
/// A node whose one-line form exceeds 100 bytes is split: aggregations,
/// calls and parentheses put their contents on indented lines, binary
/// expressions put the operator on its own line between the operands.
extension Expr {
    /// The width above which a node is split, as Prometheus' `maxCharactersPerLine`.
    public static let prettyLineLimit = 100

    /// The formatted query, as `/api/v1/format_query` returns it.
    public func prettyPrinted() -> String { pretty(level: 0, lineLimit: Expr.prettyLineLimit) }

    /// `lineLimit` is a parameter only so tests can use Prometheus' own
    /// prettier cases, which set the limit to 10.
    func pretty(level: Int, lineLimit: Int) -> String {
        let indent = String(repeating: "  ", count: level)
        // Prometheus' needsSplit: longer than the limit when printed on one line.
        let flat = flatDescription(limit: lineLimit)
        switch self {
        case .aggregate(let a):
            if let flat { return indent + flat }
            var s = indent + a.opString + "(\n"
            if let p = a.param, a.op.takesParameter { s += p.pretty(level: level + 1, lineLimit: lineLimit) + ",\n" }
            s += a.expr.pretty(level: level + 1, lineLimit: lineLimit) + "\n" + indent + ")"
            return s
        case .binary(let b):
            if let flat { return indent + flat }
            let op = b.op.rawValue + (b.returnBool ? " bool" : "") + b.matchingString
            return b.lhs.pretty(level: level + 1, lineLimit: lineLimit) + "\n" + indent + op + "\n" + b.rhs.pretty(level: level + 1, lineLimit: lineLimit)
        case .call(let c):
            if let flat { return indent + flat }
            let args = c.args.map { $0.pretty(level: level + 1, lineLimit: lineLimit) }.joined(separator: ",\n")
            return indent + c.function.name + "(\n" + args + "\n" + indent + ")"
        case .paren(let p):
            if let flat { return indent + flat }
            return indent + "(\n" + p.expr.pretty(level: level + 1, lineLimit: lineLimit) + "\n" + indent + ")"
        case .subquery(let s):
            // Prometheus does not indent an unsplit subquery; kept for identical output.
            if let flat { return flat }
            return s.expr.pretty(level: level, lineLimit: lineLimit) + s.timeSuffix
        case .unary(let u):
            var child = Substring(u.expr.pretty(level: level, lineLimit: lineLimit))
            while let f = child.first, f == " " || f == "\n" || f == "\t" || f == "\r" { child.removeFirst() }
            while let l = child.last, l == " " || l == "\n" || l == "\t" || l == "\r" { child.removeLast() }
            return indent + u.op.rawValue + child
        case .number, .string, .vectorSelector, .matrixSelector:
            return indent + (flat ?? description)
        }
    }
}
