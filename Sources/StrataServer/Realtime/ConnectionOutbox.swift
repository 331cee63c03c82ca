import NIOCore
import Synchronization

/// The bounded send buffer of one WebSocket connection.
///
/// Producers (the hub, the subscription evaluator) only ever append under a
/// short lock and never wait; the connection's writer task drains it. When a
/// producer would push it past its bounds, the pending messages are thrown
/// away and the connection is told to close: a consumer that cannot keep up
/// is dropped rather than allowed to hold memory or slow anyone else down.
final class ConnectionOutbox: Sendable {
    enum Item: Sendable {
        case messages([ByteBuffer])
        case close(code: UInt16, reason: String)
    }

    enum EnqueueResult: Equatable {
        case queued
        /// This message overflowed the buffer: the connection is now closing.
        case overflow
        /// The connection is already closing or closed; the message was dropped.
        case closed
    }

    private struct State {
        var queue: [ByteBuffer] = []
        var bytes = 0
        var waiter: CheckedContinuation<Item?, Never>?
        var close: (code: UInt16, reason: String)?
        var closeDelivered = false
        var finished = false
    }

    let maxMessages: Int
    let maxBytes: Int
    private let state = Mutex(State())

    init(maxMessages: Int, maxBytes: Int) {
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
    }

    /// Appends one message. A single message larger than `maxBytes` is
    /// accepted into an empty buffer (it is one initial query result, not a
    /// backlog); the bounds apply to what piles up behind it.
    func enqueue(_ message: ByteBuffer) -> EnqueueResult {
        let (result, wake): (EnqueueResult, (CheckedContinuation<Item?, Never>, Item)?) = state.withLock { s in
            if s.close != nil || s.finished { return (.closed, nil) }
            let size = message.readableBytes
            if !s.queue.isEmpty && (s.queue.count + 1 > maxMessages || s.bytes + size > maxBytes) {
                let pending = s.queue.count
                let pendingBytes = s.bytes
                s.queue.removeAll()
                s.bytes = 0
                let reason = "slow consumer: send buffer full (\(pending) messages, \(pendingBytes) bytes pending)"
                s.close = (RealtimeCloseCode.policyViolation, reason)
                if let w = s.waiter {
                    s.waiter = nil
                    s.closeDelivered = true
                    return (.overflow, (w, .close(code: RealtimeCloseCode.policyViolation, reason: reason)))
                }
                return (.overflow, nil)
            }
            if let w = s.waiter {
                s.waiter = nil
                return (.queued, (w, .messages([message])))
            }
            s.queue.append(message)
            s.bytes += size
            return (.queued, nil)
        }
        if let (w, item) = wake { w.resume(returning: item) }
        return result
    }

    /// Asks the writer to send a close frame after what is already queued
    /// (or instead of it, with `discardPending`). Later messages are refused.
    func close(code: UInt16, reason: String, discardPending: Bool = false) {
        let wake: (CheckedContinuation<Item?, Never>, Item)? = state.withLock { s in
            if s.close != nil || s.finished { return nil }
            s.close = (code, reason)
            if discardPending { s.queue.removeAll(); s.bytes = 0 }
            if let w = s.waiter {
                s.waiter = nil
                s.closeDelivered = true
                return (w, .close(code: code, reason: reason))
            }
            return nil
        }
        if let (w, item) = wake { w.resume(returning: item) }
    }

    /// Ends the outbox: the writer's `next()` returns nil.
    func finish() {
        let w: CheckedContinuation<Item?, Never>? = state.withLock { s in
            s.finished = true
            s.queue.removeAll()
            s.bytes = 0
            defer { s.waiter = nil }
            return s.waiter
        }
        w?.resume(returning: nil)
    }

    /// Whether a close has been requested (by overflow, idle timeout or shutdown).
    var isClosing: Bool { state.withLock { $0.close != nil || $0.finished } }

    /// Number of queued messages (for tests and metrics).
    var pendingCount: Int { state.withLock { $0.queue.count } }

    /// The next batch for the writer: every queued message at once, then the
    /// close request, then nil. Only one task may call this at a time.
    func next() async -> Item? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (cont: CheckedContinuation<Item?, Never>) in
                let ready: Item?? = state.withLock { s in
                    if !s.queue.isEmpty {
                        let batch = s.queue
                        s.queue.removeAll(keepingCapacity: true)
                        s.bytes = 0
                        return .some(.messages(batch))
                    }
                    if let c = s.close, !s.closeDelivered {
                        s.closeDelivered = true
                        return .some(.close(code: c.code, reason: c.reason))
                    }
                    if s.finished || s.close != nil { return .some(nil) }
                    s.waiter = cont
                    return nil
                }
                if let ready { cont.resume(returning: ready) }
            }
        } onCancel: {
            finish()
        }
    }
}

/// WebSocket close codes Strata sends (RFC 6455 §7.4.1).
enum RealtimeCloseCode {
    static let normal: UInt16 = 1000
    /// The server is going away or the peer went quiet (idle timeout).
    static let goingAway: UInt16 = 1001
    /// The client broke a rule: here, it did not read fast enough.
    static let policyViolation: UInt16 = 1008
    /// Server overloaded (IANA registry: "Try Again Later").
    static let tryAgainLater: UInt16 = 1013
}
