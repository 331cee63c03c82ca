import Dispatch
import NIOCore
import Synchronization

/// One WebSocket client of one channel, as the hub sees it.
final class RealtimeConnection: Sendable {
    let id: UInt64
    let channel: RealtimeChannel
    let outbox: ConnectionOutbox
    /// The socket, to close it when a dropped client does not read its close frame.
    let nioChannel: any Channel
    let remoteAddress: String?

    /// The channel's newest sequence number when the client connected; a
    /// client that does not resume is brought live from here, so nothing
    /// published while it was deciding is lost.
    let connectedAtSeq: UInt64
    /// Set once the connection receives broadcasts.
    let isLive = Atomic<Bool>(false)
    /// Monotonic time of the last message from the client (idle timeout).
    let lastActivityNanos = Atomic<UInt64>(DispatchTime.now().uptimeNanoseconds)

    init(id: UInt64, channel: RealtimeChannel, outbox: ConnectionOutbox, nioChannel: any Channel,
         remoteAddress: String?, connectedAtSeq: UInt64) {
        self.id = id
        self.channel = channel
        self.outbox = outbox
        self.nioChannel = nioChannel
        self.remoteAddress = remoteAddress
        self.connectedAtSeq = connectedAtSeq
    }

    func touch() { lastActivityNanos.store(DispatchTime.now().uptimeNanoseconds, ordering: .relaxed) }

    /// Closes the socket after `grace` unless it closed by itself before.
    func closeSocket(after grace: Duration) {
        let ch = nioChannel
        ch.eventLoop.scheduleTask(in: .nanoseconds(grace.totalNanoseconds)) { ch.close(promise: nil) }
    }
}
