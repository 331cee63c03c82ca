import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// `GET /ws/{channel}` with a WebSocket upgrade, for the channels in
/// `RealtimeChannel`. Query parameters: `since` (last seq seen: replay what
/// was missed) and `epoch` (the server run that seq came from).
struct RealtimeRoutes: Sendable {
    let hub: RealtimeHub
    let subscriptions: SubscriptionManager

    func register(on router: Router<RealtimeRequestContext>) {
        // A refusal is thrown as an APIError: `UpgradeRefusalMiddleware` makes
        // it the answer the client gets.
        router.ws("/ws/{channel}") { request, context in
            guard let name = context.parameters.get("channel"), RealtimeChannel(rawValue: name) != nil else {
                let known = RealtimeChannel.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError(.notFound, "unknown WebSocket channel \"\(context.parameters.get("channel") ?? "")\": one of \(known)")
            }
            if let s = request.uri.queryParameters.get("since"), UInt64(String(s)) == nil {
                throw APIError(.badData, "invalid parameter \"since\": \"\(s)\" is not a sequence number")
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, ws in
            let ctx = ws.requestContext
            guard let name = ctx.parameters.get("channel"), let channel = RealtimeChannel(rawValue: name) else { return }
            let q = ws.request.uri.queryParameters
            let session = RealtimeSession(
                hub: hub, subscriptions: subscriptions, channel: channel, nioChannel: ctx.nioChannel,
                remoteAddress: ctx.remoteAddress, since: q.get("since").flatMap { UInt64(String($0)) },
                epoch: q.get("epoch").map { String($0) }
            )
            try await session.run(inbound: inbound, outbound: outbound)
        }
    }
}
