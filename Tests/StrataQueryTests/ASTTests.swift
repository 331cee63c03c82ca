import Testing
@testable import StrataQuery

/// The trees the parser builds: values, matchers, modifiers and positions.
@Suite struct ASTTests {
    private func parse(_ q: String) throws -> Expr { try parsePromQL(q) }

    @Test func numberLiterals() throws {
        func value(_ q: String) throws -> Double {
            guard case .number(let n) = try parse(q) else { Issue.record("not a number: \(q)"); return .nan }
            return n.value
        }
        #expect(try value("0x1f") == 31)
        #expect(try value("0755") == 493)
        #expect(try value("1e-3") == 0.001)
        #expect(try value(".5") == 0.5)
        #expect(try value("Inf") == .infinity)
        #expect(try value("-inf") == -.infinity)
        #expect(try value("NaN").isNaN)
        #expect(try value("-0").sign == .minus)
        #expect(try value("9007199254740993") == 9007199254740992)
        // The sign is folded into the literal, and its position starts at the sign.
        guard case .number(let n) = try parse(" -5") else { Issue.record(); return }
        #expect(n.position == PositionRange(start: 1, end: 3))
    }

    @Test func stringEscapes() throws {
        func value(_ q: String) throws -> String {
            guard case .string(let s) = try parse(q) else { Issue.record("not a string: \(q)"); return "" }
            return s.value
        }
        #expect(try value(#""\x41\101\u00e9\U0001F600""#) == "AAé😀")
        #expect(try value(#""\n\t\\\"""#) == "\n\t\\\"")
        #expect(try value(#"'it\'s'"#) == "it's")
        #expect(try value("`raw\\n`") == "raw\\n")
        #expect(try value("`two\nlines`") == "two\nlines")
        #expect(try value(#""\xc3\xa9""#) == "é")
        // Bytes that are not UTF-8 cannot live in a Swift String: they become U+FFFD.
        #expect(try value(#""\xff""#) == "\u{FFFD}")
    }

    @Test func vectorSelector() throws {
        guard case .vectorSelector(let vs) = try parse(#"foo{a="b", c!="d", e=~"f.*", g!~"h"} offset -5m @ 1.5"#) else {
            Issue.record(); return
        }
        #expect(vs.name == "foo")
        let expected = [
            try Matcher(.equal, "a", "b"),
            try Matcher(.notEqual, "c", "d"),
            try Matcher(.regexMatch, "e", "f.*"),
            try Matcher(.regexNoMatch, "g", "h"),
            try Matcher(.equal, "__name__", "foo"),
        ]
        #expect(vs.matchers == expected)
        #expect(vs.offset == -300_000)
        #expect(vs.at == .timestamp(1500))
        #expect(vs.position == PositionRange(start: 0, end: 53))
    }

