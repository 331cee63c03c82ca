import Foundation
import StrataStorage

/// Go's built-in template functions and Prometheus' template functions
/// (`template/template.go`: humanize, humanize1024, humanizeDuration,
/// humanizePercentage, humanizeTimestamp, title, toUpper, toLower, match,
/// reReplaceAll, stripPort, stripDomain, …), with Prometheus' output text.
enum TemplateFunctions {
    static let names: Set<String> = [
        // Go's built-ins
        "and", "or", "not", "len", "index", "print", "printf", "println", "eq", "ne", "lt", "le", "gt", "ge",
        "urlquery", "html", "js",
        // Prometheus'
        "humanize", "humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp",
        "title", "toUpper", "toLower", "match", "reReplaceAll", "stripPort", "stripDomain", "safeHtml",
        "graphLink", "tableLink", "pathPrefix", "externalURL", "parseDuration", "toTime", "args",
        "query", "first", "label", "value", "strvalue", "sortByLabel",
    ]

    static func isDefined(_ name: String) -> Bool { names.contains(name) }

    static func call(_ name: String, _ a: [TemplateValue], data: TemplateData) throws(TemplateError) -> TemplateValue {
        func arity(_ n: Int) throws(TemplateError) {
            guard a.count == n else {
                throw TemplateError("wrong number of args for \(name): want \(n) got \(a.count)")
            }
        }
        switch name {
        case "and":
            guard !a.isEmpty else { throw TemplateError("wrong number of args for and: want at least 1 got 0") }
            return a.first { !$0.isTrue } ?? a.last!
        case "or":
            guard !a.isEmpty else { throw TemplateError("wrong number of args for or: want at least 1 got 0") }
            return a.first { $0.isTrue } ?? a.last!
        case "not":
            try arity(1)
            return .bool(!a[0].isTrue)
        case "len":
            try arity(1)
            switch a[0] {
            case .string(let s): return .int(s.utf8.count)
            case .map(let m): return .int(m.count)
            case .list(let l): return .int(l.count)
            default: throw TemplateError("len of type \(a[0].typeName)")
            }
        case "index":
            guard !a.isEmpty else { throw TemplateError("wrong number of args for index: want at least 1 got 0") }
            var v = a[0]
            for k in a.dropFirst() {
                switch (v, k) {
                case (.map(let m), .string(let key)): v = .string(m[key] ?? "")
                case (.list(let l), .int(let i)):
                    guard i >= 0, i < l.count else { throw TemplateError("error calling index: index out of range: \(i)") }
                    v = l[i]
                default: throw TemplateError("error calling index: can't index item of type \(v.typeName)")
                }
            }
            return v
        case "print":
            // fmt.Sprint: spaces between operands when neither is a string.
            var s = ""
            for (i, v) in a.enumerated() {
                if i > 0, !isString(a[i - 1]), !isString(v) { s += " " }
                s += v.printed
            }
            return .string(s)
        case "println":
            return .string(a.map(\.printed).joined(separator: " ") + "\n")
        case "printf":
            guard case .string(let f)? = a.first else { throw TemplateError("printf: the format must be a string") }
            return .string(GoPrintf.format(f, Array(a.dropFirst())))
        case "eq":
            guard a.count >= 2 else { throw TemplateError("missing argument for comparison") }
            for b in a.dropFirst() where try compare(a[0], b) == 0 { return .bool(true) }
            return .bool(false)
        case "ne": try arity(2); return .bool(try compare(a[0], a[1]) != 0)
        case "lt": try arity(2); return .bool(try compare(a[0], a[1]) < 0)
        case "le": try arity(2); return .bool(try compare(a[0], a[1]) <= 0)
        case "gt": try arity(2); return .bool(try compare(a[0], a[1]) > 0)
        case "ge": try arity(2); return .bool(try compare(a[0], a[1]) >= 0)
        case "urlquery":
            return .string(urlQueryEscape(a.map(\.printed).joined()))
        case "html", "safeHtml":
            let s = a.map(\.printed).joined()
            if name == "safeHtml" { return .string(s) }
            return .string(s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&#34;")
                .replacingOccurrences(of: "'", with: "&#39;"))
        case "js":
            let s = a.map(\.printed).joined()
            return .string(s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'")
                .replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "<", with: "\\u003C")
                .replacingOccurrences(of: ">", with: "\\u003E"))
        case "humanize": try arity(1); return .string(humanize(try a[0].toFloat()))
        case "humanize1024": try arity(1); return .string(humanize1024(try a[0].toFloat()))
        case "humanizeDuration": try arity(1); return .string(humanizeDuration(try a[0].toFloat()))
        case "humanizePercentage": try arity(1); return .string(g4(try a[0].toFloat() * 100) + "%")
        case "humanizeTimestamp":
            try arity(1)
            let v = try a[0].toFloat()
            if v.isNaN || v.isInfinite { return .string(g4(v)) }
            return .string(GoTime.string(Int64((v * 1000).rounded(.down))))
        case "toTime":
            try arity(1)
            let v = try a[0].toFloat()
            if v.isNaN || v.isInfinite { throw TemplateError("cannot convert \(g4(v)) to time.Time") }
            return .string(GoTime.string(Int64((v * 1000).rounded(.down))))
        case "title":
            try arity(1)
            return .string(a[0].printed.split(separator: " ", omittingEmptySubsequences: false)
                .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " "))
        case "toUpper": try arity(1); return .string(a[0].printed.uppercased())
        case "toLower": try arity(1); return .string(a[0].printed.lowercased())
        case "match":
            try arity(2)
            return .bool(try regex(a[0].printed).wholeMatchAnywhere(a[1].printed))
        case "reReplaceAll":
            try arity(3)
            return .string(try regex(a[0].printed).replaceAll(in: a[2].printed, with: a[1].printed))
        case "stripPort":
            try arity(1)
            let s = a[0].printed
            if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
                return .string(String(s[s.index(after: s.startIndex)..<close]))
            }
            if let c = s.lastIndex(of: ":"), s.firstIndex(of: ":") == c { return .string(String(s[..<c])) }
            return .string(s)
        case "stripDomain":
            try arity(1)
            let s = a[0].printed
            var host = s, port = ""
            if let c = s.lastIndex(of: ":"), s.firstIndex(of: ":") == c {
                host = String(s[..<c])
                port = String(s[c...])
            }
            if host.allSatisfy({ $0.isNumber || $0 == "." }) { return .string(s) }
            return .string((host.split(separator: ".").first.map(String.init) ?? host) + port)
        case "graphLink":
            try arity(1)
            return .string("/graph?g0.expr=" + urlQueryEscape(a[0].printed) + "&g0.tab=0")
        case "tableLink":
            try arity(1)
            return .string("/graph?g0.expr=" + urlQueryEscape(a[0].printed) + "&g0.tab=1")
        case "pathPrefix": return .string("")
        case "externalURL": return .string(data.externalURL)
        case "parseDuration":
            try arity(1)
            guard let ms = TimeParameters.parseDuration(a[0].printed) else {
                throw TemplateError("not a valid duration string: \(GoNumberFormat.quote(a[0].printed))")
            }
            return .float(Double(ms) / 1000)
        case "args":
            var m: [String: String] = [:]
            for (i, v) in a.enumerated() { m["arg\(i)"] = v.printed }
            return .map(m)
        // Prometheus' query functions: `query` gives a list of samples.
        case "query":
            try arity(1)
            guard let run = data.query else { throw TemplateError("error calling query: no query engine here") }
            return .list(try run(a[0].printed))
        case "first":
            try arity(1)
            guard case .list(let l) = a[0] else { throw TemplateError("wrong type for value; expected template.queryResult; got \(a[0].typeName)") }
            guard let f = l.first else { throw TemplateError("error calling first: first() called on vector with no elements") }
            return f
        case "label":
            try arity(2)
            guard case .sample(let labels, _) = a[1] else { throw TemplateError("wrong type for value; expected *template.sample; got \(a[1].typeName)") }
            return .string(labels[a[0].printed] ?? "")
        case "value":
            try arity(1)
            guard case .sample(_, let v) = a[0] else { throw TemplateError("wrong type for value; expected *template.sample; got \(a[0].typeName)") }
            return .float(v)
        case "strvalue":
            try arity(1)
            guard case .sample(let labels, _) = a[0] else { throw TemplateError("wrong type for value; expected *template.sample; got \(a[0].typeName)") }
            return .string(labels["__value__"] ?? "")
        case "sortByLabel":
            try arity(2)
            guard case .list(let l) = a[1] else { throw TemplateError("wrong type for value; expected template.queryResult; got \(a[1].typeName)") }
            let name = a[0].printed
            func key(_ v: TemplateValue) -> String { if case .sample(let labels, _) = v { return labels[name] ?? "" } else { return "" } }
            // Stable, as Go's sort.Stable.
            let sorted = l.enumerated().sorted { key($0.element) != key($1.element) ? key($0.element) < key($1.element) : $0.offset < $1.offset }
            return .list(sorted.map(\.element))
        default:
            throw TemplateError("function \"\(name)\" not defined")
        }
    }

    static func isString(_ v: TemplateValue) -> Bool { if case .string = v { return true } else { return false } }

    /// Go's `eq`/`lt` rules: numbers with numbers, strings with strings.
    static func compare(_ x: TemplateValue, _ y: TemplateValue) throws(TemplateError) -> Int {
        switch (x, y) {
        case (.string(let a), .string(let b)): return a == b ? 0 : (a < b ? -1 : 1)
        case (.bool(let a), .bool(let b)): return a == b ? 0 : (a ? 1 : -1)
        case (.int, .int), (.int, .float), (.float, .int), (.float, .float):
            let a = try x.toFloat(), b = try y.toFloat()
            return a == b ? 0 : (a < b ? -1 : 1)
        case (.null, .null): return 0
        default: throw TemplateError("incompatible types for comparison")
        }
    }

    /// Go's `%.4g` (C's rule; NaN and infinities spelt as Go does).
    static func g4(_ v: Double) -> String {
        GoNumberFormat.cVerb(v, verb: "g", flags: "", width: nil, precision: 4)
    }

    static func humanize(_ v0: Double) -> String {
        var v = v0
        if v == 0 || v.isNaN || v.isInfinite { return g4(v) }
        if abs(v) >= 1 {
            let prefixes = ["", "k", "M", "G", "T", "P", "E", "Z", "Y"]
            var i = 0
            while abs(v) >= 1000 && i < prefixes.count - 1 { v /= 1000; i += 1 }
            return g4(v) + prefixes[i]
        }
        let prefixes = ["", "m", "u", "n", "p", "f", "a", "z", "y"]
        var i = 0
        while abs(v) < 1 && i < prefixes.count - 1 { v *= 1000; i += 1 }
        return g4(v) + prefixes[i]
    }

    static func humanize1024(_ v0: Double) -> String {
        var v = v0
        if abs(v) <= 1 || v.isNaN || v.isInfinite { return g4(v) }
        let prefixes = ["", "ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]
        var i = 0
        while abs(v) >= 1024 && i < prefixes.count - 1 { v /= 1024; i += 1 }
        return g4(v) + prefixes[i]
    }

    static func humanizeDuration(_ v0: Double) -> String {
        var v = v0
        if v.isNaN || v.isInfinite { return g4(v) }
        if v == 0 { return g4(v) + "s" }
        if abs(v) >= 1 {
            var sign = ""
            if v < 0 { sign = "-"; v = -v }
            let whole = Int64(v)
            let seconds = whole % 60, minutes = whole / 60 % 60, hours = whole / 3600 % 24, days = whole / 86_400
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return "\(sign)\(g4(v))s"
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g4(v) + prefix + "s"
    }

    /// Go's `url.QueryEscape`.
    static func urlQueryEscape(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            case UInt8(ascii: " "): out += "+"
            default: out += String(format: "%%%02X", b)
            }
        }
        return out
    }

    static func regex(_ pattern: String) throws(TemplateError) -> TemplateRegex {
        do { return try TemplateRegex(pattern) } catch { throw error }
    }
}

