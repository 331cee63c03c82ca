/// A Go text/template, as Prometheus uses for alert labels and annotations:
/// `{{ $labels.instance }} is at {{ $value | humanizePercentage }}`.
///
/// The subset Prometheus rule files use in practice: text and actions,
/// pipelines with `|`, variables (`$labels`, `$value`, `$externalLabels`,
/// `$externalURL`, `$x := …`), fields (`.Labels.job`, `.Value`), literals,
/// parenthesised pipelines, `if`/`else if`/`else`/`end`, `with`, `range`
/// over maps and lists, comments and the `{{-`/`-}}` trim markers; Go's
/// built-in functions and Prometheus' template functions (`TemplateFunctions`).
/// `define`/`template`/`block` are refused at parse time.
///
/// Reference: Go's text/template documentation and Prometheus'
/// `template/template.go` (the data and functions); the code is our own.
struct AlertTemplate: Sendable {
    let source: String
    let nodes: [TemplateNode]

    /// Parses a template; errors read like Go's (`template: name:1: …`).
    init(_ text: String, name: String = "__alert") throws(TemplateError) {
        source = text
        var p = TemplateParser(text: text, name: name)
        nodes = try p.parseAll()
    }

    /// True when the text has no actions: expansion is the text itself.
    var isPlainText: Bool {
        nodes.allSatisfy { if case .text = $0 { return true } else { return false } }
    }
}

indirect enum TemplateNode: Sendable {
    case text(String)
    /// Prints the pipeline's value, unless it declares or assigns variables.
    case action(TemplatePipeline)
    /// `if`/`with` with their `else if` chain (`with` rebinds dot).
    case conditional(isWith: Bool, branches: [(TemplatePipeline, [TemplateNode])], otherwise: [TemplateNode])
    case range(TemplatePipeline, body: [TemplateNode], otherwise: [TemplateNode])
}

struct TemplatePipeline: Sendable {
    /// `$x := …` or `$k, $v := …` (range).
    var declarations: [String] = []
    /// `=` instead of `:=`.
    var isAssignment = false
    var commands: [[TemplateOperand]] = []
}

indirect enum TemplateOperand: Sendable {
    case function(String)
    /// `.` or `.A.b`.
    case dot([String])
    /// `$x` or `$x.a.b`.
    case variable(String, [String])
    case literal(TemplateValue)
    case pipeline(TemplatePipeline, [String])
}
