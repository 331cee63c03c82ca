import Foundation

/// The head's series map, striped so that lookups and creations of different
/// series rarely contend (Prometheus' `stripeSeries`). One set of stripes is
/// keyed by label hash (lookup by labels), the other by ref (lookup by ref,
/// and the lock that guards a series' samples against concurrent readers).
final class SeriesStripes: @unchecked Sendable {
    final class HashStripe: @unchecked Sendable {
        let lock = NSLock()
        var series: [UInt64: [MemSeries]] = [:]
    }
    final class RefStripe: @unchecked Sendable {
        let lock = NSLock()
        var series: [SeriesRef: MemSeries] = [:]
    }

    let mask: Int
    let byHash: [HashStripe]
    let byRef: [RefStripe]

    init(stripes: Int) {
        precondition(stripes > 0 && stripes & (stripes - 1) == 0, "stripes must be a power of two")
        mask = stripes - 1
        byHash = (0..<stripes).map { _ in HashStripe() }
        byRef = (0..<stripes).map { _ in RefStripe() }
    }

    @inline(__always)
    func refStripe(_ ref: SeriesRef) -> RefStripe { byRef[Int(truncatingIfNeeded: ref) & mask] }

    @inline(__always)
    func hashStripe(_ hash: UInt64) -> HashStripe { byHash[Int(truncatingIfNeeded: hash) & mask] }

    func get(ref: SeriesRef) -> MemSeries? {
        let s = refStripe(ref)
        s.lock.lock()
        defer { s.lock.unlock() }
        return s.series[ref]
    }

    /// Looks up by labels; caller holds nothing.
    func get(hash: UInt64, labels: Labels) -> MemSeries? {
        let s = hashStripe(hash)
        s.lock.lock()
        defer { s.lock.unlock() }
        return s.series[hash]?.first { $0.labels == labels && !$0.removed.load(ordering: .relaxed) }
    }

    func publishRef(_ series: MemSeries) {
        let s = refStripe(series.ref)
        s.lock.lock()
        s.series[series.ref] = series
        s.lock.unlock()
    }

    func remove(_ series: MemSeries, hash: UInt64) {
        let h = hashStripe(hash)
        h.lock.lock()
        if var list = h.series[hash] {
            list.removeAll { $0 === series }
            h.series[hash] = list.isEmpty ? nil : list
        }
        h.lock.unlock()
        let r = refStripe(series.ref)
        r.lock.lock()
        r.series[series.ref] = nil
        r.lock.unlock()
    }

    /// Every series, stripe by stripe (each stripe's lock held briefly).
    func forEach(_ body: (MemSeries) -> Void) {
        for s in byRef {
            s.lock.lock()
            let list = Array(s.series.values)
            s.lock.unlock()
            for m in list { body(m) }
        }
    }
}
