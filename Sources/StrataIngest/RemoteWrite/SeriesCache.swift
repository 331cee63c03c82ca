import Foundation
import StrataCodec
import StrataStorage
import Synchronization

/// Remembers the series of remote-write requests by the raw protobuf bytes
/// of their labels, so that a series seen before costs one hash and one
/// `memcmp` instead of building, validating and looking up its label strings.
///
/// Senders repeat the same series in every request (Prometheus re-sends all
/// labels with each sample), so after the first request nearly every series
/// hits. VictoriaMetrics keeps a cache of the same kind (raw metric name →
/// internal id) for the same reason.
///
/// Bounded: a stripe that reaches its share of `maxEntries` is cleared, and
/// later requests repopulate it.
public final class SeriesCache: Sendable {
    public final class Entry: @unchecked Sendable {
        public let labels: Labels
        public let labelsSorted: Bool
        let raw: [UInt8]
        let hash: UInt64
        private let resolved = Mutex<SeriesHandle?>(nil)

        init(labels: Labels, labelsSorted: Bool, raw: [UInt8], hash: UInt64) {
            self.labels = labels
            self.labelsSorted = labelsSorted
            self.raw = raw
            self.hash = hash
        }

        /// The head series, once a consumer resolved it (nil if not yet, or
        /// if it was garbage-collected since).
        public var handle: SeriesHandle? {
            get {
                guard let h = resolved.withLock({ $0 }), !h.isRemoved else { return nil }
                return h
            }
            set { resolved.withLock { $0 = newValue } }
        }
    }

    final class Stripe: @unchecked Sendable {
        let lock = NSLock()
        var map: [UInt64: [Entry]] = [:]

        func withLock<R>(_ body: (inout [UInt64: [Entry]]) -> R) -> R {
            lock.lock()
            defer { lock.unlock() }
            return body(&map)
        }
    }

    static let stripeCount = 64
    private let stripes: [Stripe]
    private let perStripe: Int

    public init(maxEntries: Int = 1 << 20) {
        stripes = (0..<Self.stripeCount).map { _ in Stripe() }
        perStripe = max(1, maxEntries / Self.stripeCount)
    }

    @inline(__always)
    private func stripe(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 58) & (Self.stripeCount - 1) }

    func find(hash: UInt64, raw: UnsafeRawBufferPointer) -> Entry? {
        stripes[stripe(hash)].withLock { map in
            guard let list = map[hash] else { return nil }
            for e in list where e.raw.count == raw.count {
                let same = e.raw.withUnsafeBytes { a in
                    raw.count == 0 || memcmp(a.baseAddress!, raw.baseAddress!, raw.count) == 0
                }
                if same { return e }
            }
            return nil
        }
    }

    func insert(_ e: Entry) {
        stripes[stripe(e.hash)].withLock { map in
            if map.count >= perStripe { map.removeAll(keepingCapacity: true) }
            map[e.hash, default: []].append(e)
        }
    }

    /// Number of cached series (for tests and metrics).
    public var count: Int { stripes.reduce(0) { n, s in n + s.withLock { $0.values.reduce(0) { $0 + $1.count } } } }
}

#if canImport(Glibc)
import Glibc
#endif
