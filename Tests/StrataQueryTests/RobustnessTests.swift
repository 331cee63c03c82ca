import Testing
@testable import StrataQuery
import StrataTestSupport

/// Bad input never traps: garbage, truncations and deep nesting all end in
/// either a tree or a `PromQLParseError` with a position inside the query.
@Suite struct RobustnessTests {
    /// Parses `q`; on success the tree must print and re-parse to itself,
    /// on failure the error must point inside the query.
    @discardableResult
    static func check(_ q: String) -> Bool {
        do {
            let e = try parsePromQL(q)
            let printed = e.description
            guard let again = try? parsePromQL(printed) else {
                Issue.record("printed form does not parse: \(q.debugDescription) -> \(printed.debugDescription)")
                return true
            }
            #expect(again == e, "round trip: \(q.debugDescription) -> \(printed.debugDescription)")
            _ = e.prettyPrinted()
            return true
        } catch {
            #expect(error.position.start >= 0 && error.position.start <= q.utf8.count, "\(q.debugDescription): \(error)")
            #expect(error.line >= 1 && error.column >= 1)
            #expect(error.description.contains(": parse error: "))
            return false
        }
    }

    static let fragments: [String] = [
        "sum", "avg", "topk", "count_values", "quantile", "by", "without", "on", "ignoring", "group_left", "group_right",
        "bool", "offset", "and", "or", "unless", "atan2", "start", "end", "start()", "end()", "rate", "label_join", "time",
        "foo", "bar:baz", "__name__", "x", "(", ")", "(", ")", "{", "}", "[", "]", ",", ":", "=", "==", "!=", "=~", "!~",
        "<", "<=", ">", ">=", "+", "-", "*", "/", "%", "^", "@", "5m", "1h30m", "0s", "10", "1.5", ".5", "0x1f", "1e3",
        "Inf", "NaN", "\"a\"", "'b'", "`c`", "\"\\x41\"", "\"", "'", "`", "\\", "#c\n", " ", " ", "\n", "é", "\u{FFFD}",
        "!", "~", ".", "a=\"b\"", "job=~\".+\"", "[5m:1m]", "[5m]", "offset -5m", "@ 100", "$", "?", "\u{0}",
    ]

    @Test func randomFragmentSoupNeverTraps() {
        var rng = WorkloadRandom(seed: 0x5EED_0001)
        var parsed = 0
        for _ in 0..<20_000 {
            let n = Int.random(in: 0...14, using: &rng)
            var q = ""
            for _ in 0..<n { q += RobustnessTests.fragments.randomElement(using: &rng)! }
            if RobustnessTests.check(q) { parsed += 1 }
        }
        // Some of the soup is valid PromQL; the round trip was checked for each.
        #expect(parsed > 100)
    }

    @Test func randomBytesNeverTrap() {
        var rng = WorkloadRandom(seed: 0x5EED_0002)
        for _ in 0..<10_000 {
            let n = Int.random(in: 0...40, using: &rng)
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            RobustnessTests.check(String(decoding: bytes, as: UTF8.self))
            let ascii = (0..<n).map { _ in UInt8.random(in: 0x20...0x7E, using: &rng) }
            RobustnessTests.check(String(decoding: ascii, as: UTF8.self))
        }
    }

