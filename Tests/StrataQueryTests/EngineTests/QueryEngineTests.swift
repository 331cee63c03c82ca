import Foundation
import Testing
import StrataTestSupport
@testable import StrataQuery

/// The engine's API, result shapes and limits.
@Suite struct QueryEngineTests {
    /// A database with `up{job=...}` every 15 s for an hour.
    static func withData(_ body: (QueryEngine, Database) async throws -> Void) async throws {
        let tmp = try TempDirectory("engine")
        defer { tmp.remove() }
        let db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
        var app = db.appender()
        for job in ["a", "b", "c"] {
            for i in 0..<240 {
                try app.append(Labels(["__name__": "up", "job": job]), Int64(i) * 15_000, Double(i))
            }
        }
        _ = try await app.commit()
        try await body(QueryEngine(storage: db), db)
        try? db.close()
    }

    @Test func instantVectorScalarStringAndMatrix() async throws {
        try await Self.withData { engine, _ in
            guard case .vector(let v) = try engine.instantQuery(try parsePromQL("up"), at: 60_000) else {
                Issue.record("not a vector"); return
            }
            #expect(v.map(\.value) == [4, 4, 4])
            #expect(v.allSatisfy { $0.timestamp == 60_000 })
            guard case .scalar(let t, let s) = try engine.instantQuery(try parsePromQL("1 + 1"), at: 5) else {
                Issue.record("not a scalar"); return
            }
            #expect(t == 5 && s == 2)
            guard case .string(_, let str) = try engine.instantQuery(try parsePromQL("\"hello\""), at: 0) else {
                Issue.record("not a string"); return
            }
            #expect(str == "hello")
            guard case .matrix(let m) = try engine.instantQuery(try parsePromQL("up{job=\"a\"}[1m]"), at: 60_000) else {
                Issue.record("not a matrix"); return
            }
            #expect(m.count == 1)
            #expect(m[0].timestamps == [0, 15_000, 30_000, 45_000, 60_000])
        }
    }

    @Test func rangeQueryIsSortedAndUnaligned() async throws {
        try await Self.withData { engine, _ in
            guard case .matrix(let m) = try engine.rangeQuery(try parsePromQL("up"), start: 7_000, end: 67_000, step: 20_000) else {
                Issue.record("not a matrix"); return
            }
            #expect(m.map { $0.labels["job"] } == ["a", "b", "c"])
            #expect(m[0].timestamps == [7_000, 27_000, 47_000, 67_000])
            #expect(m[0].values == [0, 1, 3, 4])
        }
    }