/// Regular expressions for `match` and `reReplaceAll`: checked with
/// StrataStorage's RE2 syntax checker, run with Swift's `Regex` (the same
/// split the PromQL engine uses for `label_replace`).
struct TemplateRegex {
    let regex: Regex<AnyRegexOutput>

    init(_ pattern: String) throws(TemplateError) {
        do {
            _ = try Matcher(.regexMatch, "x", pattern)
        } catch {
            throw TemplateError("error parsing regexp: \(error)")
        }
        do { regex = try Regex(pattern) } catch {
            throw TemplateError("error parsing regexp: \(error)")
        }
    }

    /// Go's `regexp.MatchString`: a match anywhere.
    func wholeMatchAnywhere(_ s: String) -> Bool { s.firstMatch(of: regex) != nil }

    /// Go's `ReplaceAllString`, with `$1`, `${1}`, `$name` expansion.
    func replaceAll(in s: String, with template: String) -> String {
        s.replacing(regex) { m in
            var out = ""
            let t = Array(template.unicodeScalars)
            var i = 0
            while i < t.count {
                if t[i] == "$", i + 1 < t.count {
                    if t[i + 1] == "$" { out += "$"; i += 2; continue }
                    var j = i + 1
                    var braced = false
                    if t[j] == "{" { braced = true; j += 1 }
                    var name = ""
                    while j < t.count, t[j].properties.isAlphabetic || t[j].properties.numericType != nil || t[j] == "_" {
                        name.unicodeScalars.append(t[j])
                        j += 1
                    }
                    if braced { if j < t.count, t[j] == "}" { j += 1 } else { out.unicodeScalars.append(t[i]); i += 1; continue } }
                    if name.isEmpty { out.unicodeScalars.append(t[i]); i += 1; continue }
                    if let n = Int(name) {
                        if n < m.output.count, let sub = m.output[n].substring { out += sub }
                    } else if let sub = m.output[name]?.substring {
                        out += sub
                    }
                    i = j
                    continue
                }
                out.unicodeScalars.append(t[i])
                i += 1
            }
            return out
        }
    }
}
