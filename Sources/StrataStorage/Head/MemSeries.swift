#if canImport(Glibc)
import Glibc
#endif
import StrataCodec
import Synchronization

/// A closed, immutable head chunk (Gorilla XOR, docs/format/chunks.md).
public struct HeadChunk: Sendable {
    public var minTime: Int64
    public var maxTime: Int64
    public var count: Int
    public var bytes: [UInt8]
}

/// One series in the head.
///
/// Lock discipline: sample state (`open`, `closed`, `lastT`…) is mutated only
/// by committers inside the WAL's critical section *and* under the series'
/// own `sampleLock`; readers and truncation take `sampleLock`. The `v*`
/// scratch fields are touched only inside the WAL's critical section.
/// Those locks are what keeps accesses exclusive, so the mutable fields opt
/// out of Swift's dynamic exclusivity checks (`@exclusivity(unchecked)`):
/// on the append path they cost a runtime call per field access per sample,
/// 8 % of the server's CPU during ingest (perf, issue #3).
///
/// `sampleLock` is a test-and-set spin lock on one word rather than a mutex:
/// it is held for a handful of instructions (one chunk append, or copying
/// a chunk list), almost never contended, and taken once per series per
/// commit, where a pthread mutex pair costs several times more.
@usableFromInline
final class MemSeries: @unchecked Sendable {
    let ref: SeriesRef
    let labels: Labels
    @exclusivity(unchecked) var closed: [HeadChunk] = []
    @exclusivity(unchecked) var open = XORChunkAppender()
    /// Exclusive upper bound of the open chunk's time range (a multiple of chunkRange).
    @exclusivity(unchecked) var openBoundary: Int64 = .min
    @exclusivity(unchecked) var lastT: Int64 = .min
    @exclusivity(unchecked) var lastBits: UInt64 = 0
    @exclusivity(unchecked) var hasSamples = false
    /// Set when garbage collection removed the series from the head (see `Head.collectGarbage`).
    let removed = Atomic<Bool>(false)
    let sampleLock = Atomic<UInt32>(0)

    @inline(__always)
    func lock() {
        var spins = 0
        while !sampleLock.compareExchange(expected: 0, desired: 1, ordering: .acquiring).exchanged {
            spins += 1
            if spins > 64 { sched_yield(); spins = 0 }
        }
    }

    @inline(__always)
    func unlock() {
        sampleLock.store(0, ordering: .releasing)
    }

    @inline(__always)
    func withLock<R>(_ body: () throws -> R) rethrows -> R {
        lock()
        defer { unlock() }
        return try body()
    }

    // Validation scratch (see `HeadAppender.commit`).
    @exclusivity(unchecked) var vEpoch: UInt64 = 0
    @exclusivity(unchecked) var vT: Int64 = .min
    @exclusivity(unchecked) var vBits: UInt64 = 0
    @exclusivity(unchecked) var vHas = false

    init(ref: SeriesRef, labels: Labels) {
        self.ref = ref
        self.labels = labels
    }

    var minTime: Int64 {
        if let c = closed.first { return c.minTime }
        return open.count > 0 ? open.minTime : .max
    }

    var maxTime: Int64 { hasSamples ? lastT : .min }

    /// Appends one already-validated sample, cutting the open chunk at the
    /// sample limit or at a chunk-range boundary.
    @inline(__always)
    func append(_ t: Int64, _ v: Double, chunkRange: Int64, samplesPerChunk: Int) {
        if open.count > 0 && (open.count >= samplesPerChunk || t >= openBoundary) {
            cut()
        }
        if open.count == 0 {
            openBoundary = (Self.floorDiv(t, chunkRange) &+ 1) &* chunkRange
        }
        open.append(t, v)
        lastT = t
        lastBits = v.bitPattern
        hasSamples = true
    }

    func cut() {
        guard open.count > 0 else { return }
        closed.append(HeadChunk(minTime: open.minTime, maxTime: open.maxTime, count: open.count, bytes: open.bytes))
        open = XORChunkAppender()
    }

    /// Drops chunks that end before `t`. Returns the number of samples dropped.
    @discardableResult
    func truncate(before t: Int64) -> Int {
        var dropped = 0
        var keep = 0
        while keep < closed.count && closed[keep].maxTime < t {
            dropped += closed[keep].count
            keep += 1
        }
        if keep > 0 { closed.removeFirst(keep) }
        if closed.isEmpty && open.count > 0 && open.maxTime < t {
            dropped += open.count
            open = XORChunkAppender()
        }
        return dropped
    }

    var isEmpty: Bool { closed.isEmpty && open.count == 0 }

    var chunkCount: Int { closed.count + (open.count > 0 ? 1 : 0) }

    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
