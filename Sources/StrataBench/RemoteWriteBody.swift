/// One remote write request, ready to send: a snappy-compressed protobuf
/// `WriteRequest` and where it sits in the workload's timeline.
public struct RemoteWriteBody: Sendable {
    /// Snappy block format of the encoded `WriteRequest`.
    public var bytes: [UInt8]
    public var samples: Int
    /// Size of the protobuf before compression.
    public var rawBytes: Int
    /// The first and last workload round with a sample in this request.
    /// Every earlier sample of this connection lies in rounds ≤ `firstRound`.
    public var firstRound: Int
    public var lastRound: Int

    public init(bytes: [UInt8], samples: Int, rawBytes: Int, firstRound: Int, lastRound: Int) {
        self.bytes = bytes
        self.samples = samples
        self.rawBytes = rawBytes
        self.firstRound = firstRound
        self.lastRound = lastRound
    }
}

/// Everything the ingest phase sends, per connection, in send order.
public struct GeneratedLoad: Sendable {
    public var connections: [[RemoteWriteBody]]
    /// Samples in all requests, staleness markers included.
    public var samples: Int
    /// Staleness markers among `samples` (they are sent but never counted
    /// by `count_over_time`, so a store holds `samples - staleMarkers`).
    public var staleMarkers: Int
    /// Distinct series over the whole run.
    public var series: Int
    public var rounds: Int
    public var minTime: Int64
    public var maxTime: Int64

    public var requests: Int { connections.reduce(0) { $0 + $1.count } }
    public var compressedBytes: Int { connections.reduce(0) { $0 + $1.reduce(0) { $0 + $1.bytes.count } } }
    public var rawBytes: Int { connections.reduce(0) { $0 + $1.reduce(0) { $0 + $1.rawBytes } } }
}
