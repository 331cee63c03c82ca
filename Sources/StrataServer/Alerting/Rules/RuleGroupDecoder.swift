import StrataQuery
import StrataStorage

/// Reads rule groups from rule-file YAML or API bodies (JSON or YAML) and
/// checks them as Prometheus' `rulefmt` does, then compiles expressions and
/// templates, so that everything accepted can be evaluated.
enum RuleGroupDecoder {
    /// Shortest group interval accepted (issue #9: "as low as 1 s").
    static let minInterval: Int64 = 1000

    /// A rule file: `groups: [ … ]`.
    static func decodeFile(_ text: String, file: String) throws(RuleError) -> [CompiledGroup] {
        let doc: RuleDocument
        do { doc = try RuleDocument.parse(yaml: text) } catch {
            var e = RuleError(error.message).at(error.position)
            e.file = file
            throw e
        }
        do throws(RuleError) {
            if case .null = doc { return [] }
            guard case .map(let top, _) = doc else { throw RuleError("a rule file must be a mapping with \"groups\"").at(doc.position) }
            for (k, v) in top where k != "groups" { throw RuleError("unknown field \"\(k)\"").at(v.position) }
            guard let groups = doc["groups"] else { return [] }
            if case .null = groups { return [] }
            guard case .list(let items, _) = groups else { throw RuleError("\"groups\" must be a list").at(groups.position) }
            var out: [CompiledGroup] = []
            var seen = Set<String>()
            for item in items {
                let g = try decodeGroup(item, file: file)
                guard seen.insert(g.name).inserted else {
                    var e = RuleError("groupname: \"\(g.name)\" is repeated in the same file").at(item["name"]?.position)
                    e.group = g.name
                    throw e
                }
                out.append(g)
            }
            return out
        } catch {
            var e = error
            e.file = file
            throw e
        }
    }

    /// One group from an API body: the group mapping itself, or a rule file
    /// with exactly one group.
    static func decodeAPIGroup(_ bytes: [UInt8]) throws(RuleError) -> CompiledGroup {
        let doc: RuleDocument
        do { doc = try RuleDocument.parse(body: bytes) } catch { throw RuleError("invalid rule group: \(error.message)").at(error.position) }
        if let groups = doc["groups"] {
            guard case .list(let items, _) = groups, items.count == 1 else {
                throw RuleError("\"groups\" must hold exactly one group").at(groups.position)
            }
            return try decodeGroup(items[0], file: RuleGroupDefinition.apiFile)
        }
        return try decodeGroup(doc, file: RuleGroupDefinition.apiFile)
    }

    static func decodeGroup(_ doc: RuleDocument, file: String) throws(RuleError) -> CompiledGroup {
        guard case .map(let pairs, let pos) = doc else { throw RuleError("a rule group must be a mapping").at(doc.position) }
        var name = ""
        var interval: Int64?
        var limit = 0
        var rulesDoc: RuleDocument?
        for (k, v) in pairs {
            switch k {
            case "name": name = try string(v, "name")
            case "interval":
                let ms = try duration(v, "interval")
                if ms != 0 {
                    guard ms >= minInterval else { throw RuleError("interval must be at least 1s").at(v.position) }
                    interval = ms
                }
            case "limit":
                guard let n = Int(try string(v, "limit")), n >= 0 else { throw RuleError("limit must be a non-negative integer").at(v.position) }
                limit = n
            case "rules": rulesDoc = v
            default: throw RuleError("unknown field \"\(k)\" in rule group").at(v.position)
            }
        }
        guard !name.isEmpty else { throw RuleError("groupname must not be empty").at(pos) }
        var rules: [CompiledRule] = []
        if let rulesDoc {
            switch rulesDoc {
            case .null: break
            case .list(let items, _):
                for (i, item) in items.enumerated() {
                    do { rules.append(try decodeRule(item)) } catch {
                        var e = error
                        e.group = name
                        e.ruleIndex = i + 1
                        if e.ruleName == nil { e.ruleName = item["alert"].flatMap(scalarText) ?? item["record"].flatMap(scalarText) }
                        throw e.at(item.position)
                    }
                }
            default: throw RuleError("\"rules\" must be a list").at(rulesDoc.position)
            }
        }
        let def = RuleGroupDefinition(name: name, interval: interval, limit: limit, rules: rules.map(\.definition))
        return CompiledGroup(definition: def, file: file, rules: rules)
    }

