/// What a template sees: Prometheus' template data (`.Labels`,
/// `.ExternalLabels`, `.ExternalURL`, `.Value`) and the variables its
/// preamble defines (`$labels`, `$externalLabels`, `$externalURL`, `$value`).
struct TemplateData: Sendable {
    var labels: [String: String]
    var externalLabels: [String: String] = [:]
    var externalURL: String = ""
    var value: TemplateValue = .float(0)
    /// Runs the `query` template function: an instant PromQL query at the
    /// rule's evaluation time, as a list of `.sample`s. Nil: not available.
    var query: (@Sendable (String) throws(TemplateError) -> [TemplateValue])? = nil

    var root: TemplateValue { .null }

    func field(_ name: String) -> TemplateValue? {
        switch name {
        case "Labels": return .map(labels)
        case "ExternalLabels": return .map(externalLabels)
        case "ExternalURL": return .string(externalURL)
        case "Value": return value
        default: return nil
        }
    }
}

extension AlertTemplate {
    /// Expands the template. Output is capped so a runaway `range` cannot
    /// grow an annotation without bound.
    func execute(_ data: TemplateData) throws(TemplateError) -> String {
        if isPlainText { return source }
        var ex = TemplateExecution(data: data)
        try ex.run(nodes, dot: .root)
        return ex.out
    }

    /// Expands, turning a failure into Prometheus' annotation text.
    func expandForAlert(_ data: TemplateData) -> String {
        do { return try execute(data) } catch {
            return "<error expanding template: \(error.message)>"
        }
    }
}

/// What `.` is: the template data at the top, or a value inside `with`/`range`.
enum TemplateDot {
    case root
    case value(TemplateValue)
}

struct TemplateExecution {
    let data: TemplateData
    var out = ""
    /// Variable scopes; the innermost last.
    var scopes: [[String: TemplateValue]]
    static let maxOutputBytes = 64 << 10
    static let maxRangeIterations = 10_000

    init(data: TemplateData) {
        self.data = data
        scopes = [[
            "$": .null,
            "$labels": .map(data.labels),
            "$externalLabels": .map(data.externalLabels),
            "$externalURL": .string(data.externalURL),
            "$value": data.value,
        ]]
    }

    mutating func run(_ nodes: [TemplateNode], dot: TemplateDot) throws(TemplateError) {
        for n in nodes {
            switch n {
            case .text(let s):
                out += s
            case .action(let p):
                let v = try evaluate(p, dot: dot)
                if p.declarations.isEmpty { out += v.printed }
            case .conditional(let isWith, let branches, let otherwise):
                var taken = false
                for (cond, body) in branches {
                    scopes.append([:])
                    let v = try evaluate(cond, dot: dot)
                    if v.isTrue {
                        try run(body, dot: isWith ? .value(v) : dot)
                        taken = true
                    }
                    scopes.removeLast()
                    if taken { break }
                }
                if !taken { try run(otherwise, dot: dot) }
            case .range(let p, let body, let otherwise):
                var inner = p
                inner.declarations = []
                let v = try evaluate(inner, dot: dot)
                var elements: [(TemplateValue, TemplateValue)] = []
                switch v {
                case .map(let m): elements = m.keys.sorted().map { (.string($0), .string(m[$0]!)) }
                case .list(let l): elements = l.enumerated().map { (.int($0.offset), $0.element) }
                case .null: break
                case .int(let n) where n >= 0: elements = (0..<min(n, Self.maxRangeIterations)).map { (.int($0), .int($0)) }
                default: throw TemplateError("range can't iterate over \(v.printed)")
                }
                if elements.isEmpty {
                    try run(otherwise, dot: dot)
                    continue
                }
                for (k, e) in elements.prefix(Self.maxRangeIterations) {
                    var scope: [String: TemplateValue] = [:]
                    if p.declarations.count == 1 { scope[p.declarations[0]] = e }
                    if p.declarations.count == 2 {
                        scope[p.declarations[0]] = k
                        scope[p.declarations[1]] = e
                    }
                    scopes.append(scope)
                    try run(body, dot: .value(e))
                    scopes.removeLast()
                }
            }
            if out.utf8.count > Self.maxOutputBytes {
                throw TemplateError("output is larger than \(Self.maxOutputBytes) bytes")
            }
        }
    }

    mutating func evaluate(_ p: TemplatePipeline, dot: TemplateDot) throws(TemplateError) -> TemplateValue {
        var piped: TemplateValue? = nil
        for cmd in p.commands {
            piped = try command(cmd, dot: dot, piped: piped)
        }
        let v = piped ?? .null
        if !p.declarations.isEmpty {
            let name = p.declarations[0]
            if p.isAssignment {
                guard let idx = scopes.lastIndex(where: { $0[name] != nil }) else {
                    throw TemplateError("undefined variable: \(name)")
                }
                scopes[idx][name] = v
            } else {
                scopes[scopes.count - 1][name] = v
            }
        }
        return v
    }

    mutating func command(_ cmd: [TemplateOperand], dot: TemplateDot, piped: TemplateValue?) throws(TemplateError) -> TemplateValue {
        if case .function(let name) = cmd[0] {
            var args: [TemplateValue] = []
            for op in cmd.dropFirst() { args.append(try operand(op, dot: dot)) }
            if let piped { args.append(piped) }
            return try TemplateFunctions.call(name, args, data: data)
        }
        guard cmd.count == 1, piped == nil else {
            throw TemplateError("can't give argument to non-function \(describe(cmd[0]))")
        }
        return try operand(cmd[0], dot: dot)
    }

    func describe(_ op: TemplateOperand) -> String {
        switch op {
        case .function(let n): return n
        case .dot(let f): return f.isEmpty ? "." : "." + f.joined(separator: ".")
        case .variable(let v, let f): return ([v] + f).joined(separator: ".")
        case .literal(let v): return v.printed
        case .pipeline: return "(pipeline)"
        }
    }

    mutating func operand(_ op: TemplateOperand, dot: TemplateDot) throws(TemplateError) -> TemplateValue {
        switch op {
        case .function(let name):
            return try TemplateFunctions.call(name, [], data: data)
        case .literal(let v):
            return v
        case .dot(let fields):
            return try access(dot, fields)
        case .variable(let name, let fields):
            guard let v = scopes.last(where: { $0[name] != nil })?[name] else {
                throw TemplateError("undefined variable \"\(name)\"")
            }
            if name == "$" { return try access(.root, fields) }
            return try access(.value(v), fields)
        case .pipeline(let p, let fields):
            let v = try evaluate(p, dot: dot)
            return try access(.value(v), fields)
        }
    }

    /// Field chains: fields of the template data, and map keys (a missing key
    /// of a `map[string]string` is the empty string, as in Go).
    func access(_ base: TemplateDot, _ fields: [String]) throws(TemplateError) -> TemplateValue {
        var current: TemplateValue
        var rest = fields[...]
        switch base {
        case .root:
            guard let f = rest.first else { return .null }
            guard let v = data.field(f) else { throw TemplateError("can't evaluate field \(f) in type *template.tmplData") }
            current = v
            rest = rest.dropFirst()
        case .value(let v):
            current = v
        }
        for f in rest {
            switch current {
            case .map(let m): current = .string(m[f] ?? "")
            case .sample(let labels, _) where f == "Labels": current = .map(labels)
            case .sample(_, let value) where f == "Value": current = .float(value)
            default: throw TemplateError("can't evaluate field \(f) in type \(current.typeName)")
            }
        }
        return current
    }
}
