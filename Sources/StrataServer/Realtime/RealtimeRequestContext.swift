import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// Request context of the WebSocket upgrade router. Keeps the connection's
/// channel so that a dropped slow consumer's socket can be closed even while
/// a write to it is stuck.
public struct RealtimeRequestContext: RequestContext, WebSocketRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let nioChannel: any Channel
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        webSocket = .init()
        nioChannel = source.channel
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }
}
