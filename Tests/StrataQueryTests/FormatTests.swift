import Testing
@testable import StrataQuery

/// Go-compatible number and string spellings, durations, and format_query.
@Suite struct FormatTests {
    @Test func goFloatFormatting() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "-0"), (1, "1"), (-1, "-1"), (0.5, "0.5"), (100000, "100000"), (999999, "999999"),
            (1e6, "1e+06"), (1234567, "1.234567e+06"), (0.0001, "0.0001"), (0.00012, "0.00012"), (1e-5, "1e-05"),
            (1.5e-7, "1.5e-07"), (123.456, "123.456"), (1e21, "1e+21"), (1e100, "1e+100"), (.leastNonzeroMagnitude, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (0.1, "0.1"), (1.0 / 3, "0.3333333333333333"),
            (2.5e15, "2.5e+15"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (.nan, "NaN"), (12345.678, "12345.678"),
        ]
        for (v, s) in cases { #expect(GoFormat.float(v) == s, "\(v)") }
    }

    @Test func goQuoting() {
        #expect(GoFormat.quote("plain") == #""plain""#)
        #expect(GoFormat.quote("a\"b\\c") == #""a\"b\\c""#)
        #expect(GoFormat.quote("\u{07}\u{08}\u{0C}\n\r\t\u{0B}") == #""\a\b\f\n\r\t\v""#)
        #expect(GoFormat.quote("\u{0}\u{1F}\u{7F}") == #""\x00\x1f\x7f""#)
        #expect(GoFormat.quote("é☺😀") == "\"é☺😀\"")
        #expect(GoFormat.quote("\u{A0}\u{AD}\u{200B}\u{2028}") == #""\u00a0\u00ad\u200b\u2028""#)
        #expect(GoFormat.quote("\u{E0001}") == #""\U000e0001""#)
        #expect(GoFormat.quoteRune("'") == #"'\''"#)
        #expect(GoFormat.quoteRune("\"") == #"'"'"#)
        #expect(GoFormat.quoteRune(nil) == "'\u{FFFD}'")
        #expect(GoFormat.unicodeNotation("c") == "U+0063 'c'")
        #expect(GoFormat.unicodeNotation("\n") == "U+000A")
        #expect(GoFormat.unicodeNotation("😀") == "U+1F600 '😀'")
        #expect(GoFormat.fixed(1.5, precision: 3) == "1.500")
        #expect(GoFormat.fixed(-.infinity, precision: 6) == "-Inf")
    }

    @Test func durations() throws {
        let parsed: [(String, Int64)] = [
            ("0", 0), ("1ms", 1), ("1s", 1000), ("1m", 60_000), ("1h", 3_600_000), ("1d", 86_400_000),
            ("1w", 604_800_000), ("1y", 31_536_000_000), ("1h30m", 5_400_000), ("1y2w3d4h5m6s7ms", 33_019_506_007),
            ("90s", 90_000), ("0s", 0),
        ]
        for (s, ms) in parsed { #expect(try PromDuration.parse(s) == ms, "\(s)") }
        for bad in ["", "1", "5.5m", "1ms1s", "1m1m", "1h1d", "m", "1x", "-1m", "1 m"] {
            #expect(throws: PromDuration.ParseError.invalid(bad)) { try PromDuration.parse(bad) }
        }
        #expect(throws: PromDuration.ParseError.outOfRange) { try PromDuration.parse("293y") }
        #expect(throws: PromDuration.ParseError.outOfRange) { try PromDuration.parse("99999999999999999999ms") }
        #expect(try PromDuration.parse("292y") == 292 * 31_536_000_000)
        let formatted: [(Int64, String)] = [
            (0, "0s"), (1, "1ms"), (1500, "1s500ms"), (90_000, "1m30s"), (5_400_000, "1h30m"), (86_400_000, "1d"),
            (604_800_000, "1w"), (1_209_600_000, "2w"), (691_200_000, "8d"), (31_536_000_000, "1y"), (31_622_400_000, "366d"),
            (63_072_000_000, "2y"),
        ]
        for (ms, s) in formatted { #expect(PromDuration.format(ms) == s, "\(ms)") }
    }

    @Test func numberParsingFollowsGo() {
        func v(_ s: String) -> Double? { try? GoNumber.parse(s).get() }
        #expect(v("0x10") == 16)
        #expect(v("010") == 8)
        #expect(v("018") == 18)
        #expect(v("9223372036854775807") == Double(Int64.max))
        #expect(v("18446744073709551616") == 18446744073709551616)
        #expect(v("1e308") == 1e308)
        #expect(v("1e309") == nil)
        #expect(v(".") == nil)
        #expect(v("1e+") == nil)
        #expect(v("INF") == .infinity)
    }

    @Test func prettyKeepsShortQueriesOnOneLine() throws {
        #expect(try formatPromQL("sum(rate(x[5m]))by(job)") == "sum by (job) (rate(x[5m]))")
        #expect(try formatPromQL("  foo  {  a = 'b'  }  ") == "foo{a=\"b\"}")
    }

    @Test func prettySplitsLongBinaryExpressions() throws {
        let q = #"sum by (job) (rate(http_requests_total{job="api-server",handler="/api/comments"}[5m])) / sum by (job) (rate(http_requests_total{job="api-server"}[5m]))"#
        #expect(try formatPromQL(q) == """
              sum by (job) (rate(http_requests_total{handler="/api/comments",job="api-server"}[5m]))
            /
              sum by (job) (rate(http_requests_total{job="api-server"}[5m]))
            """)
    }

    @Test func prettySplitsLongCallsAndAggregations() throws {
        let q = #"histogram_quantile(0.9, sum by (le, job, instance, handler) (rate(http_request_duration_seconds_bucket{job="api"}[5m])))"#
        #expect(try formatPromQL(q) == """
            histogram_quantile(
              0.9,
              sum by (le, job, instance, handler) (rate(http_request_duration_seconds_bucket{job="api"}[5m]))
            )
            """)
        let agg = #"sum without (instance, pod, container, namespace) (rate(container_cpu_usage_seconds_total{image!="",container!="POD"}[5m]))"#
        #expect(try formatPromQL(agg) == """
            sum without (instance, pod, container, namespace) (
              rate(container_cpu_usage_seconds_total{container!="POD",image!=""}[5m])
            )
            """)
        let top = #"topk(10, sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{image!=""}[5m])))"#
        #expect(try formatPromQL(top) == """
            topk(
              10,
              sum by (namespace, pod, container) (rate(container_cpu_usage_seconds_total{image!=""}[5m]))
            )
            """)
    }

    @Test func prettySplitsParensUnaryAndSubqueries() throws {
        let long = "a_very_long_metric_name_for_testing_purposes_number_one + a_very_long_metric_name_for_testing_purposes_number_two"
        #expect(try formatPromQL("-(" + long + ")") == """
            -(
                a_very_long_metric_name_for_testing_purposes_number_one
              +
                a_very_long_metric_name_for_testing_purposes_number_two
            )
            """)
        #expect(try formatPromQL("(" + long + ")[5m:1m]") == """
            (
                a_very_long_metric_name_for_testing_purposes_number_one
              +
                a_very_long_metric_name_for_testing_purposes_number_two
            )[5m:1m]
            """)
    }

    @Test func prettyOutputParsesBack() throws {
        for (q, _) in ParseCases.valid {
            let e = try parsePromQL(q)
            #expect(try parsePromQL(e.prettyPrinted()) == e)
            guard e.type == .vector else { continue }
            let nested = try parsePromQL("sum by (some_grouping_label, another_grouping_label) (rate(some_long_metric_name_total[5m])) / on(x) group_left() (\(q)\n * 1) ")
            #expect(try parsePromQL(nested.prettyPrinted()) == nested)
        }
    }
}
