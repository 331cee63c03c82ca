import StrataQuery
import StrataStorage

/// What has been pushed for one shared subscription, and how to turn a new
/// evaluation into the points that changed.
///
/// Grid: every evaluation time is a multiple of `step` (as dashboards align
/// range queries), so the initial result and every later update lie on one
/// grid and together equal a `query_range` over the same start, end and step.
///
/// A point at grid time T depends on samples at or before T. Samples can land
/// after T was evaluated (a scrape committed a few milliseconds after its
/// timestamp, a remote-write batch sent late), so the points of the last
/// `lateWindow` milliseconds are evaluated again on each tick and sent again
/// when their value changed (or removed when they vanished). Points older than
/// that are final; a backfill older than the late window shows only after a
/// new subscription.
struct SubscriptionWindow {
    let rangeMs: Int64
    let stepMs: Int64
    let lateWindowMs: Int64
    /// Last grid time included in an evaluation (nil before the first).
    private(set) var evaluatedThrough: Int64?
    /// Points at grid times ≥ `cacheFrom` (and ≤ `evaluatedThrough`), as last sent.
    private(set) var cacheFrom: Int64 = 0
    private(set) var cache: [Labels: Points] = [:]

    struct Points: Equatable {
        var ts: [Int64] = []
        var vs: [Double] = []

        static func == (a: Points, b: Points) -> Bool {
            a.ts == b.ts && a.vs.count == b.vs.count && zip(a.vs, b.vs).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
    }

    /// Points of one series to add or replace, and grid times to remove.
    struct SeriesUpdate: Equatable {
        var labels: Labels
        var points = Points()
        var removed: [Int64] = []
    }

    init(rangeMs: Int64, stepMs: Int64, lateWindowMs: Int64) {
        self.rangeMs = rangeMs
        self.stepMs = stepMs
        self.lateWindowMs = lateWindowMs
    }

    /// The newest grid time at or before `now`.
    func alignDown(_ t: Int64) -> Int64 {
        let r = t % stepMs
        return r >= 0 ? t - r : t - r - stepMs
    }

    func alignUp(_ t: Int64) -> Int64 {
        let d = alignDown(t)
        return d == t ? t : d + stepMs
    }

    /// The full window ending at the newest grid time at or before `now`.
    func window(now: Int64) -> (start: Int64, end: Int64) {
        let end = alignDown(now)
        return (end - (rangeMs / stepMs) * stepMs, end)
    }

    /// Whether a tick at `now` can change anything: a new grid time has
    /// come, or a commit reached back to an evaluated grid time. With
    /// dashboard steps (15 s) most ticks of a busy server need no evaluation.
    func needsEvaluation(now: Int64, changedFrom: Int64?) -> Bool {
        guard let through = evaluatedThrough else { return true }
        guard let c = changedFrom else { return true }
        return alignDown(now) > through || c <= through
    }

    /// What a tick at `now` must evaluate, up to the newest grid time: from
    /// the oldest point the commits since the last tick can have changed
    /// (`changedFrom`, their oldest sample; nil: unknown, take the whole late
    /// window), but never before the late window or the window start.
    func incrementalRange(now: Int64, changedFrom: Int64? = nil) -> (start: Int64, end: Int64) {
        let w = window(now: now)
        guard let through = evaluatedThrough else { return w }
        var from = min(cacheFrom, through + stepMs)
        if let c = changedFrom, c > from { from = c > through ? through + stepMs : alignUp(c) }
        from = max(w.start, from)
        return (min(from, w.end), w.end)
    }

    /// Takes an evaluation covering at least `[from, to]` (from `incrementalRange`
    /// or a full `window`) made at wall time `now`, returns what changed at
    /// grid times ≥ `from` since the last call, and remembers the new points.
    mutating func apply(_ result: [RangeSeries], from: Int64, to: Int64, now: Int64) -> [SeriesUpdate] {
        let through = evaluatedThrough ?? Int64.min
        let windowStart = to - (rangeMs / stepMs) * stepMs
        let newCacheFrom = max(windowStart, min(to, alignUp(now - lateWindowMs)))
        var updates: [SeriesUpdate] = []
        var newCache: [Labels: Points] = [:]
        newCache.reserveCapacity(result.count)
        var seen = Set<Labels>()
        seen.reserveCapacity(result.count)
        for s in result {
            seen.insert(s.labels)
            let old = cache[s.labels]
            var u = SeriesUpdate(labels: s.labels)
            var keep = Points()
            var oi = 0
            var lo = 0
            while lo < s.timestamps.count && s.timestamps[lo] < from { lo += 1 }
            for k in lo..<s.timestamps.count {
                let t = s.timestamps[k], v = s.values[k]
                if t > to { break }
                if t >= newCacheFrom { keep.ts.append(t); keep.vs.append(v) }
                if t > through {
                    u.points.ts.append(t); u.points.vs.append(v)
                    continue
                }
                // A re-evaluated point: compare with what was sent.
                if let old {
                    while oi < old.ts.count && old.ts[oi] < t {
                        if old.ts[oi] >= from { u.removed.append(old.ts[oi]) }
                        oi += 1
                    }
                    if oi < old.ts.count && old.ts[oi] == t {
                        if old.vs[oi].bitPattern != v.bitPattern { u.points.ts.append(t); u.points.vs.append(v) }
                        oi += 1
                        continue
                    }
                }
                u.points.ts.append(t); u.points.vs.append(v)
            }
            if let old {
                while oi < old.ts.count {
                    if old.ts[oi] >= from && old.ts[oi] <= through { u.removed.append(old.ts[oi]) }
                    oi += 1
                }
            }
            if !keep.ts.isEmpty { newCache[s.labels] = keep }
            if !u.points.ts.isEmpty || !u.removed.isEmpty { updates.append(u) }
        }
        // Series that vanished from the re-evaluated part.
        for (labels, old) in cache where !seen.contains(labels) {
            let gone = old.ts.filter { $0 >= from && $0 <= through }
            if !gone.isEmpty { updates.append(SeriesUpdate(labels: labels, removed: gone)) }
        }
        // Points in the late window that this evaluation did not cover (it
        // started after them: the commits were newer) are unchanged: keep them.
        if from > newCacheFrom {
            for (labels, old) in cache {
                var kept = Points()
                for (t, v) in zip(old.ts, old.vs) where t >= newCacheFrom && t < from {
                    kept.ts.append(t)
                    kept.vs.append(v)
                }
                guard !kept.ts.isEmpty else { continue }
                if let fresh = newCache[labels] {
                    kept.ts.append(contentsOf: fresh.ts)
                    kept.vs.append(contentsOf: fresh.vs)
                }
                newCache[labels] = kept
            }
        }
        updates.sort { $0.labels < $1.labels }
        cache = newCache
        cacheFrom = newCacheFrom
        evaluatedThrough = to
        return updates
    }
}
