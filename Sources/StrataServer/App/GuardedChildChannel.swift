import HummingbirdCore
import Logging
import NIOCore

/// A Hummingbird child channel with `ConnectionGuardHandler` in front of the
/// base channel's handlers (after TLS when `.tls` wraps this), so that every
/// connection is counted and timed from accept.
struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let options: ConnectionGuardOptions

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let options = self.options
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuardHandler(options: options))
        }.flatMap {
            self.base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
