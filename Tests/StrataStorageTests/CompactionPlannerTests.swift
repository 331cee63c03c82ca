import Testing
@testable import StrataStorage

let h: Int64 = 3_600_000
let day: Int64 = 24 * h

/// A meta with a readable id ("a", "b"…), range in hours.
func meta(_ id: String, _ fromH: Int64, _ toH: Int64, resolution: Int64 = 0, level: Int = 1,
          sources: [String]? = nil, parents: [String] = [], rollupSource: String? = nil) -> BlockMeta {
    var m = BlockMeta(id: BlockID.generate(), minTime: fromH * h, maxTime: toH * h)
    m.id = id
    m.resolution = resolution
    m.compaction.level = level
    m.compaction.sources = sources ?? [id]
    m.compaction.parents = parents
    m.rollupSource = rollupSource
    return m
}

@Suite struct CompactionPlannerTests {
    let planner = CompactionPlanner(ranges: [2 * h, 12 * h, 3 * day], maxBlockSpan: 3 * day)

    struct Case: CustomStringConvertible {
        var name: String
        var blocks: [BlockMeta]
        var tombstoned: Set<String> = []
        var expected: [CompactionTask]
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "nothing", blocks: [], expected: []),
        Case(name: "one block", blocks: [meta("a", 0, 2)], expected: []),
        Case(name: "open 12 h window is left alone",
             blocks: [meta("a", 0, 2), meta("b", 2, 4), meta("c", 4, 6)], expected: []),
        Case(name: "complete 12 h window merges",
             blocks: (0..<7).map { meta("b\($0)", Int64($0) * 2, Int64($0) * 2 + 2) },
             expected: [CompactionTask(reason: .level(1), sources: (0..<6).map { "b\($0)" }, minTime: 0, maxTime: 12 * h)]),
        Case(name: "a window full of blocks merges even as the newest",
             blocks: (0..<6).map { meta("b\($0)", Int64($0) * 2, Int64($0) * 2 + 2) },
             expected: [CompactionTask(reason: .level(1), sources: (0..<6).map { "b\($0)" }, minTime: 0, maxTime: 12 * h)]),
        Case(name: "gaps: complete window with two blocks merges to their union",
             blocks: [meta("a", 2, 4), meta("b", 8, 10), meta("c", 12, 14)],
             expected: [CompactionTask(reason: .level(1), sources: ["a", "b"], minTime: 2 * h, maxTime: 10 * h)]),
        Case(name: "complete 3 d window merges straight from 2 h blocks",
             blocks: (0..<37).map { meta("b\($0)", Int64($0) * 2, Int64($0) * 2 + 2) },
             expected: [CompactionTask(reason: .level(2), sources: (0..<36).map { "b\($0)" }, minTime: 0, maxTime: 72 * h)]),
        Case(name: "12 h blocks climb to 3 d",
             blocks: (0..<6).map { meta("d\($0)", Int64($0) * 12, Int64($0) * 12 + 12, level: 2) } + [meta("n", 72, 74)],
             expected: [CompactionTask(reason: .level(2), sources: (0..<6).map { "d\($0)" }, minTime: 0, maxTime: 72 * h)]),
        Case(name: "a block already spanning its window stays",
             blocks: [meta("big", 0, 72, level: 3), meta("n", 72, 74)], expected: []),
        Case(name: "overlaps come first and alone",
             blocks: [meta("a", 0, 2), meta("f", 0, 1), meta("c", 4, 6), meta("x", 12, 14), meta("y", 13, 15)],
             expected: [
                CompactionTask(reason: .overlap, sources: ["a", "f"], minTime: 0, maxTime: 2 * h),
                CompactionTask(reason: .overlap, sources: ["x", "y"], minTime: 12 * h, maxTime: 15 * h),
             ]),
        Case(name: "transitive overlap",
             blocks: [meta("a", 0, 3), meta("b", 2, 5), meta("c", 4, 6)],
             expected: [CompactionTask(reason: .overlap, sources: ["a", "b", "c"], minTime: 0, maxTime: 6 * h)]),
        Case(name: "touching blocks do not overlap", blocks: [meta("a", 0, 2), meta("b", 2, 4)], expected: []),
        Case(name: "tombstoned block rewritten alone",
             blocks: [meta("a", 0, 2), meta("b", 2, 4)], tombstoned: ["b"],
             expected: [CompactionTask(reason: .tombstones, sources: ["b"], minTime: 2 * h, maxTime: 4 * h)]),
        Case(name: "tombstoned block inside a merge is not rewritten twice",
             blocks: (0..<7).map { meta("b\($0)", Int64($0) * 2, Int64($0) * 2 + 2) }, tombstoned: ["b3"],
             expected: [CompactionTask(reason: .level(1), sources: (0..<6).map { "b\($0)" }, minTime: 0, maxTime: 12 * h)]),
        Case(name: "rollup blocks are ignored",
             blocks: [meta("a", 0, 2), meta("r", 0, 2, resolution: 300_000), meta("s", 0, 72, resolution: 3_600_000)],
             expected: []),
        Case(name: "misaligned block straddling windows is left alone",
             blocks: [meta("a", 10, 14), meta("b", 14, 16), meta("c", 16, 18), meta("z", 30, 32)],
             expected: [CompactionTask(reason: .level(1), sources: ["b", "c"], minTime: 14 * h, maxTime: 18 * h)]),
    ]

    @Test(arguments: cases) func plans(_ c: Case) {
        #expect(planner.plan(c.blocks, tombstoned: c.tombstoned) == c.expected)
    }

    @Test func levelsAboveATenthOfRetentionAreDropped() {
        // 10 days of retention: at most 1 day per block, so 3 d is not a level.
        let p = CompactionPlanner(ranges: [2 * h, 12 * h, 3 * day], maxBlockSpan: 10 * day / 10)
        #expect(p.ranges == [2 * h, 12 * h])
        let blocks = (0..<40).map { meta("b\($0)", Int64($0) * 2, Int64($0) * 2 + 2) }
        for t in p.plan(blocks) { #expect(t.maxTime - t.minTime <= day) }
        #expect(DatabaseOptions().maxBlockSpan == 3 * day)
    }

    @Test func planningToFixpointNeverExceedsTheSpanAndEndsDisjoint() {
        // Simulate repeated planning over 10 days of 2 h blocks.
        var blocks = (0..<120).map { meta("b\($0)", Int64($0) * 2, Int64($0) * 2 + 2) }
        var rounds = 0
        while true {
            let tasks = planner.plan(blocks)
            if tasks.isEmpty { break }
            rounds += 1
            for t in tasks {
                blocks.removeAll { t.sources.contains($0.id) }
                blocks.append(meta("m\(rounds)-\(t.minTime)", t.minTime / h, t.maxTime / h, level: 2))
            }
        }
        #expect(rounds == 1)  // complete 3 d windows at once, 12 h windows of the open one beside them
        let sorted = blocks.sorted { $0.minTime < $1.minTime }
        for (a, b) in zip(sorted, sorted.dropFirst()) { #expect(a.maxTime <= b.minTime) }
        for b in blocks { #expect(b.maxTime - b.minTime <= 3 * day) }
        #expect(blocks.filter { $0.maxTime - $0.minTime == 3 * day }.count == 3)
    }
}

@Suite struct RetentionPolicyTests {
    @Test func timeBoundaryIsExact() {
        let p = RetentionPolicy(raw: 10 * h)
        let blocks = [meta("a", 0, 2), meta("b", 2, 4), meta("c", 4, 6)].map { ($0, 100) }
        // newest = 14 h: cut-off 4 h; a and b end at or before it, c holds 4 h…6 h.
        #expect(p.blocksToDelete(blocks, newest: 14 * h).map(\.id) == ["a", "b"])
        #expect(p.blocksToDelete(blocks, newest: 14 * h - 1).map(\.id) == ["a"])
        #expect(p.blocksToDelete(blocks, newest: 0).isEmpty)
    }

    @Test func rollupsHaveTheirOwnRetention() {
        let p = RetentionPolicy(raw: 10 * h, rollups: [300_000: 20 * h])
        let blocks = [meta("raw", 0, 2), meta("r5", 0, 2, resolution: 300_000), meta("r1", 0, 2, resolution: 3_600_000)].map { ($0, 1) }
        let d = p.blocksToDelete(blocks, newest: 15 * h)
        // r1 has no retention of its own: raw's applies.
        #expect(Set(d.map(\.id)) == ["raw", "r1"])
        #expect(Set(p.blocksToDelete(blocks, newest: 22 * h).map(\.id)) == ["raw", "r5", "r1"])
    }

    @Test func sizeBoundDeletesRawFirstThenFinerRollupsOldestFirst() {
        let p = RetentionPolicy(raw: 1000 * h, maxBytes: 250)
        let blocks = [meta("c", 4, 6), meta("a", 0, 2), meta("r", 0, 2, resolution: 300_000), meta("b", 2, 4)].map { ($0, 100) }
        let d = p.blocksToDelete(blocks, newest: 6 * h)
        // Raw blocks first, oldest first; the rollup of a's range stays.
        #expect(d.map(\.id) == ["a", "b"])
        #expect(d.allSatisfy { $0.reason == .size })
        #expect(RetentionPolicy(raw: 1000 * h, maxBytes: 0).blocksToDelete(blocks, newest: 6 * h).isEmpty)
        // A tighter bound: every raw block, then 5 m rollups before 1 h ones.
        let more = blocks + [(meta("h", 0, 2, resolution: 3_600_000), 100)]
        #expect(RetentionPolicy(raw: 1000 * h, maxBytes: 150).blocksToDelete(more, newest: 6 * h).map(\.id) == ["a", "b", "c", "r"])
    }
}

@Suite struct RollupPlannerTests {
    @Test func missingRollupsAreplannedAndReplaceAncestors() {
        let p = RollupPlanner(resolutions: [3_600_000, 300_000], after: 0)
        let blocks = [
            meta("c", 0, 12, level: 2, sources: ["a", "b"]),
            meta("r5a", 0, 2, resolution: 300_000, sources: ["a"], rollupSource: "a"),
            meta("r5c", 0, 12, resolution: 300_000, sources: ["a", "b"], rollupSource: "c"),
            meta("r1a", 0, 2, resolution: 3_600_000, sources: ["a"], rollupSource: "a"),
            meta("d", 12, 14),
        ]
        let tasks = p.plan(blocks, newest: 14 * h)
        #expect(tasks == [
            .init(raw: "c", resolution: 3_600_000, replaces: ["r1a"]),
            .init(raw: "d", resolution: 300_000, replaces: []),
            .init(raw: "d", resolution: 3_600_000, replaces: []),
        ])
        // Not old enough.
        let later = RollupPlanner(resolutions: [300_000], after: 5 * h)
        #expect(later.plan(blocks, newest: 14 * h).isEmpty)
        #expect(later.plan(blocks, newest: 19 * h).map(\.raw) == ["d"])
        // 5-minute rollups only for data about to leave a 12 h raw retention.
        let perResolution = RollupPlanner(resolutions: [300_000, 3_600_000], after: 0, afterByResolution: [300_000: 10 * h])
        #expect(perResolution.plan(blocks, newest: 14 * h).map { "\($0.raw)/\($0.resolution)" } == ["c/3600000", "d/3600000"])
        #expect(perResolution.plan(blocks, newest: 24 * h).map { "\($0.raw)/\($0.resolution)" } == ["c/3600000", "d/300000", "d/3600000"])
    }
}

@Suite struct BlockSupersessionTests {
    @Test func parentsAndSubsetsGo() {
        let metas = [
            meta("a", 0, 2), meta("b", 2, 4),
            meta("c", 0, 4, level: 2, sources: ["a", "b"], parents: ["a", "b"]),
            // An ancestor whose direct child is gone: caught by its sources.
            meta("x", 4, 6),
            meta("e", 4, 12, level: 3, sources: ["x", "y", "z"], parents: ["m"]),
            // A tombstone rewrite keeps the sources: only the parent link tells.
            meta("t", 12, 14), meta("t2", 12, 14, sources: ["t"], parents: ["t"]),
            // Same sources in another resolution are not related.
            meta("r", 0, 4, resolution: 300_000, sources: ["a", "b"]),
            meta("unrelated", 20, 22),
        ]
        #expect(BlockSupersession.superseded(metas) == ["a", "b", "x", "t"])
    }
}
