/// Canonical PromQL text, as Prometheus 2.42's `String()` methods
/// (promql/parser/printer.go): this is what `/api/v1/format_query` builds on.
extension Expr {
    public var description: String {
        var out = ""
        write(to: &out)
        return out
    }

    /// The one-line form if it is at most `limit` bytes long, else nil. Stops
    /// writing once past the limit, so checking a huge expression is cheap.
    func flatDescription(limit: Int) -> String? {
        var out = ""
        write(to: &out, limit: limit)
        return out.utf8.count <= limit ? out : nil
    }

    /// Appends the canonical text; gives up (leaving `out` longer than
    /// `limit`) as soon as the output exceeds `limit` bytes.
    func write(to out: inout String, limit: Int = .max) {
        if out.utf8.count > limit { return }
        switch self {
        case .number(let n):
            out += GoFormat.float(n.value)
        case .string(let s):
            out += GoFormat.quote(s.value)
        case .vectorSelector(let v):
            v.write(to: &out, includeModifiers: true)
        case .matrixSelector(let m):
            m.selector.write(to: &out, includeModifiers: false)
            out += "[" + PromDuration.format(m.range) + "]"
            out += Expr.modifierSuffix(at: m.selector.at, offset: m.selector.offset)
        case .subquery(let s):
            s.expr.write(to: &out, limit: limit)
            out += s.timeSuffix
        case .call(let c):
            out += c.function.name + "("
            Expr.writeList(c.args, to: &out, limit: limit)
            out += ")"
        case .aggregate(let a):
            out += a.opString + "("
            if let p = a.param, a.op.takesParameter {
                p.write(to: &out, limit: limit)
                out += ", "
            }
            a.expr.write(to: &out, limit: limit)
            out += ")"
        case .binary(let b):
            b.lhs.write(to: &out, limit: limit)
            out += " " + b.op.rawValue
            if b.returnBool { out += " bool" }
            out += b.matchingString
            out += " "
            b.rhs.write(to: &out, limit: limit)
        case .unary(let u):
            out += u.op.rawValue
            u.expr.write(to: &out, limit: limit)
        case .paren(let p):
            out += "("
            p.expr.write(to: &out, limit: limit)
            out += ")"
        }
    }

    static func writeList(_ list: [Expr], to out: inout String, limit: Int) {
        for (i, e) in list.enumerated() {
            if out.utf8.count > limit { return }
            if i > 0 { out += ", " }
            e.write(to: &out, limit: limit)
        }
    }

    /// ` @ <t>` then ` offset <d>`, in that order, as Prometheus prints them.
    static func modifierSuffix(at: AtModifier?, offset: Int64) -> String {
        var out = ""
        switch at {
        case .timestamp(let ms)?: out += " @ " + GoFormat.fixed(Double(ms) / 1000, precision: 3)
        case .start?: out += " @ start()"
        case .end?: out += " @ end()"
        case nil: break
        }
        if offset > 0 {
            out += " offset " + PromDuration.format(offset)
        } else if offset < 0 {
            out += " offset -" + PromDuration.format(offset == .min ? .max : -offset)
        }
        return out
    }
}

extension VectorSelector {
    func write(to out: inout String, includeModifiers: Bool) {
        var labels: [String] = []
        labels.reserveCapacity(matchers.count)
        for m in matchers {
            // The name matcher implied by `name` is printed as the name itself.
            if let name, m.name == metricNameLabel, m.type == .equal, m.value == name { continue }
            labels.append(m.description)
        }
        out += name ?? ""
        if !labels.isEmpty {
            // Go's sort.Strings: byte order.
            labels.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            out += "{" + labels.joined(separator: ",") + "}"
        }
        if includeModifiers { out += Expr.modifierSuffix(at: at, offset: offset) }
    }
}

extension SubqueryExpr {
    /// `[range:step] @ t offset d`.
    var timeSuffix: String {
        "[" + PromDuration.format(range) + ":" + (step.map(PromDuration.format) ?? "") + "]"
            + Expr.modifierSuffix(at: at, offset: offset)
    }
}

extension AggregateExpr {
    /// `sum`, `sum by (a, b) `, `sum without () `: the part before the body.
    var opString: String {
        if without { return op.rawValue + " without (" + grouping.joined(separator: ", ") + ") " }
        if !grouping.isEmpty { return op.rawValue + " by (" + grouping.joined(separator: ", ") + ") " }
        return op.rawValue
    }
}

extension BinaryExpr {
    /// ` on (a) group_left (b)` and friends.
    ///
    /// Prometheus prints nothing for `ignoring()` even when a `group_left` /
    /// `group_right` follows it, which loses the grouping; we print the clause
    /// whenever it carries information, so printing never changes meaning.
    var matchingString: String {
        guard let vm = matching else { return "" }
        let grouped = vm.card == .manyToOne || vm.card == .oneToMany
        guard !vm.matchingLabels.isEmpty || vm.on || grouped else { return "" }
        var out = vm.on ? " on (" : " ignoring ("
        out += vm.matchingLabels.joined(separator: ", ") + ")"
        if grouped {
            out += vm.card == .manyToOne ? " group_left (" : " group_right ("
            out += vm.include.joined(separator: ", ") + ")"
        }
        return out
    }
}