    @Test func mutatedValidQueriesNeverTrap() {
        var rng = WorkloadRandom(seed: 0x5EED_0003)
        let corpus = ParseCases.valid.map(\.0) + ParseCases.invalid.map(\.0)
        for _ in 0..<20_000 {
            var bytes = Array(corpus.randomElement(using: &rng)!.utf8)
            for _ in 0..<Int.random(in: 1...3, using: &rng) {
                let op = Int.random(in: 0..<3, using: &rng)
                let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &rng)
                let b = Array(RobustnessTests.fragments.randomElement(using: &rng)!.utf8)
                switch op {
                case 0: bytes.insert(contentsOf: b, at: at)
                case 1: if !bytes.isEmpty { bytes.remove(at: at) }
                default: if !bytes.isEmpty { bytes.replaceSubrange(at..<min(bytes.count, at + b.count), with: b) }
                }
            }
            RobustnessTests.check(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func everyPrefixAndSuffixOfTheTableNeverTraps() {
        for (q, _) in ParseCases.valid + ParseCases.invalid {
            let scalars = Array(q.unicodeScalars)
            for i in 0...scalars.count {
                RobustnessTests.check(String(String.UnicodeScalarView(scalars[..<i])))
                RobustnessTests.check(String(String.UnicodeScalarView(scalars[i...])))
            }
        }
    }

    @Test func nestingUpToTheLimitWorks() throws {
        // Every construct at the deepest accepted nesting: parse, check, print, compare.
        let depth = Expr.maxNestingDepth - 1
        let parens = String(repeating: "(", count: depth) + "x" + String(repeating: ")", count: depth)
        let e = try parsePromQL(parens)
        #expect(try parsePromQL(e.description) == e)
        #expect(try parsePromQL(e.prettyPrinted()) == e)
        let sums = String(repeating: "sum(", count: depth) + "x" + String(repeating: ")", count: depth)
        #expect(try parsePromQL(sums).description == sums)
        let calls = String(repeating: "abs(", count: depth) + "x" + String(repeating: ")", count: depth)
        #expect(try parsePromQL(calls).description == calls)
        let chain = (0..<depth).map { "x\($0)" }.joined(separator: " + ")
        #expect(try parsePromQL(chain).description == chain)
        let power = (0..<depth).map { "x\($0)" }.joined(separator: " ^ ")
        #expect(try parsePromQL(power).description == power)
        let subqueries = String(repeating: "max_over_time(", count: depth / 2) + "x" + String(repeating: "[5m:])", count: depth / 2)
        #expect(try parsePromQL(subqueries).description == subqueries)
        let unary = String(repeating: "-", count: depth) + "x"
        #expect(try parsePromQL(unary).description == unary)
        #expect(try parsePromQL(String(repeating: "-", count: depth) + "1").description == (depth % 2 == 0 ? "1" : "-1"))
    }

    @Test func nestingBeyondTheLimitIsAnError() {
        let limit = Expr.maxNestingDepth
        let inputs = [
            String(repeating: "(", count: limit + 1) + "x" + String(repeating: ")", count: limit + 1),
            String(repeating: "(", count: 100_000),
            String(repeating: "abs(", count: 50_000),
            String(repeating: "-", count: 100_000) + "x",
            String(repeating: "sum(", count: 5000) + "x" + String(repeating: ")", count: 5000),
            (0...limit + 1).map { "x\($0)" }.joined(separator: " + "),
            (0..<20_000).map { _ in "x" }.joined(separator: " or "),
            (0...limit + 1).map { "x\($0)" }.joined(separator: " ^ "),
            "(" + String(repeating: "-{}-1", count: 10_000) + ")" + String(repeating: "[1m:]", count: 1000),
            "x" + String(repeating: "[1m:]", count: limit + 1),
        ]
        for q in inputs {
            do {
                _ = try parsePromQL(q)
                Issue.record("parsed a \(q.utf8.count)-byte query nested beyond the limit")
            } catch {
                #expect(error.message.contains("maximum depth") || error.message.contains("unclosed left parenthesis"),
                        "\(error.message)")
            }
        }
    }

    /// Long but shallow queries are fine: the parser is linear in the input.
    @Test func wideQueriesParse() throws {
        let matchers = (0..<5000).map { "l\($0)=\"v\($0)\"" }.joined(separator: ",")
        guard case .vectorSelector(let vs) = try parsePromQL("foo{" + matchers + "}") else { Issue.record(); return }
        #expect(vs.matchers.count == 5001)
        let args = (0..<5000).map { "\"a\($0)\"" }.joined(separator: ", ")
        guard case .call(let c) = try parsePromQL("label_join(x, \"d\", \",\", " + args + ")") else { Issue.record(); return }
        #expect(c.args.count == 5003)
        let big = String(repeating: "é", count: 200_000)
        guard case .string(let s) = try parsePromQL("\"" + big + "\"") else { Issue.record(); return }
        #expect(s.value == big)
        let long = (0..<2000).map { "sum(rate(m\($0)[5m]))" }.joined(separator: " or on() ")
        #expect(throws: PromQLParseError.self) { try parsePromQL(long) }  // 2000-deep left chain
        let chain = (0..<200).map { "sum(rate(m\($0)[5m]))" }.joined(separator: " + ")
        let formatted = try formatPromQL(chain)
        #expect(formatted.split(separator: "\n").count > 300)
        #expect(try parsePromQL(formatted) == parsePromQL(chain))
    }
}
