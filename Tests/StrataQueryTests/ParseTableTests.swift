import Testing
@testable import StrataQuery

@Suite struct ParseTableTests {
    @Test(arguments: ParseCases.valid.map { Pair($0.0, $0.1) })
    func parsesAndPrintsCanonically(_ c: Pair) throws {
        let expr = try parsePromQL(c.input)
        #expect(expr.description == c.expected, "input: \(c.input)")
    }

    /// parse(print(parse(x))) == parse(x), and printing is a fixed point.
    @Test(arguments: ParseCases.valid.map { Pair($0.0, $0.1) })
    func roundTrips(_ c: Pair) throws {
        let expr = try parsePromQL(c.input)
        let again = try parsePromQL(expr.description)
        #expect(again == expr, "input: \(c.input)")
        #expect(again.description == expr.description)
        // The multi-line form parses back to the same tree too.
        #expect(try parsePromQL(expr.prettyPrinted()) == expr)
    }

    @Test(arguments: ParseCases.invalid.map { Pair($0.0, $0.1) })
    func rejectsWithPrometheusError(_ c: Pair) {
        #expect(throws: PromQLParseError.self, "input: \(c.input)") { _ = try parsePromQL(c.input) }
        do {
            let e = try parsePromQL(c.input)
            Issue.record("parsed \(c.input.debugDescription) as \(e)")
        } catch {
            #expect(error.description == c.expected, "input: \(c.input.debugDescription)")
        }
    }

    @Test func tableSize() {
        #expect(ParseCases.valid.count >= 250)
        #expect(ParseCases.invalid.count >= 200)
    }
}

/// A test argument with a readable name in the test report.
struct Pair: Sendable, CustomTestStringConvertible {
    let input: String
    let expected: String
    init(_ input: String, _ expected: String) {
        self.input = input
        self.expected = expected
    }
    var testDescription: String { input.debugDescription }
}
