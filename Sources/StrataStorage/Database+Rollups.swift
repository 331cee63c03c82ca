/// Data of one resolution available in a time range.
public struct ResolutionCoverage: Sendable, Equatable {
    /// 0 for raw data, else the rollup window in ms.
    public var resolution: Int64
    /// Sorted, disjoint, non-adjacent [start, end) spans that hold data of
    /// this resolution, clipped to the range asked for.
    public var spans: [Range<Int64>]

    public init(resolution: Int64, spans: [Range<Int64>]) {
        self.resolution = resolution
        self.spans = spans
    }

    /// Whether [lo, hi) lies inside one span.
    public func covers(_ lo: Int64, _ hi: Int64) -> Bool {
        spans.contains { $0.lowerBound <= lo && hi <= $0.upperBound }
    }
}

/// Reading rollups (issue #5).
extension Database {
    /// A querier over the rollup blocks of `resolution` (a window in ms, one
    /// of `options.rollups.windows`), for windows starting in [mint, maxt].
    public func rollupQuerier(resolution: Int64, mint: Int64, maxt: Int64) -> RollupQuerier {
        RollupQuerier(resolution: resolution,
                      blocks: blocks.filter { $0.resolution == resolution && $0.maxTime > mint && $0.minTime <= maxt },
                      mint: mint, maxt: maxt)
    }

    /// For raw data (resolution 0: raw blocks and the head) and each rollup
    /// resolution present, the spans of [mint, maxt) it covers, finest first.
    /// A query engine picks, per part of its range, the coarsest resolution
    /// finer than its step that covers it, and falls back to finer data
    /// (ultimately raw) elsewhere.
    public func availableResolutions(mint: Int64, maxt: Int64) -> [ResolutionCoverage] {
        guard mint < maxt else { return [] }
        var spans: [Int64: [Range<Int64>]] = [:]
        for b in blocks where b.maxTime > mint && b.minTime < maxt {
            spans[b.resolution, default: []].append(max(b.minTime, mint)..<min(b.maxTime, maxt))
        }
        if let lo = head.minTime, let hi = head.maxTime, hi + 1 > mint, lo < maxt {
            spans[0, default: []].append(max(lo, mint)..<min(hi + 1, maxt))
        }
        return spans.keys.sorted().map { r in ResolutionCoverage(resolution: r, spans: Self.union(spans[r]!)) }
    }

    /// Union of ranges: sorted, disjoint, adjacent ones joined.
    static func union(_ ranges: [Range<Int64>]) -> [Range<Int64>] {
        var out: [Range<Int64>] = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) where !r.isEmpty {
            if let last = out.last, r.lowerBound <= last.upperBound {
                out[out.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                out.append(r)
            }
        }
        return out
    }
}
