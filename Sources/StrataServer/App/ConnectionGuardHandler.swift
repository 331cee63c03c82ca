import NIOCore

/// First handler of every connection's pipeline (after TLS, before the HTTP
/// decoder): enforces `limits.max_connections` and drops slow clients
/// (issue #7, limits).
///
/// Hummingbird's own idle timeout only starts once a request head has been
/// decoded, so a client that connects and sends nothing, or dribbles a header
/// byte at a time ("slowloris"), would hold its connection forever. This
/// handler sees the raw bytes, so it times the connection from accept:
///
/// - `awaitingHead`: from accept, or from the first byte of a keep-alive
///   connection's next request, the head (up to its empty line) must be
///   complete within `headerTimeout`. A deadline, not reset by bytes: a
///   dribbling client is dropped too. Answered 408, then closed.
/// - `readingBody` (told by `HTTPPhaseHandler`): while the server asks for
///   body bytes (`read`), the client must send some within `readTimeout`.
///   Time the server itself holds back reading (back-pressure) never counts.
/// - `processing`: the request was read; no client timeout while the server works.
/// - `idle`: the response was sent and nothing is in progress: closed after
///   `idleTimeout` (keep-alive).
/// - `upgraded`: a WebSocket (the server sent `101`); it has its own ping and
///   idle logic (Sources/StrataServer/Realtime), so this handler steps aside.
///
/// All state is touched on the channel's event loop only.
final class ConnectionGuardHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    enum Phase { case starting, awaitingHead, headReceived, readingBody, processing, idle, upgraded, closed }

    let options: ConnectionGuardOptions
    private(set) var phase: Phase = .starting
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?
    private var holdsSlot = false
    /// `HTTPPhaseHandler` saw a request head: plain HTTP, a WebSocket upgrade can no longer come.
    private var httpSeen = false
    /// Requests whose head was read and whose response has not ended.
    private var inFlight = 0
    /// End-of-head scanner: 0 nothing, 1 after LF, 2 after LF CR.
    private var lineEnd = 0
    /// The whole response a refused WebSocket upgrade should get (set by
    /// `UpgradeRefusalMiddleware`): it replaces HummingbirdWebSocket's
    /// empty `400 Bad Request`, so the client learns 401/403/404 and why.
    var upgradeRefusal: [UInt8]?

    init(options: ConnectionGuardOptions) {
        self.options = options
    }

    // MARK: lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
        self.context = nil
    }

    private func start(_ context: ChannelHandlerContext) {
        guard phase == .starting else { return }
        guard options.limiter.tryAcquire() else {
            phase = .closed
            // Over the limit: a short answer the client can understand, then close.
            let body = "{\"status\":\"error\",\"errorType\":\"unavailable\",\"error\":\"too many open connections (max_connections is \(options.limiter.maxConnections))\"}"
            let head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer(string: head + body))), promise: nil)
            context.close(promise: nil)
            return
        }
        holdsSlot = true
        enter(.awaitingHead)
    }

    private func finish() {
        cancelTimer()
        phase = .closed
        if holdsSlot {
            holdsSlot = false
            options.limiter.release()
        }
    }

    // MARK: traffic

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .idle:
            enter(.awaitingHead)
            scanForEndOfHead(unwrapInboundIn(data))
        case .awaitingHead:
            scanForEndOfHead(unwrapInboundIn(data))
        case .readingBody:
            // The client answered the server's read; the next `read` re-arms.
            cancelTimer()
        case .starting, .headReceived, .processing, .upgraded, .closed:
            break
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if phase == .readingBody && timer == nil { arm(options.readTimeout, .readTimeout) }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // A WebSocket upgrade answers the connection's first request with 101
        // (the upgrade path never adds `HTTPPhaseHandler`).
        if !httpSeen, phase != .upgraded, phase != .closed, case .byteBuffer(let b) = unwrapOutboundIn(data) {
            if b.readableBytesView.starts(with: Self.switchingProtocols) {
                cancelTimer()
                phase = .upgraded
            } else if let refusal = upgradeRefusal, b.readableBytesView.starts(with: Self.failedUpgrade) {
                upgradeRefusal = nil
                context.write(wrapOutboundOut(.byteBuffer(context.channel.allocator.buffer(bytes: refusal))), promise: promise)
                return
            }
        }
        context.write(data, promise: promise)
    }

    static let switchingProtocols = Array("HTTP/1.1 101".utf8)
    /// HummingbirdWebSocket's answer to every refused upgrade (head only, no body).
    static let failedUpgrade = Array("HTTP/1.1 400 Bad Request".utf8)

    /// Finds the empty line that ends a request head (CRLF CRLF, or bare LFs as lenient parsers accept).
    private func scanForEndOfHead(_ buffer: ByteBuffer) {
        for byte in buffer.readableBytesView {
            switch byte {
            case UInt8(ascii: "\n"):
                if lineEnd > 0 {
                    lineEnd = 0
                    cancelTimer()
                    phase = .headReceived
                    return
                }
                lineEnd = 1
            case UInt8(ascii: "\r"):
                lineEnd = lineEnd == 1 ? 2 : 0
            default:
                lineEnd = 0
            }
        }
    }

    // MARK: told by HTTPPhaseHandler

    func requestHead() {
        httpSeen = true
        inFlight += 1
        guard phase != .closed else { return }
        enter(.readingBody)
    }

    func requestEnd() {
        guard phase == .readingBody else { return }
        enter(.processing)
    }

    func responseEnd() {
        inFlight = max(0, inFlight - 1)
        guard inFlight == 0, phase == .processing || phase == .headReceived else { return }
        enter(.idle)
    }

    // MARK: timers

    private func enter(_ next: Phase) {
        cancelTimer()
        phase = next
        switch next {
        case .awaitingHead:
            lineEnd = 0
            arm(options.headerTimeout, .headerTimeout)
        case .idle:
            arm(options.idleTimeout, .idleTimeout)
        case .readingBody:
            // The server wants the body now (its read may already be pending,
            // so no further `read` might pass here); re-armed by each `read`
            // after bytes arrived, so that time the server itself holds back
            // reading (back-pressure) does not count.
            arm(options.readTimeout, .readTimeout)
        case .starting, .headReceived, .processing, .upgraded, .closed:
            break
        }
    }

    private func arm(_ after: TimeAmount, _ reason: ConnectionDropReason) {
        guard let context, after.nanoseconds > 0 else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: after) { loopBound.value.expired(reason) }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func expired(_ reason: ConnectionDropReason) {
        timer = nil
        guard let context, phase != .closed, phase != .upgraded else { return }
        options.limiter.metrics.connectionDropped(reason: reason)
        if reason == .headerTimeout && inFlight == 0 {
            // Nothing else is being written: tell the client why (RFC 9110, 408).
            let msg = "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer(string: msg))), promise: nil)
        }
        phase = .closed
        context.close(promise: nil)
    }
}
