import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Tells the connection's `ConnectionGuardHandler` where the HTTP exchange
/// is: a request head was decoded, the request was read completely, a
/// response ended. Sits after the HTTP decoder (Hummingbird's
/// `additionalChannelHandlers`), which the raw-byte guard cannot see past.
final class HTTPPhaseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var guardHandler: ConnectionGuardHandler?

    init() {}

    func handlerAdded(context: ChannelHandlerContext) {
        guardHandler = try? context.pipeline.syncOperations.handler(type: ConnectionGuardHandler.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        guardHandler = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: guardHandler?.requestHead()
        case .end: guardHandler?.requestEnd()
        case .body: break
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { guardHandler?.responseEnd() }
        context.write(data, promise: promise)
    }
}
