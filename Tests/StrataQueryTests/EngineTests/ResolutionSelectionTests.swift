import Testing
import StrataTestSupport
@testable import StrataQuery

/// Which rollup window a range query reads (issue #5).
@Suite struct ResolutionSelectionTests {
    let windows: [Int64] = [300_000, 3_600_000]

    @Test func autoPicksTheCoarsestWindowNoLongerThanTheStep() throws {
        #expect(try QueryEngine.rollupWindow(.auto, step: 15_000, available: windows) == (0, false))
        #expect(try QueryEngine.rollupWindow(.auto, step: 300_000, available: windows) == (300_000, false))
        #expect(try QueryEngine.rollupWindow(.auto, step: 1_800_000, available: windows) == (300_000, false))
        #expect(try QueryEngine.rollupWindow(.auto, step: 3_600_000, available: windows) == (3_600_000, false))
        #expect(try QueryEngine.rollupWindow(.auto, step: 86_400_000, available: windows) == (3_600_000, false))
        #expect(try QueryEngine.rollupWindow(.auto, step: 86_400_000, available: []) == (0, false))
    }

    @Test func rawAndForcedWindows() throws {
        #expect(try QueryEngine.rollupWindow(.raw, step: 86_400_000, available: windows) == (0, false))
        #expect(try QueryEngine.rollupWindow(.window(300_000), step: 15_000, available: windows) == (300_000, true))
        #expect(throws: QueryError.self) { try QueryEngine.rollupWindow(.window(420_000), step: 60_000, available: windows) }
    }

    /// Without rollups, `auto` answers exactly as `raw`.
    @Test func autoWithoutRollupsIsRaw() async throws {
        let tmp = try TempDirectory("resolution")
        defer { tmp.remove() }
        let db = try Database.open(directory: tmp.sub("data"), logger: quietLogger)
        defer { try? db.close() }
        var app = db.appender()
        for i in 0..<2_000 { try app.append(Labels(["__name__": "g", "k": "v"]), Int64(i) * 15_000, Double(i % 97)) }
        _ = try await app.commit()
        let engine = QueryEngine(storage: db)
        for q in ["avg_over_time(g[10m])", "g", "rate(g[15m])", "quantile_over_time(0.9, g[1h])"] {
            let e = try parsePromQL(q)
            guard case .matrix(let a) = try engine.rangeQuery(e, start: 3_600_000, end: 28_800_000, step: 3_600_000, resolution: .auto),
                  case .matrix(let b) = try engine.rangeQuery(e, start: 3_600_000, end: 28_800_000, step: 3_600_000, resolution: .raw) else {
                Issue.record("not a matrix"); return
            }
            #expect(a == b, "\(q)")
        }
    }
}
