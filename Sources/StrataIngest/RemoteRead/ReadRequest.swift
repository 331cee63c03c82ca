/// A Prometheus remote read request (prompb remote.proto), as sent by a
/// Prometheus server that uses Strata as remote storage.
///
///     ReadRequest  { repeated Query queries = 1;
///                    repeated ResponseType accepted_response_types = 2; }
///     Query        { int64 start_timestamp_ms = 1; int64 end_timestamp_ms = 2;
///                    repeated LabelMatcher matchers = 3; ReadHints hints = 4; }
///     LabelMatcher { Type type = 1; string name = 2; string value = 3; }
///     ReadHints    { int64 step_ms = 1; string func = 2; int64 start_ms = 3;
///                    int64 end_ms = 4; repeated string grouping = 5;
///                    bool by = 6; int64 range_ms = 7; }
public struct ReadRequest: Sendable, Equatable {
    public enum ResponseType: Sendable, Equatable {
        /// One `ReadResponse` with raw samples, snappy-compressed.
        case samples
        /// Streamed XOR chunks (not implemented by Strata yet).
        case streamedXORChunks
        /// A value this decoder does not know (from a newer sender).
        case unknown(UInt64)

        init(raw: UInt64) {
            switch raw {
            case 0: self = .samples
            case 1: self = .streamedXORChunks
            default: self = .unknown(raw)
            }
        }

        var raw: UInt64 {
            switch self {
            case .samples: return 0
            case .streamedXORChunks: return 1
            case .unknown(let r): return r
            }
        }
    }

    public struct Matcher: Sendable, Equatable {
        /// Numbered as prompb's `LabelMatcher.Type`.
        public enum MatchType: Int, Sendable, Equatable {
            case equal = 0
            case notEqual = 1
            case regexMatch = 2
            case regexNoMatch = 3
        }

        public var type: MatchType
        public var name: String
        public var value: String

        public init(_ type: MatchType, _ name: String, _ value: String) {
            self.type = type
            self.name = name
            self.value = value
        }
    }

    public struct Hints: Sendable, Equatable {
        public var stepMs: Int64 = 0
        public var function: String = ""
        public var startMs: Int64 = 0
        public var endMs: Int64 = 0
        public var grouping: [String] = []
        public var by: Bool = false
        public var rangeMs: Int64 = 0

        public init() {}
    }

    public struct Query: Sendable, Equatable {
        public var startTimestampMs: Int64
        public var endTimestampMs: Int64
        public var matchers: [Matcher]
        public var hints: Hints?

        public init(startTimestampMs: Int64, endTimestampMs: Int64, matchers: [Matcher], hints: Hints? = nil) {
            self.startTimestampMs = startTimestampMs
            self.endTimestampMs = endTimestampMs
            self.matchers = matchers
            self.hints = hints
        }
    }

    public var queries: [Query]
    /// In the sender's order of preference. Empty means SAMPLES (per remote.proto).
    public var acceptedResponseTypes: [ResponseType]

    public init(queries: [Query], acceptedResponseTypes: [ResponseType] = []) {
        self.queries = queries
        self.acceptedResponseTypes = acceptedResponseTypes
    }

    /// Whether a SAMPLES response satisfies the sender: it listed SAMPLES,
    /// or listed nothing (older senders).
    public var acceptsSamples: Bool {
        acceptedResponseTypes.isEmpty || acceptedResponseTypes.contains(.samples)
    }
}
