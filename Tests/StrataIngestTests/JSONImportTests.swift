import Testing
import StrataIngest

@Suite struct JSONImportTests {
    func parse(_ text: String, options: JSONImportParser.Options = .init()) throws(JSONImportError) -> IngestBatch {
        var p = JSONImportParser(options: options)
        var b = IngestBatch()
        try p.parse(Array(text.utf8), into: &b)
        return b
    }

    func error(_ text: String) -> JSONImportError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    func samples(_ b: IngestBatch, _ i: Int) -> [(Int64, Double)] {
        b.series[i].samples.map { (b.timestamps[$0], b.values[$0]) }
    }

    @Test func seriesEnvelope() throws {
        let text = """
        {"series":[
          {"labels":{"job":"a","__name__":"x"},"samples":[[1700000000000, 1.5], [1700000015000, "NaN"], [1700000030000, "+Inf"], [1700000045000, "-Inf"], [1700000060000, "Inf"], [1700000075000, -2e-3]]},
          {"samples":[], "labels":{"__name__":"y"}}
        ]}
        """
        let b = try parse(text)
        #expect(b.series.count == 2)
        #expect(b.series[0].labels.pairs == [Label("__name__", "x"), Label("job", "a")])
        try b.series[0].labels.validate()
        let s = samples(b, 0)
        #expect(s.map(\.0) == [1_700_000_000_000, 1_700_000_015_000, 1_700_000_030_000, 1_700_000_045_000, 1_700_000_060_000, 1_700_000_075_000])
        #expect(s[0].1 == 1.5)
        #expect(s[1].1.isNaN)
        #expect(s[2].1 == .infinity)
        #expect(s[3].1 == -.infinity)
        #expect(s[4].1 == .infinity)
        #expect(s[5].1 == -0.002)
        #expect(b.series[1].samples.isEmpty)
    }

