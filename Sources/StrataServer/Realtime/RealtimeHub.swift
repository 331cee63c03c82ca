import CoreMetrics
import NIOCore
import Synchronization

/// Fan-out of server events to WebSocket clients, per channel.
///
/// Every message a channel sends gets the channel's next sequence number, so
/// each connection sees strictly increasing numbers. Broadcasts (`publish`)
/// are also kept in a bounded replay buffer: a client that reconnects with
/// the last number it saw gets what it missed, in order, or `resync` when the
/// buffer no longer reaches back that far (docs/realtime.md).
///
/// Publishing never waits for a client: messages are appended to each
/// connection's bounded outbox under short locks, and a connection whose
/// outbox overflows is dropped.
public final class RealtimeHub: Sendable {
    /// Identifies this server run; sequence numbers restart with each run.
    public let epoch: String
    public let options: RealtimeOptions
    /// Signalled by the ingest path after every commit.
    public let commits: CommitSignal
    let channels: [ChannelState]
    let metrics: RealtimeMetrics?
    private let nextConnectionID = Atomic<UInt64>(1)
    private let snapshotProviders = Mutex<[RealtimeChannel: @Sendable () -> (type: String, payload: [UInt8])?]>([:])

    /// Counters, for tests and `/metrics`.
    let published = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    let connectionCount = Atomic<Int>(0)

    public init(options: RealtimeOptions = RealtimeOptions(), metrics: ServerMetrics? = nil) {
        self.options = options
        self.commits = CommitSignal()
        self.channels = RealtimeChannel.allCases.map { ChannelState(channel: $0, replayCapacity: options.replayBuffer) }
        self.metrics = metrics.map(RealtimeMetrics.init)
        var g = SystemRandomNumberGenerator()
        epoch = String(g.next() & 0xffff_ffff_ffff, radix: 16)
    }

    func state(_ c: RealtimeChannel) -> ChannelState { channels[c.index] }

    // MARK: publishing (the API other subsystems call)

    /// Broadcasts an event to every live client of `channel` and keeps it for
    /// replay. Returns its sequence number. Never waits for a client.
    @discardableResult
    public func publish(channel: RealtimeChannel, type: String, payload: JSONValue) -> UInt64 {
        publish(channel: channel, type: type, payloadJSON: payload.jsonBytes)
    }

    /// As `publish(channel:type:payload:)`, with the payload already
    /// serialised as a JSON object by the caller.
    @discardableResult
    public func publish(channel: RealtimeChannel, type: String, payloadJSON: [UInt8]) -> UInt64 {
        let ch = state(channel)
        var overflowed: [RealtimeConnection] = []
        let seq: UInt64 = ch.state.withLock { s in
            s.lastSeq += 1
            let msg = RealtimeEnvelope.encode(type: type, seq: s.lastSeq, payloadJSON: payloadJSON)
            s.ring.append(seq: s.lastSeq, message: msg)
            for (id, c) in s.live {
                if c.outbox.enqueue(msg) == .overflow {
                    s.live[id] = nil
                    overflowed.append(c)
                }
            }
            return s.lastSeq
        }
        published.wrappingAdd(1, ordering: .relaxed)
        metrics?.published(channel)
        for c in overflowed { didOverflow(c) }
        return seq
    }

    /// The newest sequence number of `channel`.
    public func latestSeq(_ channel: RealtimeChannel) -> UInt64 {
        state(channel).state.withLock { $0.lastSeq }
    }

    /// Registers what a client going live on `channel` without resuming gets
    /// first (the health monitor's full status list).
    public func setSnapshotProvider(_ channel: RealtimeChannel, _ provider: @escaping @Sendable () -> (type: String, payload: [UInt8])?) {
        snapshotProviders.withLock { $0[channel] = provider }
    }

    // MARK: connections

    func connect(channel: RealtimeChannel, nioChannel: any Channel, remoteAddress: String?) -> RealtimeConnection {
        let id = nextConnectionID.wrappingAdd(1, ordering: .relaxed).oldValue
        let outbox = ConnectionOutbox(maxMessages: options.sendBufferMessages, maxBytes: options.sendBufferBytes)
        let ch = state(channel)
        let conn: RealtimeConnection = ch.state.withLock { s in
            let c = RealtimeConnection(id: id, channel: channel, outbox: outbox, nioChannel: nioChannel,
                                       remoteAddress: remoteAddress, connectedAtSeq: s.lastSeq)
            s.connections += 1
            return c
        }
        connectionCount.wrappingAdd(1, ordering: .relaxed)
        metrics?.connected(channel, delta: 1)
        return conn
    }

