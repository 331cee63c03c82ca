import Testing
import StrataIngest

@Suite struct ExpositionTests {
    static let scrapeTime: Int64 = 1_700_000_000_000

    func parse(_ text: String, _ format: ExpositionParser.Format = .prometheusText, dropCreated: Bool = false) throws(ExpositionError) -> IngestBatch {
        var p = ExpositionParser(options: .init(format: format, defaultTimestampMs: Self.scrapeTime, dropCreatedSeries: dropCreated))
        var b = IngestBatch()
        try p.parse(Array(text.utf8), into: &b)
        return b
    }

    func error(_ text: String, _ format: ExpositionParser.Format = .prometheusText) -> ExpositionError? {
        do {
            _ = try parse(text, format)
            return nil
        } catch {
            return error
        }
    }

    /// "labels value@timestamp" per sample, labels in `Labels.description` form.
    func lines(_ b: IngestBatch) -> [String] {
        b.series.map { s in
            let i = s.samples.lowerBound
            return "\(s.labels) \(b.values[i])@\(b.timestamps[i])"
        }
    }

    @Test func prometheusTextWithEveryMetricType() throws {
        let text = """
        # HELP http_requests_total The total number of HTTP requests.
        # TYPE http_requests_total counter
        http_requests_total{method="post",code="200"} 1027 1395066363000
        http_requests_total{method="post",code="400"}    3 1395066363000

        # Escaping in label values:
        msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9

        # Minimalistic line:
        metric_without_timestamp_and_labels 12.47

        # A weird metric from before the epoch:
        something_weird{problem="division by zero"} +Inf -3982045

        # TYPE http_request_duration_seconds histogram
        http_request_duration_seconds_bucket{le="0.05"} 24054
        http_request_duration_seconds_bucket{le="+Inf"} 144320
        http_request_duration_seconds_sum 53423
        http_request_duration_seconds_count 144320

        # TYPE rpc_duration_seconds summary
        rpc_duration_seconds{quantile="0.5"} 4773
        rpc_duration_seconds_sum 1.7560473e+07
        rpc_duration_seconds_count 2693
        # TYPE up gauge
        up NaN
        # TYPE misc untyped
        misc{a="1",} -Inf
        """
        let b = try parse(text)
        #expect(lines(b) == [
            #"http_requests_total{code="200", method="post"} 1027.0@1395066363000"#,
            #"http_requests_total{code="400", method="post"} 3.0@1395066363000"#,
            #"msdos_file_access_time_seconds{error="Cannot find file:\n\"FILE.TXT\"", path="C:\\DIR\\FILE.TXT"} 1458255915.0@1700000000000"#,
            "metric_without_timestamp_and_labels{} 12.47@1700000000000",
            #"something_weird{problem="division by zero"} inf@-3982045"#,
            #"http_request_duration_seconds_bucket{le="0.05"} 24054.0@1700000000000"#,
            #"http_request_duration_seconds_bucket{le="+Inf"} 144320.0@1700000000000"#,
            "http_request_duration_seconds_sum{} 53423.0@1700000000000",
            "http_request_duration_seconds_count{} 144320.0@1700000000000",
            #"rpc_duration_seconds{quantile="0.5"} 4773.0@1700000000000"#,
            "rpc_duration_seconds_sum{} 17560473.0@1700000000000",
            "rpc_duration_seconds_count{} 2693.0@1700000000000",
            "up{} nan@1700000000000",
            #"misc{a="1"} -inf@1700000000000"#,
        ])
        // The escaped value decodes exactly.
        #expect(b.series[2].labels["error"] == "Cannot find file:\n\"FILE.TXT\"")
        #expect(b.series[2].labels["path"] == #"C:\DIR\FILE.TXT"#)
        #expect(b.metadata == [
            MetricMetadata(type: .counter, familyName: "http_requests_total", help: "The total number of HTTP requests."),
            MetricMetadata(type: .histogram, familyName: "http_request_duration_seconds"),
            MetricMetadata(type: .summary, familyName: "rpc_duration_seconds"),
            MetricMetadata(type: .gauge, familyName: "up"),
            MetricMetadata(type: .unknown, familyName: "misc"),
        ])
        for s in b.series { try s.labels.validate() }
    }

    @Test func helpEscapesAndWhitespace() throws {
        let b = try parse("# HELP a Line one\\nline two \\\\ back\\slash  \n\t# TYPE   a\tgauge  \n  a{ x = \"1\" , y=\"2\" }\t3 \r\n#HELP not metadata\n# just a comment\n")
        #expect(b.metadata == [MetricMetadata(type: .gauge, familyName: "a", help: "Line one\nline two \\ back\\slash")])
        #expect(lines(b) == [#"a{x="1", y="2"} 3.0@1700000000000"#])
    }

    @Test func specialValuesAndUnknownEscapes() throws {
        let b = try parse("a nan\nb Inf\nc -inf\nd +Infinity\nf{v=\"a\\tb\"} 1\n")
        #expect(b.values[0].isNaN)
        #expect(b.values[1...3] == [.infinity, -.infinity, .infinity])
        // Unknown escapes keep their backslash, as in Prometheus.
        #expect(b.series[4].labels["v"] == "a\\tb")
        #expect(error("e 0x1")?.reason == .invalidValue)
    }

    @Test func openMetrics() throws {
        let text = """
        # TYPE acme_http_router_request_seconds summary
        # UNIT acme_http_router_request_seconds seconds
        # HELP acme_http_router_request_seconds Latency though all of ACME's HTTP request router.
        acme_http_router_request_seconds_sum{path="/api/v1",method="GET"} 9036.32
        acme_http_router_request_seconds_count{path="/api/v1",method="GET"} 807283.0
        acme_http_router_request_seconds_created{path="/api/v1",method="GET"} 1605281325.0
        # TYPE foo histogram
        foo_bucket{le="0.0"} 0 1520879607.789
        foo_bucket{le="1e-05"} 0 # {trace_id="KOO5S4vxi0o"} 0.67
        foo_bucket{le="+Inf"} 17 1520879607.7 # {trace_id="oHg5SJYRHA0"} 9.8 1520879602.123
        foo_count 17
        foo_sum 324789.3
        foo_created 1520430000.123
        # TYPE bar info
        bar_info{version="1.0"} 1
        # TYPE baz stateset
        baz{baz="a"} 1
        # TYPE qux gaugehistogram
        qux_bucket{le="1"} 2
        qux_gcount 2
        # EOF

        """
        let b = try parse(text, .openMetrics)
        #expect(b.sampleCount == 13)
        #expect(b.skipped.exemplars == 2)
        #expect(b.timestamps[3...5] == [1_520_879_607_789, Self.scrapeTime, 1_520_879_607_700])
        #expect(b.metadata[0] == MetricMetadata(type: .summary, familyName: "acme_http_router_request_seconds",
                                               help: "Latency though all of ACME's HTTP request router.", unit: "seconds"))
        #expect(b.metadata.map(\.type) == [.summary, .histogram, .info, .stateset, .gaugeHistogram])
        // `_created` of counting families can be dropped.
        let dropped = try parse(text, .openMetrics, dropCreated: true)
        #expect(dropped.sampleCount == 11)
        #expect(dropped.skipped.createdSeries == 2)
        #expect(!dropped.series.contains { $0.labels.metricName?.hasSuffix("_created") == true })
    }

    @Test func openMetricsTimestamps() throws {
        let b = try parse("a 1 0.001\nb 1 -0.0005\nc 1 1.5e3\nd 1 -1\ne 1 1520879607.7891\n# EOF\n", .openMetrics)
        #expect(b.timestamps == [1, -1, 1_500_000, -1000, 1_520_879_607_789])
    }

    @Test func openMetricsRules() {
        #expect(error("a 1\n", .openMetrics)?.reason == .missingEOF)
        #expect(error("a 1\n", .openMetrics)?.position == TextPosition(line: 2, column: 1))
        #expect(error("# EOF\na 1\n", .openMetrics)?.reason == .contentAfterEOF)
        // Blank lines are tolerated everywhere, after `# EOF` too.
        #expect(error("# EOF\n\n \n", .openMetrics) == nil)
        #expect(error("# TYPE h histogram\nh_bucket{x=\"1\"} 1\n# EOF", .openMetrics)?.reason == .invalidBucketBound)
        #expect(error("# TYPE h histogram\nh_bucket{le=\"x\"} 1\n# EOF", .openMetrics)?.reason == .invalidBucketBound)
        #expect(error("# TYPE s summary\ns{q=\"1\"} 1\n# EOF", .openMetrics)?.reason == .invalidQuantile)
        #expect(error("a 1 # {x=\"1\"}\n# EOF", .openMetrics)?.reason == .invalidExemplar)
        #expect(error("a 1 # x\n# EOF", .openMetrics)?.reason == .invalidExemplar)
        // In the Prometheus format, `# EOF` is a comment and exemplars are errors.
        #expect(error("# EOF\na 1\n") == nil)
        #expect(error("a 1 # {x=\"1\"} 1")?.reason == .unexpectedCharacter(UInt8(ascii: "#")))
        // Bucket checks are OpenMetrics-only.
        #expect(error("# TYPE h histogram\nh_bucket{x=\"1\"} 1\n") == nil)
    }

    @Test func syntaxErrorsCarryLineAndColumn() {
        let cases: [(String, ExpositionError.Reason, Int, Int)] = [
            ("ok 1\n9bad 1", .invalidMetricName, 2, 1),
            ("a{1x=\"v\"} 1", .invalidLabelName, 1, 3),
            ("a{x \"v\"} 1", .missingLabelEquals, 1, 5),
            ("a{x=v} 1", .expectedLabelValueQuote, 1, 5),
            ("a{x=\"v} 1", .unterminatedLabelValue, 1, 5),
            ("a{x=\"v\" y=\"w\"} 1", .expectedCommaOrBrace, 1, 9),
            ("a{x=\"v\"", .expectedCommaOrBrace, 1, 8),
            ("ok 1\n\nmetric", .missingValue, 3, 7),
            ("metric{}", .missingValue, 1, 9),
            ("metric abc", .invalidValue, 1, 8),
            ("metric 1 12.5", .invalidTimestamp, 1, 10),
            ("metric 1 2 3", .unexpectedCharacter(UInt8(ascii: "3")), 1, 12),
            ("metric-x 1", .unexpectedCharacter(UInt8(ascii: "-")), 1, 7),
            ("# TYPE m flurb", .invalidType("flurb"), 1, 10),
            ("# TYPE m", .invalidType(""), 1, 9),
            ("# TYPE m gauge extra", .unexpectedCharacter(UInt8(ascii: "e")), 1, 16),
            ("# HELP", .invalidMetricName, 1, 7),
            ("# HELP 1x y", .invalidMetricName, 1, 8),
        ]
        for (text, reason, line, column) in cases {
            let e = error(text)
            #expect(e?.reason == reason, "\(text)")
            #expect(e?.position == TextPosition(line: line, column: column), "\(text): \(String(describing: e))")
        }
    }

    @Test func invalidUTF8AndBatchRestore() throws {
        var p = ExpositionParser(options: .init(defaultTimestampMs: 0))
        var b = IngestBatch()
        try p.parse(Array("a 1\n".utf8), into: &b)
        let bad = Array("b 2\nc{x=\"".utf8) + [0xFF] + Array("\"} 1\n".utf8)
        #expect(throws: ExpositionError(.invalidUTF8, at: TextPosition(line: 2, column: 6))) { try p.parse(bad, into: &b) }
        #expect(b.sampleCount == 1)
        #expect(b.series.count == 1)
        #expect(b.metadata.isEmpty)
    }

    @Test func formatFromContentType() {
        #expect(ExpositionParser.Format(contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8") == .openMetrics)
        #expect(ExpositionParser.Format(contentType: "text/plain; version=0.0.4") == .prometheusText)
    }

    @Test func randomInputsNeverTrap() {
        var rng = SeededRandom(seed: 31)
        let alphabet = Array("# HELP TYPE EOF counter histogram a_bucket{le=\"1\",x=\"\\n\\\"\"} 1.5 -Inf NaN 123\n\t,=".utf8) + [0xFF, 0xE2, 0x0D]
        for format in [ExpositionParser.Format.prometheusText, .openMetrics] {
            var p = ExpositionParser(options: .init(format: format, defaultTimestampMs: 0, dropCreatedSeries: true))
            var b = IngestBatch()
            for _ in 0..<3000 {
                let input = rng.bytes(Int.random(in: 0...80, using: &rng), from: alphabet)
                b.reset()
                do {
                    try p.parse(input, into: &b)
                    #expect(b.series.count == b.sampleCount)
                } catch {
                    #expect(error.position.line >= 1 && error.position.column >= 1)
                    #expect(b.sampleCount == 0 && b.metadata.isEmpty)
                }
            }
        }
    }
}
