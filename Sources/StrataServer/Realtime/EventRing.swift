import NIOCore

/// The bounded replay buffer of one channel: the last `capacity` broadcast
/// events with their sequence numbers, oldest first.
///
/// Only broadcasts are kept: messages addressed to one connection (status,
/// subscription results) are about that connection and are re-established by
/// reconnecting, so they are never replayed to another. Sequence numbers are
/// shared with those messages, so the kept numbers have gaps; `evictedThrough`
/// (the newest number pushed out) is what decides whether a resume point is
/// still covered.
struct EventRing {
    struct Event {
        var seq: UInt64
        var message: ByteBuffer
    }

    let capacity: Int
    private var storage: [Event] = []
    /// Index of the oldest event in `storage` once it is full.
    private var head = 0
    /// The highest sequence number that was evicted (0: none yet).
    private(set) var evictedThrough: UInt64 = 0
    private(set) var bytes = 0

    init(capacity: Int) {
        precondition(capacity > 0, "replay buffer needs room for at least one event")
        self.capacity = capacity
        storage.reserveCapacity(min(capacity, 4096))
    }

    var count: Int { storage.count }

    /// Sequence number of the oldest kept event.
    var oldestSeq: UInt64? { storage.isEmpty ? nil : storage[head].seq }

    mutating func append(seq: UInt64, message: ByteBuffer) {
        bytes += message.readableBytes
        if storage.count < capacity {
            storage.append(Event(seq: seq, message: message))
            return
        }
        evictedThrough = storage[head].seq
        bytes -= storage[head].message.readableBytes
        storage[head] = Event(seq: seq, message: message)
        head = (head + 1) % capacity
    }

    enum Replay {
        /// Every broadcast after the resume point, oldest first (maybe none).
        case events([ByteBuffer])
        /// Some broadcast after the resume point was already evicted.
        case gap(oldest: UInt64)
    }

    /// What a client that has seen everything up to `since` missed, given that
    /// the channel has assigned numbers up to `current`.
    func replay(since: UInt64, current: UInt64) -> Replay {
        if since > current || since < evictedThrough { return .gap(oldest: oldestSeq ?? current + 1) }
        var out: [ByteBuffer] = []
        // Binary search in the (rotated) storage for the first seq > since.
        let n = storage.count
        var lo = 0, hi = n
        while lo < hi {
            let mid = (lo + hi) / 2
            if storage[(head + mid) % n].seq <= since { lo = mid + 1 } else { hi = mid }
        }
        out.reserveCapacity(n - lo)
        for k in lo..<n { out.append(storage[(head + k) % n].message) }
        return .events(out)
    }
}
