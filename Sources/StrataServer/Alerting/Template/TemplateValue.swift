/// A value inside an alert template: what Go's text/template would hold for
/// Prometheus' template data (`.Labels` is a `map[string]string`, `.Value` a
/// `float64`, …).
enum TemplateValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)
    case map([String: String])
    case list([TemplateValue])
    /// One element of a `query` result (Prometheus' `*template.sample`:
    /// `.Labels`, `.Value`).
    case sample(labels: [String: String], value: Double)

    /// Go's truth: false, 0, nil, and empty strings, maps and lists are false.
    var isTrue: Bool {
        switch self {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .float(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .map(let m): return !m.isEmpty
        case .list(let l): return !l.isEmpty
        case .sample: return true
        }
    }

    /// `fmt.Sprint(v)` as Go prints these types.
    var printed: String {
        switch self {
        case .null: return "<no value>"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .float(let d): return GoNumberFormat.shortestG(d)
        case .string(let s): return s
        case .map(let m):
            return "map[" + m.keys.sorted().map { "\($0):\(m[$0]!)" }.joined(separator: " ") + "]"
        case .list(let l): return "[" + l.map(\.printed).joined(separator: " ") + "]"
        case .sample(let labels, let value):
            // Go prints a *sample as &{map[…] value}.
            return "&{" + TemplateValue.map(labels).printed + " " + GoNumberFormat.shortestG(value) + "}"
        }
    }

    var typeName: String {
        switch self {
        case .null: return "nil"
        case .bool: return "bool"
        case .int: return "int"
        case .float: return "float64"
        case .string: return "string"
        case .map: return "map[string]string"
        case .list: return "[]interface {}"
        case .sample: return "*template.sample"
        }
    }

    /// Numbers and numeric strings as float64, as Prometheus' template
    /// functions convert their argument (`convertToFloat`).
    func toFloat() throws(TemplateError) -> Double {
        switch self {
        case .float(let d): return d
        case .int(let i): return Double(i)
        case .string(let s):
            if let d = GoNumberFormat.parseFloat(s) { return d }
            throw TemplateError("strconv.ParseFloat: parsing \(GoNumberFormat.quote(s)): invalid syntax")
        default:
            throw TemplateError("can't convert \(typeName) to float")
        }
    }
}

/// Why a template could not be parsed or expanded. Prometheus puts the
/// latter into the annotation as `<error expanding template: …>`.
struct TemplateError: Error, Sendable, Equatable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