    @Test func rangeQueryRejectsBadParameters() async throws {
        try await Self.withData { engine, _ in
            let e = try parsePromQL("up")
            #expect(throws: QueryError(.badData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")) {
                try engine.rangeQuery(e, start: 0, end: 11_001_000, step: 1000)
            }
            #expect((try? engine.rangeQuery(e, start: 0, end: 11_000_000, step: 1000)) != nil)
            #expect(throws: QueryError.self) { try engine.rangeQuery(e, start: 10, end: 0, step: 1) }
            #expect(throws: QueryError.self) { try engine.rangeQuery(e, start: 0, end: 10, step: 0) }
            #expect(throws: QueryError(.badData, "invalid expression type \"range vector\" for range query, must be Scalar or instant Vector")) {
                try engine.rangeQuery(try parsePromQL("up[5m]"), start: 0, end: 10, step: 1)
            }
        }
    }

    @Test func maxSamplesLimit() async throws {
        try await Self.withData { _, db in
            var limits = QueryLimits()
            limits.maxSamples = 100
            let engine = QueryEngine(storage: db, limits: limits)
            #expect(throws: QueryError(.execution, "query processing would load too many samples into memory in query execution")) {
                try engine.rangeQuery(try parsePromQL("up"), start: 0, end: 3_600_000, step: 15_000)
            }
            #expect(throws: QueryError.self) {
                try engine.instantQuery(try parsePromQL("up[1h]"), at: 3_600_000)
            }
            #expect((try? engine.instantQuery(try parsePromQL("up"), at: 0)) != nil)
        }
    }

    @Test func timeoutLimit() async throws {
        try await Self.withData { _, db in
            var limits = QueryLimits()
            limits.timeout = .zero
            let engine = QueryEngine(storage: db, limits: limits)
            #expect(throws: QueryError(.timeout, "query timed out in expression evaluation")) {
                try engine.instantQuery(try parsePromQL("sum(up)"), at: 0)
            }
        }
    }

    @Test func subqueryStepsAreAlignedToTheStep() {
        #expect(Evaluator.alignUp(61_000, 10_000) == 70_000)
        #expect(Evaluator.alignUp(60_000, 10_000) == 60_000)
        #expect(Evaluator.alignUp(-61_000, 10_000) == -60_000)
        #expect(Evaluator.alignUp(-60_000, 10_000) == -60_000)
    }

    /// A hostile `label_replace` regex over a long label value: the
    /// linear-time pre-check answers "no match" (the series keeps its
    /// labels) where backtracking would try exponentially many splits.
    @Test func labelReplaceWithNestedRepetitionOnALongValue() async throws {
        let long = String(repeating: "a", count: 5_000)
        try await Self.withData { engine, _ in
            let q = "label_replace(vector(1), \"x\", \"$1\", \"src\", \"(a+)+b\")"
            let plain = try parsePromQL(q.replacingOccurrences(of: "vector(1)", with: "label_replace(vector(1), \"src\", \"\(long)c\", \"\", \"\")"))
            guard case .vector(let v) = try engine.instantQuery(plain, at: 0) else { Issue.record("not a vector"); return }
            #expect(v.count == 1)
            #expect(v.first?.labels["x"] == nil)
            #expect(v.first?.labels["src"] == long + "c")
            let matching = try parsePromQL(q.replacingOccurrences(of: "vector(1)", with: "label_replace(vector(1), \"src\", \"\(long)b\", \"\", \"\")"))
            guard case .vector(let w) = try engine.instantQuery(matching, at: 0) else { Issue.record("not a vector"); return }
            // Greedy, as RE2: the one iteration of the group takes every a.
            #expect(w.first?.labels["x"] == long)
        }
    }

    @Test func goFloatFormatting() {
        #expect(GoFormat.floatF(1e21) == "1000000000000000000000")
        #expect(GoFormat.floatF(1e-7) == "0.0000001")
        #expect(GoFormat.floatF(0.1) == "0.1")
        #expect(GoFormat.floatF(-2.5) == "-2.5")
        #expect(GoFormat.floatF(.infinity) == "+Inf")
        #expect(GoFormat.floatF(-0.0) == "-0")
        // strconv.FormatFloat(v, 'e', -1, 64)
        #expect(GoFormat.floatE(2.7) == "2.7e+00")
        #expect(GoFormat.floatE(1e-7) == "1e-07")
        #expect(GoFormat.floatE(-123456.5) == "-1.234565e+05")
        #expect(GoFormat.floatE(0) == "0e+00")
        #expect(GoFormat.floatE(-0.0) == "-0e+00")
        #expect(GoFormat.floatE(.nan) == "NaN")
        #expect(GoFormat.floatE(-.infinity) == "-Inf")
        // fmt.Sprint(float64)
        #expect(GoFormat.float(100000) == "100000")
        #expect(GoFormat.float(1e6) == "1e+06")
        #expect(GoFormat.float(0.0001) == "0.0001")
        #expect(GoFormat.float(0.00001) == "1e-05")
    }

    @Test func datesMatchCivilCalendar() {
        // 2024-02-29T12:00:00Z
        let t = 1_709_208_000.0
        #expect(DatePart.year.value(ofUnixSeconds: t) == 2024)
        #expect(DatePart.month.value(ofUnixSeconds: t) == 2)
        #expect(DatePart.dayOfMonth.value(ofUnixSeconds: t) == 29)
        #expect(DatePart.daysInMonth.value(ofUnixSeconds: t) == 29)
        #expect(DatePart.dayOfYear.value(ofUnixSeconds: t) == 60)
        #expect(DatePart.dayOfWeek.value(ofUnixSeconds: t) == 4)
        #expect(DatePart.hour.value(ofUnixSeconds: t) == 12)
        #expect(DatePart.year.value(ofUnixSeconds: -1) == 1969)
    }

    @Test func stalenessMarkersNeverAppearInResults() async throws {
        let tmp = try TempDirectory("engine")
        defer { tmp.remove() }
        let db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
        var app = db.appender()
        let l = Labels(["__name__": "x"])
        try app.append(l, 0, 1)
        try app.append(l, 10_000, Double(bitPattern: 0x7ff0_0000_0000_0002))
        try app.append(l, 20_000, .nan)
        _ = try await app.commit()
        let engine = QueryEngine(storage: db)
        guard case .matrix(let raw) = try engine.instantQuery(try parsePromQL("x[1m]"), at: 30_000) else {
            Issue.record(); return
        }
        #expect(raw[0].timestamps == [0, 20_000])
        #expect(raw[0].values[1].isNaN && raw[0].values[1].bitPattern != 0x7ff0_0000_0000_0002)
        guard case .matrix(let m) = try engine.rangeQuery(try parsePromQL("x"), start: 0, end: 20_000, step: 5_000) else {
            Issue.record(); return
        }
        #expect(m[0].timestamps == [0, 5_000, 20_000])
        try? db.close()
    }
}