    @Test func jsonLinesAndOtherShapes() throws {
        let lines = """
        {"labels":{"__name__":"a"},"samples":[[1,1]]}
        {"labels":{"__name__":"b"},"samples":[[2,2]]}

        {"metric":{"__name__":"c"},"values":[3,"4.5"],"timestamps":[3,4],"extra":{"nested":[true,false,null,{"k":[]}]}}
        """
        let b = try parse(lines)
        #expect(b.series.map { $0.labels.metricName } == ["a", "b", "c"])
        #expect(samples(b, 2).map(\.1) == [3, 4.5])
        #expect(samples(b, 2).map(\.0) == [3, 4])
        // A top-level array of series; empty bodies and containers.
        let arr = try parse(#"[{"labels":{"__name__":"a"},"samples":[]},{"series":[]}]"#)
        #expect(arr.series.count == 1)
        #expect(try parse("").series.isEmpty)
        #expect(try parse(" \n ").series.isEmpty)
        #expect(try parse(#"{"series":[]}"#).series.isEmpty)
        // Integral timestamps written with an exponent are fine.
        #expect(try parse(#"{"labels":{"__name__":"a"},"samples":[[1.7e12,1]]}"#).timestamps == [1_700_000_000_000])
    }

    @Test func stringEscapes() throws {
        let text = #"{"labels":{"__name__":"m","k\"ey":"a\\b\/c\n\t\r\b\f \u00e9 \u2603 \ud834\udd1e \u0000"},"samples":[]}"#
        let b = try parse(text)
        #expect(b.series[0].labels.pairs[1] == Label("k\"ey", "a\\b/c\n\t\r\u{8}\u{c} é ☃ 𝄞 \u{0}"))
        // Raw UTF-8 passes through.
        #expect(try parse(#"{"labels":{"city":"Zürich"},"samples":[]}"#).series[0].labels.pairs == [Label("city", "Zürich")])
        // Escaped key names still match.
        #expect(try parse(#"{"lab\u0065ls":{"a":"b"},"samples":[]}"#).series.count == 1)
    }

    @Test func errorsCarryPositions() {
        let cases: [(String, JSONImportError.Reason, Int, Int)] = [
            ("{\"series\":[\n  {\"labels\":{\"a\":1}}]}", .labelValueNotString, 2, 18),
            ("{\"labels\":{\"a\":\"b\"},\"samples\":[[1,2],\n[3]]}", .sampleNotPair, 2, 3),
            ("{\"labels\":{\"a\":\"b\"},\"samples\":[[1.5,2]]}", .invalidTimestamp, 1, 33),
            ("{\"labels\":{\"a\":\"b\"},\"samples\":[[\"1\",2]]}", .invalidTimestamp, 1, 33),
            ("{\"labels\":{\"a\":\"b\"},\"samples\":[[1,\"fast\"]]}", .invalidSampleValue, 1, 35),
            ("{\"labels\":{\"a\":\"b\"},\"samples\":[[1,null]]}", .invalidSampleValue, 1, 35),
            ("{\"labels\":{\"a\":\"b\"},\"samples\":[[1,01]]}", .invalidNumber, 1, 35),
            ("{\"labels\":{\"a\":\"b\"},\"samples\":[[1,1.]]}", .invalidNumber, 1, 35),
            ("{\"labels\":{\"a\":\"b\"},\"samples\":[[1,-]]}", .invalidNumber, 1, 35),
            ("{\"labels\":{\"a\":\"b\"} \"samples\":1}", .unexpectedCharacter(UInt8(ascii: "\"")), 1, 21),
            ("{\"labels\":{\"a\":\"b\"},\"samples\":[[1,2]]", .unexpectedEnd, 1, 38),
            ("{\"labels\":{\"a\":\"b\\x\"}}", .invalidEscape, 1, 18),
            ("{\"labels\":{\"a\":\"\\ud800x\"}}", .invalidSurrogate, 1, 17),
            ("{\"labels\":{\"a\":\"\\udc00\"}}", .invalidSurrogate, 1, 17),
            ("{\"labels\":{\"a\":\"\\u12\"}}", .invalidEscape, 1, 17),
            ("{\"labels\":{\"a\":\"b\nc\"}}", .controlCharacterInString, 1, 18),
            ("{\"samples\":[[1,2]]}", .missingLabels, 1, 1),
            ("{\"other\":1}", .noSeries, 1, 1),
            ("{\"series\":[], \"labels\":{}}", .seriesWithSamples, 1, 1),
            ("{\"labels\":{},\"values\":[1],\"timestamps\":[]}", .lengthMismatch(timestamps: 0, values: 1), 1, 1),
            ("{\"labels\":{},\"values\":[1],\"samples\":[]}", .mixedSampleForms, 1, 27),
            ("{\"series\":{}}", .expectedArray, 1, 11),
            ("{\"series\":[1]}", .expectedObject, 1, 12),
            ("{\"labels\":[]}", .expectedObject, 1, 11),
            ("{\"x\":tru}", .unexpectedCharacter(UInt8(ascii: "t")), 1, 6),
            ("1", .expectedObject, 1, 1),
            ("{\"labels\":{}}\n{\"labels\":{}} x", .expectedObject, 2, 15),
        ]
        for (text, reason, line, column) in cases {
            let e = error(text)
            #expect(e?.reason == reason, "\(text)")
            #expect(e?.position == TextPosition(line: line, column: column), "\(text): \(String(describing: e))")
        }
    }

    @Test func invalidUTF8IsAnError() {
        var p = JSONImportParser()
        var b = IngestBatch()
        let bytes = Array(#"{"labels":{"a":""#.utf8) + [0xC3, 0x28] + Array(#""},"samples":[]}"#.utf8)
        #expect(throws: JSONImportError.self) { try p.parse(bytes, into: &b) }
        do {
            try p.parse(bytes, into: &b)
        } catch {
            #expect(error.reason == .invalidUTF8)
            #expect(error.offset == 16)
        }
    }

    @Test func depthAndSizeAreBounded() {
        let deep = #"{"labels":{"a":"b"},"x":"# + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "}"
        #expect(error(deep)?.reason == .tooDeep(limit: 64))
        let shallow = #"{"labels":{"a":"b"},"x":"# + String(repeating: "[", count: 10) + String(repeating: "]", count: 10) + "}"
        #expect(error(shallow) == nil)
        #expect(throws: JSONImportError(.tooLarge(bytes: 33, limit: 10), offset: 0, position: TextPosition(line: 1, column: 1))) {
            try parse(#"{"labels":{"a":"b"},"samples":[]}"#, options: .init(maxBytes: 10))
        }
    }

    @Test func errorsLeaveTheBatchAsItWas() throws {
        var p = JSONImportParser()
        var b = IngestBatch()
        try p.parse(Array(#"{"labels":{"a":"1"},"samples":[[1,1]]}"#.utf8), into: &b)
        let bad = #"{"labels":{"a":"2"},"samples":[[2,2]]} {"labels":{"a":"3"},"values":[1,2],"timestamps":[5]}"#
        #expect(throws: JSONImportError.self) { try p.parse(Array(bad.utf8), into: &b) }
        #expect(b.series.count == 1)
        #expect(b.timestamps == [1])
        #expect(b.values == [1])
    }

    @Test func numbersMatchTheStandardLibrary() throws {
        var rng = SeededRandom(seed: 17)
        var literals = ["0", "-0", "1e308", "1.7976931348623157e308", "5e-324", "2.2250738585072014e-308",
                        "9007199254740993", "0.1", "123456789012345678901234567890", "1e-400", "1e400",
                        "3.14159265358979323846264338327950288", "1E+2", "100e-2"]
        for _ in 0..<2000 {
            let mantissa = UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng)
            let exp = Int.random(in: -30...30, using: &rng)
            literals.append("\(Bool.random(using: &rng) ? "-" : "")\(mantissa)e\(exp)")
            let d = Double(bitPattern: rng.next() & 0x7FEF_FFFF_FFFF_FFFF)
            literals.append("\(d)")
        }
        var p = JSONImportParser()
        var b = IngestBatch()
        for lit in literals where Double(lit) != nil {
            b.reset()
            try p.parse(Array(#"{"labels":{"a":"b"},"samples":[[0,\#(lit)]]}"#.utf8), into: &b)
            #expect(b.values[0].bitPattern == Double(lit)!.bitPattern, "\(lit)")
        }
    }

    @Test func randomInputsNeverTrap() {
        var rng = SeededRandom(seed: 23)
        let alphabet = Array(#"{}[]:,"\ labels samples series 0123456789.eE+-uNaInf tfn"#.utf8) + [0xFF, 0xC3, 0x0A]
        var p = JSONImportParser(options: .init(maxDepth: 8))
        var b = IngestBatch()
        let valid = Array(#"{"series":[{"labels":{"__name__":"x","job":"a"},"samples":[[1700000000000, 1.5],[1,"NaN"]]}]}"#.utf8)
        for i in 0..<4000 {
            var input: [UInt8]
            if i % 2 == 0 {
                input = rng.bytes(Int.random(in: 0...60, using: &rng), from: alphabet)
            } else {
                input = valid
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    input[Int.random(in: 0..<input.count, using: &rng)] = alphabet.randomElement(using: &rng)!
                }
            }
            b.reset()
            do {
                try p.parse(input, into: &b)
                #expect(b.timestamps.count == b.values.count)
            } catch {
                #expect(error.offset <= input.count)
                #expect(b.sampleCount == 0 && b.values.isEmpty && b.series.isEmpty)
            }
        }
    }
}
