/// Which raw blocks need rollup blocks, and which existing rollup blocks the
/// new ones replace: a pure function of the metas (issue #5).
///
/// A raw block whose end lies at least `after` before the newest data gets,
/// for every resolution, a rollup block computed from it (`rollupSource` =
/// its id). Rollup blocks of the same resolution inside its range were
/// computed from its ancestors (blocks it was merged from, or itself before
/// a tombstone rewrite); the new one replaces them (they become its
/// `compaction.parents`).
public struct RollupPlanner: Sendable {
    public var resolutions: [Int64]
    public var after: Int64
    /// Per-resolution delays overriding `after` (e.g. 5-minute rollups made
    /// only for data about to leave raw retention).
    public var afterByResolution: [Int64: Int64]

    public init(resolutions: [Int64], after: Int64, afterByResolution: [Int64: Int64] = [:]) {
        self.resolutions = resolutions.sorted()
        self.after = after
        self.afterByResolution = afterByResolution
    }

    public struct Task: Sendable, Equatable {
        public var raw: String
        public var resolution: Int64
        /// Rollup blocks this one replaces.
        public var replaces: [String]
    }

    /// Whether a raw block ending at `maxTime` is old enough for rollups of
    /// `resolution` (nil: of any resolution).
    public func eligible(maxTime: Int64, newest: Int64, resolution: Int64? = nil) -> Bool {
        let delay = resolution.flatMap { afterByResolution[$0] } ?? (resolution == nil ? minimumDelay : after)
        let (cutoff, overflow) = newest.subtractingReportingOverflow(delay)
        return !overflow && maxTime <= cutoff
    }

    var minimumDelay: Int64 { resolutions.map { afterByResolution[$0] ?? after }.min() ?? after }

    /// Rollup blocks of resolution `r` a rollup of [minTime, maxTime) replaces.
    public func replaced(by minTime: Int64, _ maxTime: Int64, resolution r: Int64, in metas: [BlockMeta]) -> [String] {
        metas.filter { $0.resolution == r && $0.minTime >= minTime && $0.maxTime <= maxTime }.map(\.id).sorted()
    }

    /// `forced`: raw blocks that get every missing resolution whatever their
    /// age (retention is about to delete them, e.g. for size).
    public func plan(_ metas: [BlockMeta], newest: Int64, forced: Set<String> = []) -> [Task] {
        guard !resolutions.isEmpty else { return [] }
        var current = Set<String>()  // "raw id/resolution" pairs already rolled up
        for m in metas where m.resolution != 0 {
            if let src = m.rollupSource { current.insert("\(src)/\(m.resolution)") }
        }
        var tasks: [Task] = []
        for b in metas where b.resolution == 0 {
            for r in resolutions where !current.contains("\(b.id)/\(r)")
                && (forced.contains(b.id) || eligible(maxTime: b.maxTime, newest: newest, resolution: r)) {
                tasks.append(Task(raw: b.id, resolution: r, replaces: replaced(by: b.minTime, b.maxTime, resolution: r, in: metas)))
            }
        }
        return tasks.sorted { $0.raw != $1.raw ? $0.raw < $1.raw : $0.resolution < $1.resolution }
    }
}
