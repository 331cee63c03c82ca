import Testing

@testable import StrataBench

@Suite struct CanonicalResultTests {
    static func parse(_ json: String) throws -> CanonicalResult { try CanonicalResult.parse(Array(json.utf8)) }

    @Test func matrixIsCanonicalisedAndDigested() throws {
        let a = try Self.parse(#"""
            {"status":"success","data":{"resultType":"matrix","result":[
              {"metric":{"job":"node","instance":"b"},"values":[[1700000000,"1"],[1700000015.5,"2.5"]]},
              {"metric":{"instance":"a","job":"node"},"values":[[1700000000,"NaN"]]}]}}
            """#)
        // The same answer, series and labels in another order, other spacing.
        let b = try Self.parse(#"""
            {"data":{"result":[{"values":[[1700000000,"NaN"]],"metric":{"job":"node","instance":"a"}},
            {"metric":{"instance":"b","job":"node"},"values":[[1700000000, "1"], [1700000015.500, "2.5"]]}],
            "resultType":"matrix"},"status":"success"}
            """#)
        #expect(a == b)
        #expect(a.digest == b.digest)
        #expect(a.digest.count == 16)
        #expect(a.series.map(\.labelText) == [#"{instance="a", job="node"}"#, #"{instance="b", job="node"}"#])
        #expect(a.series[1].points == [.init(t: 1_700_000_000_000, value: "1"), .init(t: 1_700_000_015_500, value: "2.5")])
        #expect(a.pointCount == 3)
        #expect(a.compare(to: b) == .identical)
    }

    @Test func vectorAndScalar() throws {
        let v = try Self.parse(#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.123,"+Inf"]}]}}"#)
        #expect(v.resultType == "vector")
        #expect(v.series == [.init(labels: [], points: [.init(t: 1_700_000_000_123, value: "+Inf")])])
        let s = try Self.parse(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000,"42"]}}"#)
        #expect(s.series[0].points[0].value == "42")
        #expect(s.digest != v.digest)
    }

    @Test func errorsThrowWithTheServersMessage() {
        #expect(throws: BenchError.self) {
            try Self.parse(#"{"status":"error","errorType":"bad_data","error":"parse error at 1:5"}"#)
        }
        do {
            _ = try Self.parse(#"{"status":"error","errorType":"bad_data","error":"parse error at 1:5"}"#)
        } catch {
            #expect("\(error)".contains("bad_data: parse error at 1:5"))
        }
        #expect(throws: BenchError.self) { try Self.parse("not json") }
        #expect(throws: BenchError.self) { try Self.parse(#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{}}]}}"#) }
    }

    static func series(_ values: [String], labels: [CanonicalResult.Pair] = [.init("a", "1")], start: Int64 = 0) -> CanonicalResult {
        CanonicalResult(resultType: "matrix", series: [
            .init(labels: labels, points: values.enumerated().map { .init(t: start + Int64($0.offset) * 1000, value: $0.element) })
        ])
    }

    @Test func comparisonTolerance() {
        let ref = Self.series(["1", "0.30000000000000004", "NaN", "+Inf"])
        #expect(Self.series(["1", "0.30000000000000004", "NaN", "+Inf"]).compare(to: ref) == .identical)
        if case .withinTolerance(let e) = Self.series(["1", "0.3", "NaN", "+Inf"]).compare(to: ref) {
            #expect(e > 0 && e < 1e-15)
        } else {
            Issue.record("0.3 vs 0.30000000000000004 is within 1e-9")
        }
        #expect(!Self.series(["1", "0.3000001", "NaN", "+Inf"]).compare(to: ref).isMatch)
        #expect(!Self.series(["1", "0.3", "1", "+Inf"]).compare(to: ref).isMatch)
        #expect(!Self.series(["1", "0.3", "NaN", "-Inf"]).compare(to: ref).isMatch)
        #expect(!Self.series(["1", "0.3", "NaN"]).compare(to: ref).isMatch)
        #expect(!Self.series(["1", "0.3", "NaN", "+Inf"], start: 1).compare(to: ref).isMatch)
        #expect(!Self.series(["1", "0.3", "NaN", "+Inf"], labels: [.init("a", "2")]).compare(to: ref).isMatch)
        let message = "\(Self.series(["1", "2", "NaN", "+Inf"]).compare(to: ref))"
        #expect(message == #"MISMATCH: {a="1"} at t=1000: 2 vs 0.30000000000000004"#)
    }
}
