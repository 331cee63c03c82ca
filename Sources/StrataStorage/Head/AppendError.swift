/// Why one sample was not stored. Reported per sample by `HeadAppender.commit()`.
public enum SampleRejection: Sendable, Equatable, CustomStringConvertible {
    /// Older than the newest sample of its series.
    case outOfOrder(lastTimestamp: Int64)
    /// Same timestamp as the newest sample, different value.
    case duplicateTimestamp
    /// Older than the head's lower bound: that time range is already persisted in blocks.
    case outOfBounds(minValid: Int64)

    public var description: String {
        switch self {
        case .outOfOrder(let last): return "out of order sample (newest is at \(last))"
        case .duplicateTimestamp: return "duplicate sample for timestamp with a different value"
        case .outOfBounds(let minValid): return "out of bounds (older than \(minValid))"
        }
    }

    public var reason: String {
        switch self {
        case .outOfOrder: return "out_of_order"
        case .duplicateTimestamp: return "duplicate"
        case .outOfBounds: return "out_of_bounds"
        }
    }
}

public struct RejectedSample: Sendable, Equatable {
    /// Position in the order the samples were appended to the appender.
    public var index: Int
    public var ref: SeriesRef
    public var timestamp: Int64
    public var rejection: SampleRejection
}

public struct CommitResult: Sendable {
    /// Samples newly stored.
    public var appended: Int = 0
    /// Identical duplicates, accepted without storing them twice.
    public var duplicates: Int = 0
    public var rejected: [RejectedSample] = []
    /// The head's WAL position after this commit (for tests and metrics).
    public var walPosition: UInt64 = 0
}

/// Errors from looking up or creating a series.
public enum SeriesError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidLabels(LabelError, Labels)
    case unknownRef(SeriesRef)
    case seriesLimit(Int)
    case io(IOError)

    public var description: String {
        switch self {
        case .invalidLabels(let e, let l): return "\(e) in series \(l)"
        case .unknownRef(let r): return "unknown series ref \(r)"
        case .seriesLimit(let n): return "series limit reached: at most \(n) active series"
        case .io(let e): return "\(e)"
        }
    }
}
