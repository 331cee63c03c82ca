import Testing
@testable import StrataQuery

@Suite struct LexerTests {
    /// `kind:text` for each token up to (not including) `.eof`.
    static func lex(_ q: String) -> [String] {
        let bytes = Array(q.utf8)
        return Lexer.tokenize(q).filter { $0.kind != .eof }.map { t in
            if t.kind == .error { return "error:\(t.payload)" }
            return "\(t.kind):" + String(decoding: bytes[t.start..<t.end], as: UTF8.self)
        }
    }

    @Test func operatorsAndBrackets() {
        #expect(LexerTests.lex("+ - * / % ^ == != < <= > >= = @ , ( ) { }") == [
            "add:+", "sub:-", "mul:*", "div:/", "mod:%", "pow:^", "eqlc:==", "neq:!=", "lss:<", "lte:<=",
            "gtr:>", "gte:>=", "assign:=", "at:@", "comma:,", "leftParen:(", "rightParen:)", "leftBrace:{", "rightBrace:}",
        ])
        #expect(LexerTests.lex("x[5m:1m]") == ["identifier:x", "leftBracket:[", "duration:5m", "colon::", "duration:1m", "rightBracket:]"])
    }

    @Test func numbers() {
        for n in ["1", "1.5", ".5", "5.", "1e3", "1E-3", "1.5e+3", "0x1f", "0XAB", "0755", "Inf", "inf", "NaN", "nAN"] {
            #expect(LexerTests.lex(n) == ["number:\(n)"], "\(n)")
        }
        #expect(LexerTests.lex("1 2") == ["number:1", "number:2"])
        #expect(LexerTests.lex("1e") == ["number:1e"])
        #expect(LexerTests.lex("0x") == ["number:0x"])
        #expect(LexerTests.lex("2.5.") == ["number:2.5", "error:unexpected character: '.'"])
        #expect(LexerTests.lex("0deadbeef") == ["error:bad number or duration syntax: \"0de\""])
    }

    @Test func durations() {
        for d in ["5m", "1h30m", "1y2w3d4h5m6s7ms", "10ms", "5y1hs", "5m1h"] {
            #expect(LexerTests.lex(d) == ["duration:\(d)"], "\(d)")
        }
        #expect(LexerTests.lex("5mm") == ["error:bad number or duration syntax: \"5mm\""])
        #expect(LexerTests.lex("x[ 5m]") == ["identifier:x", "leftBracket:[", "duration:5m", "rightBracket:]"])
        #expect(LexerTests.lex("x[5]") == ["identifier:x", "leftBracket:[", "error:missing unit character in duration"])
        #expect(LexerTests.lex("x[5mm]") == ["identifier:x", "leftBracket:[", "error:bad duration syntax: \"5mm\""])
        // Inside brackets any letter is a colon (a Prometheus 2.42 quirk).
        #expect(LexerTests.lex("x[5m x]") == ["identifier:x", "leftBracket:[", "duration:5m", "colon:x", "rightBracket:]"])
    }

    @Test func identifiersAndKeywords() {
        #expect(LexerTests.lex("foo foo:bar :x _a1") == ["identifier:foo", "metricIdentifier:foo:bar", "metricIdentifier::x", "identifier:_a1"])
        #expect(LexerTests.lex("sum BY Offset bool on ignoring group_left group_right without") == [
            "aggregator(StrataQuery.AggregateOperator.sum):sum", "by:BY", "offset:Offset", "bool:bool", "on:on",
            "ignoring:ignoring", "groupLeft:group_left", "groupRight:group_right", "without:without",
        ])
        #expect(LexerTests.lex("and or unless atan2 start end") == ["land:and", "lor:or", "lunless:unless", "atan2:atan2", "start:start", "end:end"])
        // Keywords are plain identifiers inside braces.
        #expect(LexerTests.lex("{by=\"a\",sum!~'b',on=~`c`}") == [
            "leftBrace:{", "identifier:by", "assign:=", "string:\"a\"", "comma:,", "identifier:sum", "neqRegex:!~", "string:'b'",
            "comma:,", "identifier:on", "eqlRegex:=~", "string:`c`", "rightBrace:}",
        ])
    }

    @Test func stringsCarryUnquotedValues() {
        let tokens = Lexer.tokenize(#""a\tb" 'c\'d' `e\f`"#)
        #expect(tokens.filter { $0.kind == .string }.map(\.payload) == ["a\tb", "c'd", "e\\f"])
    }

    @Test func commentsAreSkipped() {
        #expect(LexerTests.lex("a # one\n+ # two\nb # three") == ["identifier:a", "add:+", "identifier:b"])
        #expect(LexerTests.lex("{a=\"b\" # c\n}") == ["leftBrace:{", "identifier:a", "assign:=", "string:\"b\"", "rightBrace:}"])
    }

    @Test func positionsAreByteOffsets() {
        let t = Lexer.tokenize("é + foo")
        #expect(t[0].kind == .error)  // 'é' is not an identifier character
        let u = Lexer.tokenize("\"é\" + foo")
        #expect(u.map(\.start) == [0, 5, 7, 10])
        #expect(u.map(\.end) == [4, 6, 10, 10])
    }

    @Test func balanceErrors() {
        #expect(LexerTests.lex("(1") == ["leftParen:(", "number:1", "error:unclosed left parenthesis"])
        #expect(LexerTests.lex("1)") == ["number:1", "error:unexpected right parenthesis ')'"])
        #expect(LexerTests.lex("]") == ["error:unexpected right bracket ']'"])
        #expect(LexerTests.lex("x[5m") == ["identifier:x", "leftBracket:[", "duration:5m", "error:unclosed left bracket"])
        #expect(LexerTests.lex("{a") == ["leftBrace:{", "identifier:a", "error:unexpected end of input inside braces"])
        // Nothing follows the first error.
        let tokens = Lexer.tokenize("} foo bar")
        #expect(tokens.count == 1 && tokens[0].kind == .error)
    }
}