    static func decodeRule(_ doc: RuleDocument) throws(RuleError) -> CompiledRule {
        guard case .map(let pairs, _) = doc else { throw RuleError("a rule must be a mapping").at(doc.position) }
        var alert: String?, record: String?, expr: String?
        var exprPos: DocumentPosition?
        var hold: Int64 = 0, keep: Int64 = 0
        var holdPos: DocumentPosition?, keepPos: DocumentPosition?
        var labels: [String: String] = [:], annotations: [String: String] = [:]
        var labelPos: [String: DocumentPosition] = [:], annotationPos: [String: DocumentPosition] = [:]
        var hasAnnotations = false
        for (k, v) in pairs {
            switch k {
            case "alert": alert = try string(v, "alert")
            case "record": record = try string(v, "record")
            case "expr":
                expr = try string(v, "expr")
                exprPos = v.position
            case "for": hold = try duration(v, "for"); holdPos = v.position
            case "keep_firing_for": keep = try duration(v, "keep_firing_for"); keepPos = v.position
            case "labels": (labels, labelPos) = try stringMap(v, "labels")
            case "annotations":
                (annotations, annotationPos) = try stringMap(v, "annotations")
                hasAnnotations = true
            default: throw RuleError("unknown field \"\(k)\" in rule").at(v.position)
            }
        }
        var err = RuleError("")
        err.ruleName = alert ?? record
        func fail(_ m: String, _ field: String? = nil, _ p: DocumentPosition? = nil) -> RuleError {
            var e = err
            e.message = m
            e.field = field
            return e.at(p ?? doc.position)
        }
        if alert == nil && record == nil { throw fail("one of 'record' or 'alert' must be set") }
        if alert != nil && record != nil { throw fail("only one of 'record' and 'alert' must be set") }
        guard let expr, !expr.isEmpty else { throw fail("field 'expr' must be set in rule") }
        let kind: RuleDefinition.Kind = alert != nil ? .alerting : .recording
        let name = alert ?? record!
        if kind == .recording {
            if hasAnnotations { throw fail("invalid field 'annotations' in recording rule") }
            if holdPos != nil && hold != 0 { throw fail("invalid field 'for' in recording rule", nil, holdPos) }
            if keepPos != nil && keep != 0 { throw fail("invalid field 'keep_firing_for' in recording rule", nil, keepPos) }
            guard isValidMetricName(name) else { throw fail("invalid recording rule name: \(name)") }
        } else {
            guard !name.isEmpty else { throw fail("invalid alert name: must not be empty") }
        }
        var def = RuleDefinition(kind: kind, name: name, expr: expr)
        def.holdDuration = hold
        def.keepFiringFor = keep
        def.labels = labels
        def.annotations = annotations
        do {
            return try compile(def)
        } catch {
            var e = error
            e.ruleName = name
            switch e.field {
            case "expr": e = e.at(exprPos)
            case let f? where f.hasPrefix("labels."): e = e.at(labelPos[String(f.dropFirst(7))])
            case let f? where f.hasPrefix("annotations."): e = e.at(annotationPos[String(f.dropFirst(12))])
            default: break
            }
            throw e.at(doc.position)
        }
    }

