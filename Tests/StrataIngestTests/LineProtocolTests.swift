import Testing
import StrataIngest

@Suite struct LineProtocolTests {
    static let now: Int64 = 1_700_000_000_123

    /// Strict by default, so that a test of valid input can't pass by dropping a line.
    func parse(_ text: String, _ options: LineProtocolOptions = LineProtocolOptions(defaultTimestampMs: now, errorPolicy: .rejectRequest)) throws(LineProtocolError) -> IngestBatch {
        var p = LineProtocolParser(options: options)
        var b = IngestBatch()
        _ = try p.parse(Array(text.utf8), into: &b)
        return b
    }

    func error(_ text: String) -> LineProtocolError? {
        do {
            _ = try parse(text, LineProtocolOptions(defaultTimestampMs: Self.now, errorPolicy: .rejectRequest))
            return nil
        } catch {
            return error
        }
    }

    /// (labels, timestamp, value) per sample, for compact assertions.
    func samples(_ b: IngestBatch) -> [([Label], Int64, Double)] {
        b.series.map { s in (s.labels.pairs, b.timestamps[s.samples.lowerBound], b.values[s.samples.lowerBound]) }
    }

    @Test func theIssueExample() throws {
        let b = try parse(#"measurement,tag=v,tag2=v2 field=1.5,f2=2i,f3=3u,f4=true,f5="str" 1465839830100400200"#)
        let s = samples(b)
        #expect(s.count == 4)
        let tags = [Label("tag", "v"), Label("tag2", "v2")]
        #expect(s[0].0 == [Label("__name__", "measurement_field")] + tags)
        #expect(s[1].0 == [Label("__name__", "measurement_f2")] + tags)
        #expect(s.map(\.2) == [1.5, 2, 3, 1])
        #expect(s.allSatisfy { $0.1 == 1_465_839_830_100 })
        #expect(b.skipped.stringFields == 1)
        for series in b.series { try series.labels.validate() }
    }

    @Test func valueTypes() throws {
        let b = try parse("m a=-1.5e3,b=-9223372036854775808i,c=18446744073709551615u,d=t,e=T,f=True,g=TRUE,h=f,i=F,j=false,k=False,l=FALSE,m=0,n=.5,o=+2")
        #expect(samples(b).map(\.2) == [-1500, -9_223_372_036_854_775_808, Double(UInt64.max), 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0.5, 2])
        for bad in ["m a=1.5x", "m a=tru", "m a=yes", "m a=1.5i", "m a=-1u", "m a=99999999999999999999i", "m a=NaN", "m a=Inf", "m a=1e", "m a=-"] {
            #expect(error(bad)?.reason == .invalidFieldValue, "\(bad)")
        }
    }

    @Test func precisionsAndDefaultTimestamp() throws {
        func ts(_ line: String, _ p: LineProtocolOptions.Precision) throws -> Int64 {
            try parse(line, LineProtocolOptions(precision: p, defaultTimestampMs: Self.now, errorPolicy: .rejectRequest)).timestamps[0]
        }
        #expect(try ts("m v=1 1465839830100400200", .nanoseconds) == 1_465_839_830_100)
        #expect(try ts("m v=1 1465839830100400", .microseconds) == 1_465_839_830_100)
        #expect(try ts("m v=1 1465839830100", .milliseconds) == 1_465_839_830_100)
        #expect(try ts("m v=1 1465839830", .seconds) == 1_465_839_830_000)
        #expect(try ts("m v=1 2", .minutes) == 120_000)
        #expect(try ts("m v=1 2", .hours) == 7_200_000)
        // Before 1970, sub-millisecond parts round toward −∞.
        #expect(try ts("m v=1 -1", .nanoseconds) == -1)
        #expect(try ts("m v=1 -1000000", .nanoseconds) == -1)
        #expect(try ts("m v=1", .seconds) == Self.now)
        #expect(try ts("m v=1   ", .seconds) == Self.now)
        #expect(LineProtocolOptions.Precision("us") == .microseconds)
        #expect(LineProtocolOptions.Precision("n") == .nanoseconds)
        #expect(LineProtocolOptions.Precision("xs") == nil)
        #expect(throws: LineProtocolError(.timestampOutOfRange, at: TextPosition(line: 1, column: 7))) {
            try parse("m v=1 9223372036854775807", LineProtocolOptions(precision: .seconds, defaultTimestampMs: 0, errorPolicy: .rejectRequest))
        }
    }

