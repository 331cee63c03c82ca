import Testing
@testable import StrataServer

/// Alert templates as Prometheus expands them (Go text/template with
/// Prometheus' functions); expected texts are Go's output.
@Suite struct AlertTemplateTests {
    static func expand(_ t: String, _ labels: [String: String] = ["instance": "web-1:9100", "job": "node"], value: Double = 0.123456) throws -> String {
        try AlertTemplate(t).execute(TemplateData(labels: labels, value: .float(value)))
    }

    @Test(arguments: [
        ("{{ $labels.instance }} is slow", "web-1:9100 is slow"),
        ("{{ .Labels.job }}", "node"),
        ("{{ $value }}", "0.123456"),
        ("{{ printf \"%.2f\" $value }}", "0.12"),
        ("{{ $value | humanizePercentage }}", "12.35%"),
        ("{{ 1234567.0 | humanize }}", "1.235M"),
        ("{{ if gt $value 0.1 }}high{{ else }}low{{ end }}", "high"),
        ("{{ $labels.instance | stripPort }}", "web-1"),
        ("{{- \"  x  \" -}}", "  x  "),
        ("{{ range $k, $v := $labels }}{{ $k }}={{ $v }};{{ end }}", "instance=web-1:9100;job=node;"),
    ])
    func expands(_ template: String, _ want: String) throws {
        #expect(try Self.expand(template) == want)
    }

    @Test func parseErrorsAreReported() {
        #expect(throws: TemplateError.self) { try AlertTemplate("{{ if }}") }
        #expect(throws: TemplateError.self) { try AlertTemplate("{{ $labels.x ") }
    }

    @Test func badTemplateInRuleIsRefusedWithItsField() {
        let body = #"{"name":"g","rules":[{"alert":"A","expr":"up == 0","annotations":{"summary":"{{ $labels.x "}}]}"#
        #expect(throws: RuleError.self) { try RuleGroupDecoder.decodeAPIGroup(Array(body.utf8)) }
        do {
            _ = try RuleGroupDecoder.decodeAPIGroup(Array(body.utf8))
        } catch {
            #expect(error.field == "annotations.summary", "\(error)")
        }
    }
}
