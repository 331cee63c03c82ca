import Foundation
import Synchronization

/// The in-memory head block: the newest data, behind the WAL.
///
/// - `Head+Append.swift`: appenders, commit (validate, log, apply).
/// - `Head+Read.swift`: postings and chunk snapshots for queriers.
/// - `Head+Replay.swift`: rebuilding from the WAL at open.
/// - `Head+Truncate.swift`: dropping persisted data, series GC, checkpoints.
public final class Head: @unchecked Sendable {
    public let options: HeadOptions
    let stripes: SeriesStripes
    let index: HeadIndex
    /// Deleted ranges by series ref (issue #5, `Head+Tombstones.swift`).
    let tombstones = Mutex(Tombstones())
    /// Set once by `attach(wal:)` after replay, before any append.
    private(set) var wal: WAL!

    let nextRef = Atomic<UInt64>(1)
    let minTimeA = Atomic<Int64>(.max)
    let maxTimeA = Atomic<Int64>(.min)
    /// Samples older than this are rejected: their range is persisted in blocks.
    let minValidA = Atomic<Int64>(.min)
    let seriesCountA = Atomic<Int>(0)
    let chunkCountA = Atomic<Int>(0)
    let samplesAppendedA = Atomic<UInt64>(0)
    /// Incremented inside the WAL critical section once per commit.
    var commitEpoch: UInt64 = 0
    /// Incremented (inside the WAL critical section) whenever series are garbage-collected.
    let gcEpoch = Atomic<UInt64>(0)

    public init(options: HeadOptions = HeadOptions()) {
        self.options = options
        stripes = SeriesStripes(stripes: options.stripes)
        index = HeadIndex()
    }

    public func attach(wal: WAL) {
        precondition(self.wal == nil, "WAL attached twice")
        self.wal = wal
    }

    // MARK: stats

    /// Oldest sample time in the head, or nil if empty.
    public var minTime: Int64? { let v = minTimeA.load(ordering: .relaxed); return v == .max ? nil : v }
    public var maxTime: Int64? { let v = maxTimeA.load(ordering: .relaxed); return v == .min ? nil : v }
    public var minValidTime: Int64 { minValidA.load(ordering: .relaxed) }
    public var seriesCount: Int { seriesCountA.load(ordering: .relaxed) }
    public var samplesAppended: UInt64 { samplesAppendedA.load(ordering: .relaxed) }

    /// Number of chunks (closed and open) held in memory.
    public var chunkCount: Int {
        var n = 0
        stripes.forEachLocked { n += $0.chunkCount }
        return n
    }

    @inline(__always)
    func noteTimes(min lo: Int64, max hi: Int64) {
        var cur = minTimeA.load(ordering: .relaxed)
        while lo < cur {
            let (done, orig) = minTimeA.compareExchange(expected: cur, desired: lo, ordering: .relaxed)
            if done { break }
            cur = orig
        }
        cur = maxTimeA.load(ordering: .relaxed)
        while hi > cur {
            let (done, orig) = maxTimeA.compareExchange(expected: cur, desired: hi, ordering: .relaxed)
            if done { break }
            cur = orig
        }
    }

    // MARK: series lookup and creation

    /// The series with `labels`, created (and logged) if new. `labels` must be
    /// sorted; they are validated only when the series is created.
    public func getOrCreate(_ labels: Labels) throws(SeriesError) -> SeriesRef {
        try getOrCreateSeries(labels, hash: labels.stableHash).ref
    }

    func getOrCreateSeries(_ labels: Labels, hash: UInt64) throws(SeriesError) -> MemSeries {
        if let s = stripes.get(hash: hash, labels: labels) { return s }
        do throws(LabelError) {
            try labels.validate(limits: options.labelLimits)
        } catch {
            throw .invalidLabels(error, labels)
        }
        let stripe = stripes.hashStripe(hash)
        stripe.lock.lock()
        if let s = stripe.series[hash]?.first(where: { $0.labels == labels && !$0.removed.load(ordering: .relaxed) }) {
            stripe.lock.unlock()
            return s
        }
        if options.maxSeries > 0 && seriesCountA.load(ordering: .relaxed) >= options.maxSeries {
            stripe.lock.unlock()
            throw .seriesLimit(options.maxSeries)
        }
        let ref = nextRef.wrappingAdd(1, ordering: .relaxed).oldValue
        let series = MemSeries(ref: ref, labels: labels)
        // Log before publishing: no sample record can then precede this
        // series record in the WAL (docs/format/wal.md, "Ordering guarantees").
        if let wal {
            var buf: [UInt8] = []
            WAL.beginRecord(&buf)
            WALRecord.encodeSeries(ref: ref, labels: labels, into: &buf)
            do throws(IOError) {
                try wal.log(&buf)
            } catch {
                stripe.lock.unlock()
                throw .io(error)
            }
        }
        stripe.series[hash, default: []].append(series)
        stripes.publishRef(series)
        stripe.lock.unlock()
        index.add(ref, labels)
        seriesCountA.wrappingAdd(1, ordering: .relaxed)
        return series
    }

    /// Creates a series with a known ref during replay (no WAL write).
    func createForReplay(ref: SeriesRef, labels: Labels) -> MemSeries {
        let hash = labels.stableHash
        if let existing = stripes.get(ref: ref) { return existing }
        // Keep new refs above every replayed one, aliases included.
        defer { keepRefsAbove(ref) }
        let stripe = stripes.hashStripe(hash)
        stripe.lock.lock()
        // The same labels under a second ref: the series was removed from
        // the head (all its data cut into blocks) and created again, and
        // both records are still in the log (until the next checkpoint,
        // which logs every series under one ref). The replay maps the second
        // ref onto the first series (as Prometheus' replay does), instead
        // of creating a duplicate series that a crash loop would multiply.
        if let same = stripe.series[hash]?.first(where: { $0.labels == labels }) {
            stripe.lock.unlock()
            return same
        }
        let series = MemSeries(ref: ref, labels: labels)
        stripe.series[hash, default: []].append(series)
        stripe.lock.unlock()
        stripes.publishRef(series)
        index.add(ref, labels)
        seriesCountA.wrappingAdd(1, ordering: .relaxed)
        return series
    }

    private func keepRefsAbove(_ ref: SeriesRef) {
        var cur = nextRef.load(ordering: .relaxed)
        while ref >= cur {
            let (done, orig) = nextRef.compareExchange(expected: cur, desired: ref + 1, ordering: .relaxed)
            if done { break }
            cur = orig
        }
    }

    /// Labels of a series by ref.
    public func labels(of ref: SeriesRef) -> Labels? { stripes.get(ref: ref)?.labels }

    /// Creates an appender. Each task uses its own.
    public func appender() -> HeadAppender { HeadAppender(head: self) }
}

extension SeriesStripes {
    /// Calls `body` for every series with the series' sample lock held.
    /// Each stripe's list is snapshotted under its lock, so series created
    /// meanwhile may or may not be visited.
    func forEachLocked(_ body: (MemSeries) -> Void) {
        var batch: [MemSeries] = []
        for s in byRef {
            s.lock.lock()
            batch.removeAll(keepingCapacity: true)
            batch.append(contentsOf: s.series.values)
            s.lock.unlock()
            for m in batch {
                m.lock()
                body(m)
                m.unlock()
            }
        }
    }
}
