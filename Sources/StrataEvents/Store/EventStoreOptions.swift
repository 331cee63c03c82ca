import StrataStorage

/// How an event store is laid out and kept.
public struct EventStoreOptions: Sendable {
    public var wal = WALOptions()
    /// Head partitions and the blocks cut from them: 2 h, as metric blocks.
    public var partition: Int64 = 2 * 3_600_000
    /// Completed days are compacted into one block: per-block overhead (term
    /// dictionary, page index) is paid once a day instead of twelve times.
    public var compactedPartition: Int64 = 86_400_000
    /// Whole blocks older than this are deleted (30 days, issue #10).
    public var retention: Int64 = 30 * 86_400_000
    /// Hash-chain the events (the audit log); off for activity beacons.
    public var chained = true
    /// Index description, attribute, user, type, action and source tokens (`q=`);
    /// off: only the user field term.
    public var textIndexed = true
    public var limits = EventLimits.default
    /// Called after every append with the appended events' keys (for metrics).
    public var onAppend: (@Sendable ([EventKey]) -> Void)?

    public init() {}
}

/// Why an append or a maintenance step failed.
public enum EventStoreError: Error, Sendable, CustomStringConvertible {
    case invalidEvent(index: Int, EventValidationError)
    case io(IOError)
    case block(path: String, EventBlockError)
    case chainMismatch(id: UInt64, detail: String)
    case closed

    public var description: String {
        switch self {
        case .invalidEvent(let i, let e): return "event \(i): \(e)"
        case .io(let e): return "\(e)"
        case .block(let p, let e): return "block \(p): \(e)"
        case .chainMismatch(let id, let d): return "hash chain mismatch at event \(id): \(d)"
        case .closed: return "event store is closed"
        }
    }
}