    @Test func escapingRules() throws {
        // Measurement: `\,` and `\ ` escape; `=` needs no escape; `\=` stays literal.
        var s = samples(try parse(#"my\,meas\ ure=x\=y,t=1 v=1"#))
        // The sanitizer turns `,`, ` `, `=` and `\` into `_`.
        #expect(s[0].0[0] == Label("__name__", "my_meas_ure_x__y_v"))
        // Tag keys and values: `\,`, `\=`, `\ ` escape.
        s = samples(try parse(#"m,t\ k\=1=a\,b\=c\ d v=1"#))
        #expect(s[0].0 == [Label("__name__", "m_v"), Label("t_k_1", "a,b=c d")])
        // `\\` is one backslash; a backslash before anything else is literal.
        s = samples(try parse(#"m,t=a\\b\c v=1"#))
        #expect(s[0].0[1] == Label("t", #"a\b\c"#))
        // Field keys escape like tag keys.
        s = samples(try parse(#"m f\ o\,o\=x=2"#))
        #expect(s[0].0[0] == Label("__name__", "m_f_o_o_x"))
        // String field values: `\"` and `\\`, commas, spaces, `=` and newlines inside quotes.
        let b = try parse("m s=\"a \\\"q\\\" b,c=d\\\\\",v=3,s2=\"multi\nline\" 5000000")
        #expect(samples(b).map(\.2) == [3])
        #expect(b.skipped.stringFields == 2)
        #expect(b.timestamps == [5])
        // Unicode in tag values is kept; in names it becomes `_`.
        s = samples(try parse("mé,city=Zürich 温度=1"))
        #expect(s[0].0 == [Label("__name__", "m____"), Label("city", "Zürich")])
    }

    @Test func nameSanitizing() throws {
        var s = samples(try parse("9lives,0tag=x,ok:key=y cpu.usage-pct=1"))
        #expect(s[0].0 == [Label("_0tag", "x"), Label("__name__", "_9lives_cpu_usage_pct"), Label("ok_key", "y")])
        // `:` is valid in metric names, not in label names.
        s = samples(try parse("a:b c:d=1"))
        #expect(s[0].0 == [Label("__name__", "a:b_c:d")])
        // Custom separator and extra labels (e.g. `db` from the query string).
        let o = LineProtocolOptions(defaultTimestampMs: 0, errorPolicy: .rejectRequest, measurementFieldSeparator: ":", extraLabels: [Label("db", "telegraf")])
        s = samples(try parse("cpu,host=a idle=1", o))
        #expect(s[0].0 == [Label("__name__", "cpu:idle"), Label("db", "telegraf"), Label("host", "a")])
    }

    @Test func commentsBlankLinesAndCRLF() throws {
        let text = "# a comment\n\n   \ncpu v=1 1000000\r\n  # indented comment\r\n\r\nmem v=2\n"
        let b = try parse(text)
        #expect(samples(b).map(\.0[0].value) == ["cpu_v", "mem_v"])
        #expect(b.timestamps == [1, Self.now])
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        let cases: [(String, LineProtocolError.Reason, Int, Int)] = [
            ("cpu", .missingFields, 1, 4),
            ("cpu ", .missingFields, 1, 5),
            ("cpu,host=a", .missingFields, 1, 11),
            (",host=a v=1", .missingMeasurement, 1, 1),
            ("ok v=1\ncpu,host v=1", .missingTagEquals, 2, 9),
            ("ok v=1\nok v=2\ncpu,=a v=1", .emptyTagKey, 3, 5),
            ("cpu,host= v=1", .emptyTagValue, 1, 10),
            ("cpu v", .missingFieldEquals, 1, 6),
            ("cpu =1", .emptyFieldKey, 1, 5),
            ("cpu v=", .missingFieldValue, 1, 7),
            ("cpu v=1,", .missingFieldEquals, 1, 9),
            ("cpu v=1 12x", .invalidTimestamp, 1, 9),
            ("cpu v=1 1 2", .unexpectedCharacter(UInt8(ascii: "2")), 1, 11),
            ("cpu v=\"abc", .unterminatedString, 1, 7),
            ("a v=1\nb s=\"x\ny\"z", .unexpectedCharacter(UInt8(ascii: "z")), 3, 3),
        ]
        for (text, reason, line, column) in cases {
            let e = error(text)
            #expect(e?.reason == reason, "\(text)")
            #expect(e?.position == TextPosition(line: line, column: column), "\(text): \(String(describing: e))")
        }
        // Control characters in tag values are bytes like any other.
        #expect(error("cpu,host=a\u{1}b v=1") == nil)
        #expect(error("m x")?.description == "line 1, column 4: field is missing '='")
    }

    @Test func invalidUTF8InTagValueIsAnError() {
        var p = LineProtocolParser(options: LineProtocolOptions(defaultTimestampMs: 0, errorPolicy: .rejectRequest))
        var b = IngestBatch()
        let bytes = Array("m,t=".utf8) + [0xFF, 0xFE] + Array(" v=1".utf8)
        #expect(throws: LineProtocolError(.invalidUTF8, at: TextPosition(line: 1, column: 5))) {
            _ = try p.parse(bytes, into: &b)
        }
    }

    @Test func errorPolicies() throws {
        let text = "good v=1\nbad v=x\ngood2 v=2 1000000\nbad2\n"
        // Reject: the first bad line fails the request.
        #expect(throws: LineProtocolError(.invalidFieldValue, at: TextPosition(line: 2, column: 7))) {
            try parse(text, LineProtocolOptions(defaultTimestampMs: 0, errorPolicy: .rejectRequest))
        }
        // Skip (default): good lines kept, bad ones reported in order, nothing of them in the batch.
        var p = LineProtocolParser(options: LineProtocolOptions(defaultTimestampMs: 7, maxReportedErrors: 1))
        var b = IngestBatch()
        let report = try p.parse(Array(text.utf8), into: &b)
        #expect(samples(b).map(\.0[0].value) == ["good_v", "good2_v"])
        #expect(b.timestamps == [7, 1])
        #expect(report.pointLines == 4)
        #expect(report.invalidLines == 2)
        #expect(report.errors == [LineProtocolError(.invalidFieldValue, at: TextPosition(line: 2, column: 7))])
        // A bad line's string fields are not counted.
        b.reset()
        _ = try p.parse(Array("m s=\"x\",v=oops\n".utf8), into: &b)
        #expect(b.skipped.stringFields == 0)
        #expect(b.series.isEmpty)
    }

    @Test func randomInputsNeverTrap() {
        var rng = SeededRandom(seed: 11)
        let alphabet = Array("cpu,host=a v=1.5i u t\"\\ \n#=,e-+0123456789.".utf8) + [0xFF, 0xC3, 0xA9, 0x0D]
        for policy in [LineProtocolOptions.ErrorPolicy.rejectRequest, .skipInvalidLines] {
            var p = LineProtocolParser(options: LineProtocolOptions(defaultTimestampMs: 0, errorPolicy: policy))
            var b = IngestBatch()
            for _ in 0..<3000 {
                let input = rng.bytes(Int.random(in: 0...60, using: &rng), from: alphabet)
                b.reset()
                do {
                    _ = try p.parse(input, into: &b)
                    #expect(b.timestamps.count == b.values.count)
                    #expect(b.series.count == b.sampleCount)
                } catch {
                    #expect(error.position.line >= 1 && error.position.column >= 1)
                }
            }
        }
    }
}