    func disconnect(_ conn: RealtimeConnection) {
        state(conn.channel).state.withLock { s in
            s.live[conn.id] = nil
            s.connections -= 1
        }
        conn.outbox.finish()
        connectionCount.wrappingSubtract(1, ordering: .relaxed)
        metrics?.connected(conn.channel, delta: -1)
    }

    /// Sends `connection_status` to a new connection. It is numbered 0: it
    /// comes before the connection's place in the stream is decided (a
    /// replay may follow with older numbers), and `payload.seq` is the
    /// channel's newest number at that moment.
    func sendStatus(_ conn: RealtimeConnection) {
        let o = options
        let ch = state(conn.channel)
        ch.state.withLock { s in
            let current = s.lastSeq
            let oldest = s.ring.oldestSeq ?? current + 1
            let msg = RealtimeEnvelope.encode(type: "connection_status", seq: 0) { w in
                w.raw("{\"status\":\"connected\",\"channel\":")
                w.string(conn.channel.rawValue)
                w.raw(",\"connection\":")
                w.bytes.append(contentsOf: String(conn.id).utf8)
                w.raw(",\"epoch\":")
                w.string(epoch)
                w.raw(",\"seq\":")
                w.bytes.append(contentsOf: String(current).utf8)
                w.raw(",\"oldestSeq\":")
                w.bytes.append(contentsOf: String(oldest).utf8)
                w.raw(",\"replayBuffer\":")
                w.int(o.replayBuffer)
                w.raw(",\"sendBuffer\":{\"messages\":")
                w.int(o.sendBufferMessages)
                w.raw(",\"bytes\":")
                w.int(o.sendBufferBytes)
                w.raw("},\"pingIntervalMs\":")
                w.int64(o.pingInterval.totalMilliseconds)
                w.raw(",\"idleTimeoutMs\":")
                w.int64(o.idleTimeout.totalMilliseconds)
                w.raw(",\"resumeWaitMs\":")
                w.int64(o.resumeWait.totalMilliseconds)
                w.byte(UInt8(ascii: "}"))
            }
            _ = conn.outbox.enqueue(msg)
        }
    }

    enum GoLiveOutcome: Equatable {
        case alreadyLive
        case live(replayed: Int)
        case resync
    }

    /// Starts broadcasts to `conn`, first replaying what it missed since
    /// `since` (default: since it connected). With an `epoch` from another
    /// server run, or a `since` the buffer no longer covers, the client is
    /// told to `resync` instead and goes live from now.
    @discardableResult
    func goLive(_ conn: RealtimeConnection, since: UInt64? = nil, epoch clientEpoch: String? = nil) -> GoLiveOutcome {
        let ch = state(conn.channel)
        let wantsSnapshot = since == nil
        var overflowed = false
        let outcome: GoLiveOutcome = ch.state.withLock { s in
            if conn.isLive.load(ordering: .relaxed) { return .alreadyLive }
            if conn.outbox.isClosing { return .alreadyLive }
            conn.isLive.store(true, ordering: .relaxed)
            let from = since ?? conn.connectedAtSeq
            var outcome = GoLiveOutcome.live(replayed: 0)
            if let clientEpoch, clientEpoch != epoch {
                outcome = .resync
                overflowed = !enqueueResync(conn, &s, reason: "the server restarted (epoch \(epoch)); sequence numbers restarted",
                                            requested: from)
            } else {
                switch s.ring.replay(since: from, current: s.lastSeq) {
                case .events(let msgs):
                    for m in msgs where conn.outbox.enqueue(m) == .overflow { overflowed = true; break }
                    outcome = .live(replayed: msgs.count)
                case .gap:
                    outcome = .resync
                    let reason = from > s.lastSeq
                        ? "seq \(from) is ahead of this channel (at \(s.lastSeq)): the server restarted"
                        : "events after seq \(from) are no longer buffered"
                    overflowed = !enqueueResync(conn, &s, reason: reason, requested: from)
                }
            }
            if !overflowed { s.live[conn.id] = conn }
            return outcome
        }
        if overflowed {
            didOverflow(conn)
            return outcome
        }
        if wantsSnapshot || outcome == .resync, let provider = snapshotProviders.withLock({ $0[conn.channel] }),
           let snap = provider() {
            send(conn, type: snap.type, payloadJSON: snap.payload)
        }
        return outcome
    }

