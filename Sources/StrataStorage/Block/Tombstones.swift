import StrataCodec

/// A deleted time range, both ends inclusive (Prometheus' `Interval`).
public struct DeletedRange: Sendable, Hashable, CustomStringConvertible {
    public var mint: Int64
    public var maxt: Int64

    public init(_ mint: Int64, _ maxt: Int64) {
        self.mint = mint
        self.maxt = maxt
    }

    @inlinable public func contains(_ t: Int64) -> Bool { t >= mint && t <= maxt }
    /// True if [lo, hi] lies entirely inside.
    @inlinable public func covers(_ lo: Int64, _ hi: Int64) -> Bool { lo >= mint && hi <= maxt }
    @inlinable public func overlaps(_ lo: Int64, _ hi: Int64) -> Bool { lo <= maxt && hi >= mint }

    public var description: String { "[\(mint), \(maxt)]" }
}

/// Deleted ranges per series: block-local series ids in a block's
/// `tombstones` file (docs/format/tombstones.md), series refs in the head.
/// Ranges of one series are kept sorted and disjoint (adjacent ones merged).
public struct Tombstones: Sendable, Equatable {
    public private(set) var ranges: [UInt64: [DeletedRange]] = [:]

    public init() {}

    public var isEmpty: Bool { ranges.isEmpty }
    /// Number of series with deletions.
    public var count: Int { ranges.count }

    public subscript(id: UInt64) -> [DeletedRange]? { ranges[id] }

    /// Adds a range for `id`, merging it with those it overlaps or touches.
    public mutating func add(_ id: UInt64, _ r: DeletedRange) {
        guard r.mint <= r.maxt else { return }
        var list = ranges[id] ?? []
        var merged = r
        var out: [DeletedRange] = []
        out.reserveCapacity(list.count + 1)
        var placed = false
        for x in list {
            if x.maxt < merged.mint && x.maxt != merged.mint - 1 {
                out.append(x)
            } else if x.mint > merged.maxt && x.mint - 1 != merged.maxt {
                if !placed { out.append(merged); placed = true }
                out.append(x)
            } else {
                merged = DeletedRange(min(x.mint, merged.mint), max(x.maxt, merged.maxt))
            }
        }
        if !placed { out.append(merged) }
        list = out
        ranges[id] = list
    }

    public mutating func merge(_ other: Tombstones) {
        for (id, rs) in other.ranges { for r in rs { add(id, r) } }
    }

    /// Drops every range that ends before `t` (data older than `t` is gone anyway).
    public mutating func truncate(before t: Int64) {
        for (id, rs) in ranges {
            let kept = rs.filter { $0.maxt >= t }
            ranges[id] = kept.isEmpty ? nil : kept
        }
    }

    /// Keeps only the ids `keep` accepts.
    public mutating func filter(_ keep: (UInt64) -> Bool) {
        for id in ranges.keys where !keep(id) { ranges[id] = nil }
    }

    /// Whether sample time `t` of series `id` is deleted.
    @inlinable
    public func isDeleted(_ id: UInt64, _ t: Int64) -> Bool {
        guard let rs = ranges[id] else { return false }
        return Self.isDeleted(t, in: rs)
    }

    /// Whether `t` lies in one of the sorted, disjoint `rs`.
    @inlinable
    public static func isDeleted(_ t: Int64, in rs: [DeletedRange]) -> Bool {
        for r in rs {
            if t < r.mint { return false }
            if t <= r.maxt { return true }
        }
        return false
    }

    /// Whether [lo, hi] is entirely deleted by one of `rs`.
    @inlinable
    public static func covers(_ rs: [DeletedRange], _ lo: Int64, _ hi: Int64) -> Bool {
        rs.contains { $0.covers(lo, hi) }
    }

    /// Removes the samples of deleted times from parallel arrays, in place.
    public static func filter(_ rs: [DeletedRange], ts: inout [Int64], vs: inout [Double], from start: Int = 0) {
        guard !rs.isEmpty else { return }
        var w = start
        var k = 0
        for i in start..<ts.count {
            let t = ts[i]
            while k < rs.count && rs[k].maxt < t { k += 1 }
            if k < rs.count && rs[k].mint <= t { continue }
            ts[w] = t
            vs[w] = vs[i]
            w += 1
        }
        ts.removeLast(ts.count - w)
        vs.removeLast(vs.count - w)
    }
}
