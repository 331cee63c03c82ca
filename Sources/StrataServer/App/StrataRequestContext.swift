import Hummingbird
import NIOCore

/// Per-request context. Bodies are collected by handlers with their own
/// limits (`ServeConfig.Limits`), so `maxUploadSize` only bounds Hummingbird's
/// own decoding helpers.
public struct StrataRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address, for logs and (issue #10) the audit log.
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    public var maxUploadSize: Int { 64 << 20 }
}
