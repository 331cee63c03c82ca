import HTTPTypes
import Hummingbird
import NIOCore

/// First middleware of the WebSocket upgrade router: when an upgrade is
/// refused (401/403 from authentication or the Origin check, 404 for an
/// unknown channel, 400 for bad parameters), it hands the whole response
/// to the connection's `ConnectionGuardHandler`, which sends it in place of
/// HummingbirdWebSocket's empty `400 Bad Request`: the client learns the
/// status and reads Prometheus-style JSON saying why.
struct UpgradeRefusalMiddleware: RouterMiddleware {
    typealias Context = RealtimeRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            let response = try await next(request, context)
            if response.status != .ok { try await record(response, on: context.nioChannel) }
            return response
        } catch let e as APIError {
            try await record(e.response(), on: context.nioChannel)
            throw e
        } catch let e as any HTTPResponseError {
            try await record(APIError(e.status == .notFound ? .notFound : .badData, "\(e)", status: e.status).response(),
                             on: context.nioChannel)
            throw e
        }
    }

    /// Serialises `response` (head and body) for the guard handler.
    private func record(_ response: Response, on channel: any Channel) async throws {
        let box = Collected()
        try await response.body.write(CollectingWriter(box: box))
        var head = "HTTP/1.1 \(response.status.code) \(response.status.reasonPhrase)\r\n"
        for field in response.headers where field.name != .contentLength && field.name != .connection {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "Content-Length: \(box.bytes.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array(head.utf8) + box.bytes
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: ConnectionGuardHandler.self).upgradeRefusal = bytes
        }.get()
    }

    private final class Collected: @unchecked Sendable {
        var bytes: [UInt8] = []
    }

    private struct CollectingWriter: ResponseBodyWriter {
        let box: Collected
        mutating func write(_ buffer: ByteBuffer) async throws { box.bytes.append(contentsOf: buffer.readableBytesView) }
        consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
    }
}
