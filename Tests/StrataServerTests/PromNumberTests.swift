import Testing
@testable import StrataServer

/// Prometheus' JSON number formatting (Go's FormatFloat 'f'/-1, 'e' outside
/// [1e-6, 1e21)); the whole-number fast path must agree with the general one.
@Suite struct PromNumberTests {
    @Test func valuesAsPrometheusWritesThem() {
        let cases: [(Double, String)] = [
            (0, "0"), (-0.0, "-0"), (1, "1"), (-1, "-1"), (42, "42"), (1e15, "1000000000000000"),
            (9_007_199_254_740_991, "9007199254740991"), (9_007_199_254_740_992, "9007199254740992"),
            (-9_007_199_254_740_993, "-9007199254740992"), (1e20, "100000000000000000000"), (1e21, "1e+21"),
            (0.5, "0.5"), (-2.25, "-2.25"), (0.1 + 0.2, "0.30000000000000004"), (1e-6, "0.000001"), (1e-7, "1e-07"),
            (123456.789, "123456.789"), (.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"),
            (1.7976931348623157e308, "1.7976931348623157e+308"), (5e-324, "5e-324"),
        ]
        for (v, text) in cases {
            #expect(PromNumber.formatValue(v) == text, "\(v)")
        }
    }

    @Test func timestamps() {
        let cases: [(Int64, String)] = [
            (0, "0"), (1_000, "1"), (1_795_913_685_050, "1795913685.050"), (-1, "-0.001"), (-1_000, "-1"),
            (-1_500, "-1.500"), (Int64.max, "9223372036854775.807"), (12_345, "12.345"),
        ]
        for (ms, text) in cases {
            #expect(PromNumber.formatTimestamp(ms) == text, "\(ms)")
        }
    }
}