    /// Checks a definition and parses its expression and templates. Used for
    /// decoded rules and for groups read back from `rules.json`.
    static func compile(_ def: RuleDefinition) throws(RuleError) -> CompiledRule {
        let expr: Expr
        do {
            expr = try parsePromQL(def.expr)
        } catch {
            var e = RuleError(error.description)
            e.field = "expr"
            e.queryLine = error.line
            e.queryColumn = error.column
            throw e
        }
        switch expr.type {
        case .scalar, .vector: break
        default:
            var e = RuleError("invalid rule expression type \"\(expr.type)\": must be an instant vector or a scalar")
            e.field = "expr"
            throw e
        }
        var labelTemplates: [(String, AlertTemplate)] = []
        for k in def.labels.keys.sorted() {
            guard isValidLabelName(k), k != metricNameLabel else {
                var e = RuleError("invalid label name: \(k)")
                e.field = "labels.\(k)"
                throw e
            }
            do {
                labelTemplates.append((k, try AlertTemplate(def.labels[k]!, name: "__alert_\(def.name)")))
            } catch {
                var e = RuleError("msg=\(error.message)")
                e.field = "labels.\(k)"
                throw e
            }
        }
        var annotationTemplates: [(String, AlertTemplate)] = []
        for k in def.annotations.keys.sorted() {
            guard isValidLabelName(k) else {
                var e = RuleError("invalid annotation name: \(k)")
                e.field = "annotations.\(k)"
                throw e
            }
            do {
                annotationTemplates.append((k, try AlertTemplate(def.annotations[k]!, name: "__alert_\(def.name)")))
            } catch {
                var e = RuleError("msg=\(error.message)")
                e.field = "annotations.\(k)"
                throw e
            }
        }
        return CompiledRule(definition: def, expr: expr,
                            labelTemplates: labelTemplates.map { (name: $0.0, template: $0.1) },
                            annotationTemplates: annotationTemplates.map { (name: $0.0, template: $0.1) })
    }

    static func compile(_ g: RuleGroupDefinition, file: String) throws(RuleError) -> CompiledGroup {
        var rules: [CompiledRule] = []
        for (i, r) in g.rules.enumerated() {
            do { rules.append(try compile(r)) } catch {
                var e = error
                e.group = g.name
                e.ruleIndex = i + 1
                e.ruleName = r.name
                throw e
            }
        }
        return CompiledGroup(definition: g, file: file, rules: rules)
    }

    // MARK: field helpers

    static func scalarText(_ d: RuleDocument) -> String? {
        if case .scalar(let s, _, _) = d { return s }
        return nil
    }

    static func string(_ d: RuleDocument, _ field: String) throws(RuleError) -> String {
        switch d {
        case .scalar(let s, _, _): return s
        case .null: return ""
        default: throw RuleError("\(field) must be a string, not \(d.kindName)").at(d.position)
        }
    }

    /// Prometheus durations (`5m`, `1h30m`, `0`); JSON numbers are seconds.
    static func duration(_ d: RuleDocument, _ field: String) throws(RuleError) -> Int64 {
        guard case .scalar(let s, let quoted, let pos) = d else {
            if case .null = d { return 0 }
            throw RuleError("\(field) must be a duration, not \(d.kindName)").at(d.position)
        }
        if s == "0" { return 0 }
        if let ms = TimeParameters.parsePromDuration(s) { return ms }
        if !quoted, let secs = Double(s), secs.isFinite, secs >= 0, secs < 1e12 { return Int64((secs * 1000).rounded()) }
        throw RuleError("\(field): not a valid duration string: \"\(s)\"").at(pos)
    }

    static func stringMap(_ d: RuleDocument, _ field: String) throws(RuleError) -> ([String: String], [String: DocumentPosition]) {
        switch d {
        case .null: return ([:], [:])
        case .map(let pairs, _):
            var m: [String: String] = [:]
            var p: [String: DocumentPosition] = [:]
            for (k, v) in pairs {
                switch v {
                case .scalar(let s, _, let pos):
                    m[k] = s
                    p[k] = pos
                case .null: m[k] = ""
                default: throw RuleError("\(field).\(k) must be a string, not \(v.kindName)").at(v.position)
                }
            }
            return (m, p)
        default:
            throw RuleError("\(field) must be a mapping of names to strings").at(d.position)
        }
    }

    static func isValidLabelName(_ s: String) -> Bool {
        guard let f = s.utf8.first, f == UInt8(ascii: "_") || (f | 0x20 >= UInt8(ascii: "a") && f | 0x20 <= UInt8(ascii: "z")) else { return false }
        return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z")) || ($0 >= 48 && $0 <= 57) }
    }

    static func isValidMetricName(_ s: String) -> Bool {
        guard let f = s.utf8.first, f == UInt8(ascii: "_") || f == UInt8(ascii: ":") || (f | 0x20 >= UInt8(ascii: "a") && f | 0x20 <= UInt8(ascii: "z")) else { return false }
        return s.utf8.allSatisfy { $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ":") || ($0 | 0x20 >= UInt8(ascii: "a") && $0 | 0x20 <= UInt8(ascii: "z")) || ($0 >= 48 && $0 <= 57) }
    }
}