    /// Returns false if the connection overflowed.
    private func enqueueResync(_ conn: RealtimeConnection, _ s: inout ChannelState.State, reason: String, requested: UInt64) -> Bool {
        s.lastSeq += 1
        let seq = s.lastSeq
        let oldest = s.ring.oldestSeq ?? seq
        let msg = RealtimeEnvelope.encode(type: "resync", seq: seq) { w in
            w.raw("{\"reason\":")
            w.string(reason)
            w.raw(",\"requested\":")
            w.bytes.append(contentsOf: String(requested).utf8)
            w.raw(",\"oldestSeq\":")
            w.bytes.append(contentsOf: String(oldest).utf8)
            w.raw(",\"seq\":")
            w.bytes.append(contentsOf: String(seq).utf8)
            w.raw(",\"epoch\":")
            w.string(epoch)
            w.byte(UInt8(ascii: "}"))
        }
        return conn.outbox.enqueue(msg) != .overflow
    }

    /// Sends a message to one connection, numbered in its channel's sequence.
    /// `payload` writes the payload object and sees the message's seq and the
    /// channel state. Returns false if the connection is closing or overflowed.
    @discardableResult
    func send(_ conn: RealtimeConnection, type: String,
              payload: (inout JSONWriter, _ seq: UInt64, _ oldestSeq: UInt64?) -> Void) -> Bool {
        let ch = state(conn.channel)
        let result: ConnectionOutbox.EnqueueResult = ch.state.withLock { s in
            if conn.outbox.isClosing { return .closed }
            s.lastSeq += 1
            let seq = s.lastSeq
            let oldest = s.ring.oldestSeq
            let msg = RealtimeEnvelope.encode(type: type, seq: seq) { w in payload(&w, seq, oldest) }
            let r = conn.outbox.enqueue(msg)
            if r == .overflow { s.live[conn.id] = nil }
            return r
        }
        if result == .overflow { didOverflow(conn) }
        return result == .queued
    }

    @discardableResult
    func send(_ conn: RealtimeConnection, type: String, payloadJSON: [UInt8]) -> Bool {
        send(conn, type: type) { w, _, _ in w.bytes.append(contentsOf: payloadJSON) }
    }

    /// Sends an `error` message (bad client message, query error).
    @discardableResult
    func sendError(_ conn: RealtimeConnection, _ error: RealtimeClientError) -> Bool {
        send(conn, type: "error") { w, _, _ in error.write(to: &w) }
    }

    private func didOverflow(_ conn: RealtimeConnection) {
        dropped.wrappingAdd(1, ordering: .relaxed)
        metrics?.droppedSlowConsumer(conn.channel)
        conn.closeSocket(after: options.dropGrace)
    }

    /// Number of connections currently receiving broadcasts on `channel`.
    public func liveConnections(_ channel: RealtimeChannel) -> Int {
        state(channel).state.withLock { $0.live.count }
    }

    /// Number of slow consumers dropped so far.
    public var droppedConnections: Int { dropped.load(ordering: .relaxed) }

    /// Number of WebSocket sessions started so far (connections the server
    /// has taken over after the upgrade). Monotonic, unlike the open count:
    /// a client sees its upgrade complete before the server's session starts.
    public var acceptedConnections: Int { Int(nextConnectionID.load(ordering: .relaxed) - 1) }

    /// Asks every connection to close (graceful shutdown).
    func closeAll(reason: String) {
        for ch in channels {
            let conns = ch.state.withLock { s in Array(s.live.values) }
            for c in conns { c.outbox.close(code: RealtimeCloseCode.goingAway, reason: reason) }
        }
    }
}

/// The per-channel part of the hub: sequence numbers, replay buffer, live connections.
final class ChannelState: Sendable {
    struct State {
        var lastSeq: UInt64 = 0
        var ring: EventRing
        var live: [UInt64: RealtimeConnection] = [:]
        var connections = 0
    }

    let channel: RealtimeChannel
    let state: Mutex<State>

    init(channel: RealtimeChannel, replayCapacity: Int) {
        self.channel = channel
        state = Mutex(State(ring: EventRing(capacity: replayCapacity)))
    }
}
