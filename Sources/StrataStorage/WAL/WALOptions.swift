/// How the log reaches stable storage. See docs/format/wal.md, "Durability".
public enum WALFsyncMode: Sendable, Equatable, CustomStringConvertible {
    /// `commit()` returns after an fdatasync covering its record (group commit).
    case always
    /// fsync every `milliseconds`; commit returns after the write(2).
    case interval(milliseconds: Int)

    public var description: String {
        switch self {
        case .always: return "always"
        case .interval(let ms): return "interval(\(ms)ms)"
        }
    }
}

public struct WALOptions: Sendable {
    public var fsync: WALFsyncMode
    /// A new segment is started once the current one exceeds this size.
    /// 128 MiB as in Prometheus: large enough that rollovers are rare, small
    /// enough that a checkpoint frees space in useful steps.
    public var segmentSize: Int
    /// Called by the syncer thread after each fsync with its duration in ns (for metrics).
    public var onFsync: (@Sendable (Int64) -> Void)?

    public init(fsync: WALFsyncMode = .interval(milliseconds: 1000), segmentSize: Int = 128 << 20) {
        self.fsync = fsync
        self.segmentSize = segmentSize
    }
}