    @Test func selectorWithoutName() throws {
        guard case .vectorSelector(let vs) = try parse(#"{__name__=~"job:.*", job="x"}"#) else { Issue.record(); return }
        #expect(vs.name == nil)
        let expected = [try Matcher(.regexMatch, "__name__", "job:.*"), try Matcher(.equal, "job", "x")]
        #expect(vs.matchers == expected)
    }

    @Test func invalidRegexIsRefusedAtTheMatcher() {
        for q in [#"{x=~"("}"#, #"foo{a="b", x!~"a[" }"#] {
            do {
                _ = try parsePromQL(q)
                Issue.record("\(q) parsed")
            } catch {
                #expect(error.message.hasPrefix("error parsing regexp: "))
                #expect(q.utf8.dropFirst(error.position.start).starts(with: "x".utf8))
            }
        }
        #expect(RegexSupport.matchesEmpty("a|"))
        #expect(RegexSupport.matchesEmpty("(a)?"))
        #expect(!RegexSupport.matchesEmpty("a+"))
        #expect(!RegexSupport.matchesEmpty("^$a"))
    }

    @Test func atModifiers() throws {
        func at(_ q: String) throws -> AtModifier? {
            guard case .vectorSelector(let vs) = try parse(q) else { return nil }
            return vs.at
        }
        #expect(try at("foo @ start()") == .start)
        #expect(try at("foo @ end()") == .end)
        #expect(try at("foo @ -1.0005") == .timestamp(-1001))  // rounds half away from zero
        #expect(try at("foo @ 1.0005") == .timestamp(1001))
        #expect(try at("foo @ 1e9") == .timestamp(1_000_000_000_000))
        #expect(PromQLParser.millisecondsFromSeconds(9.2e18) == .min)
    }

    @Test func matrixSelector() throws {
        guard case .matrixSelector(let ms) = try parse("test[5m] offset 1h @ end()") else { Issue.record(); return }
        #expect(ms.range == 300_000)
        #expect(ms.selector.name == "test")
        #expect(ms.selector.offset == 3_600_000)
        #expect(ms.selector.at == .end)
        #expect(ms.position == PositionRange(start: 0, end: 26))
    }

    @Test func subquery() throws {
        guard case .subquery(let sq) = try parse("rate(x[1m])[1h:30s] offset 5m @ 100") else { Issue.record(); return }
        #expect(sq.range == 3_600_000)
        #expect(sq.step == 30_000)
        #expect(sq.offset == 300_000)
        #expect(sq.at == .timestamp(100_000))
        guard case .call(let c) = sq.expr else { Issue.record(); return }
        #expect(c.function.name == "rate")
        guard case .subquery(let noStep) = try parse("x[5m:]") else { Issue.record(); return }
        #expect(noStep.step == nil)
    }

    @Test func aggregation() throws {
        guard case .aggregate(let a) = try parse("topk without (a, b) (5, x)") else { Issue.record(); return }
        #expect(a.op == .topk)
        #expect(a.without)
        #expect(a.grouping == ["a", "b"])
        #expect(a.param == .number(NumberLiteral(5)))
        guard case .aggregate(let s) = try parse("sum(x) by (job)") else { Issue.record(); return }
        #expect(s.op == .sum && !s.without && s.grouping == ["job"] && s.param == nil)
        guard case .aggregate(let c) = try parse(#"count_values("v", x)"#) else { Issue.record(); return }
        #expect(c.param == .string(StringLiteral("v")))
        #expect(AggregateOperator.allCases.count == 12)
    }

    @Test func binaryMatching() throws {
        guard case .binary(let b) = try parse("a / on(x, y) group_left(z) b") else { Issue.record(); return }
        #expect(b.op == .div)
        #expect(b.matching == VectorMatching(card: .manyToOne, on: true, matchingLabels: ["x", "y"], include: ["z"]))
        guard case .binary(let r) = try parse("a - ignoring(x) group_right b") else { Issue.record(); return }
        #expect(r.matching == VectorMatching(card: .oneToMany, on: false, matchingLabels: ["x"], include: []))
        guard case .binary(let s) = try parse("a and b") else { Issue.record(); return }
        #expect(s.matching?.card == .manyToMany)
        guard case .binary(let scalar) = try parse("a * 2") else { Issue.record(); return }
        #expect(scalar.matching == nil)
        guard case .binary(let cmp) = try parse("a > bool 1") else { Issue.record(); return }
        #expect(cmp.returnBool && cmp.op == .gtr)
        guard case .binary(let plain) = try parse("a + b") else { Issue.record(); return }
        #expect(plain.matching == VectorMatching(card: .oneToOne))
    }

    @Test func unaryAndParen() throws {
        guard case .unary(let u) = try parse(" +some_metric") else { Issue.record(); return }
        #expect(u.op == .plus)
        #expect(u.position.start == 1)
        guard case .vectorSelector(let vs) = u.expr else { Issue.record(); return }
        #expect(vs.position == PositionRange(start: 2, end: 13))
        guard case .paren(let p) = try parse("(1 + 2)") else { Issue.record(); return }
        #expect(p.position == PositionRange(start: 0, end: 7))
    }

    @Test func typesOfExpressions() throws {
        #expect(try parse("1").type == .scalar)
        #expect(try parse("\"a\"").type == .string)
        #expect(try parse("x").type == .vector)
        #expect(try parse("x[1m]").type == .matrix)
        #expect(try parse("x[1m:]").type == .matrix)
        #expect(try parse("time()").type == .scalar)
        #expect(try parse("scalar(x) + 1").type == .scalar)
        #expect(try parse("x + 1").type == .vector)
        #expect(try parse("-(1)").type == .scalar)
        #expect(try parse("sum(x)").type == .vector)
        #expect(ValueType.matrix.documentedName == "range vector")
    }

    @Test func equalityIgnoresPositionsAndMatcherOrder() throws {
        #expect(try parse("foo{a=\"1\",b=\"2\"}") == parse("  foo{b='2', a=`1`}"))
        #expect(try parse("sum(x) by (a)") == parse("sum by (a) (x)"))
        #expect(try parse("NaN") == parse("nan"))
        #expect(try parse("foo{a=\"1\"}") != parse("foo{a=\"2\"}"))
        #expect(try parse("x offset 1m") != parse("x offset -1m"))
        #expect(try parse("(x)") != parse("x"))
    }

    @Test func childrenInSourceOrder() throws {
        let e = try parse("topk(3, a + b)")
        #expect(e.children.map(\.description) == ["3", "a + b"])
        #expect(try parse("x[5m]").children.map(\.description) == ["x"])
    }
}
