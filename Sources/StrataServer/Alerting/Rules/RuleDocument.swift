import Yams

/// A parsed YAML or JSON document, reduced to what rule groups and alert
/// settings need: maps, lists and scalars, each with the line and column it
/// came from (YAML only; JSON documents are one line as sent by API
/// clients, so errors name the field's path instead).
///
/// Rule files are YAML; API bodies may be either. Decoding both into this one
/// tree keeps a single validator with the same messages for both.
indirect enum RuleDocument: Sendable {
    case null(DocumentPosition?)
    /// A scalar's text; `quoted` when YAML quoted it or it was a JSON string.
    case scalar(String, quoted: Bool, DocumentPosition?)
    case map([(key: String, value: RuleDocument)], DocumentPosition?)
    case list([RuleDocument], DocumentPosition?)

    var position: DocumentPosition? {
        switch self {
        case .null(let p), .scalar(_, _, let p), .map(_, let p), .list(_, let p): return p
        }
    }

    var kindName: String {
        switch self {
        case .null: return "null"
        case .scalar: return "a scalar"
        case .map: return "a mapping"
        case .list: return "a list"
        }
    }

    subscript(key: String) -> RuleDocument? {
        guard case .map(let pairs, _) = self else { return nil }
        return pairs.first { $0.key == key }?.value
    }

    /// Parses YAML (JSON is valid YAML too, but JSON bodies go through
    /// `init(json:)` for exact JSON semantics and byte-offset errors).
    static func parse(yaml text: String) throws(DocumentError) -> RuleDocument {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            throw DocumentError(message: Self.describe(e), position: Self.mark(of: e))
        } catch {
            throw DocumentError(message: "\(error)", position: nil)
        }
        guard let node else { return .null(nil) }
        return try convert(node, depth: 0)
    }

    /// Parses a JSON body.
    static func parse(json bytes: [UInt8]) throws(DocumentError) -> RuleDocument {
        do {
            return RuleDocument(json: try JSONValue.parse(bytes))
        } catch {
            throw DocumentError(message: error.description, position: nil)
        }
    }

    /// YAML when the body does not start with `{` (after whitespace), JSON otherwise.
    static func parse(body bytes: [UInt8]) throws(DocumentError) -> RuleDocument {
        let first = bytes.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        if first == UInt8(ascii: "{") { return try parse(json: bytes) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw DocumentError(message: "the body is not valid UTF-8", position: nil)
        }
        return try parse(yaml: text)
    }

    init(json v: JSONValue) {
        switch v {
        case .null: self = .null(nil)
        case .bool(let b): self = .scalar(b ? "true" : "false", quoted: false, nil)
        case .int(let i): self = .scalar(String(i), quoted: false, nil)
        case .double(let d): self = .scalar(d.description, quoted: false, nil)
        case .string(let s): self = .scalar(s, quoted: true, nil)
        case .array(let a): self = .list(a.map(RuleDocument.init(json:)), nil)
        case .object(let o): self = .map(o.map { (key: $0.0, value: RuleDocument(json: $0.1)) }, nil)
        }
    }

    /// Deeper documents are refused so a hostile body cannot exhaust the stack.
    static let maxDepth = 64

    private static func convert(_ node: Node, depth: Int) throws(DocumentError) -> RuleDocument {
        let pos = node.mark.map { DocumentPosition(line: $0.line, column: $0.column) }
        guard depth < maxDepth else { throw DocumentError(message: "nesting deeper than \(maxDepth)", position: pos) }
        switch node {
        case .scalar(let s):
            let quoted = s.style == .singleQuoted || s.style == .doubleQuoted || s.style == .literal || s.style == .folded
            // An explicit `!!null` tag or a plain null spelling (YAML 1.2 core schema).
            if !quoted && s.tag == Tag(.null) { return .null(pos) }
            if !quoted, ["", "~", "null", "Null", "NULL"].contains(s.string) { return .null(pos) }
            return .scalar(s.string, quoted: quoted, pos)
        case .mapping(let m):
            var pairs: [(key: String, value: RuleDocument)] = []
            pairs.reserveCapacity(m.count)
            for (k, v) in m {
                guard case .scalar(let ks) = k else {
                    throw DocumentError(message: "mapping keys must be scalars", position: pos)
                }
                if pairs.contains(where: { $0.key == ks.string }) {
                    let kp = k.mark.map { DocumentPosition(line: $0.line, column: $0.column) }
                    throw DocumentError(message: "key \"\(ks.string)\" given twice", position: kp ?? pos)
                }
                pairs.append((ks.string, try convert(v, depth: depth + 1)))
            }
            return .map(pairs, pos)
        case .sequence(let seq):
            var items: [RuleDocument] = []
            for n in seq { items.append(try convert(n, depth: depth + 1)) }
            return .list(items, pos)
        case .alias:
            throw DocumentError(message: "YAML aliases are not supported", position: pos)
        }
    }

    private static func mark(of e: YamlError) -> DocumentPosition? {
        switch e {
        case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _):
            return DocumentPosition(line: m.line, column: m.column)
        default:
            return nil
        }
    }

    private static func describe(_ e: YamlError) -> String {
        switch e {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            return problem
        default:
            return "\(e)"
        }
    }
}

/// 1-based line and column (columns count Unicode scalars, as libyaml does).
struct DocumentPosition: Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var column: Int
    var description: String { "\(line):\(column)" }
}

struct DocumentError: Error, Sendable, CustomStringConvertible {
    var message: String
    var position: DocumentPosition?
    var description: String { position.map { "\($0): \(message)" } ?? message }
}
