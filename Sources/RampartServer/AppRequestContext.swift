import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RampartStore

/// The request context of every route: Hummingbird's core plus the caller's address.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's IP address, for login throttling.
    public let remoteAddress: String?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Bodies are collected explicitly with per-route limits; this is the ceiling for the rest.
    public var maxUploadSize: Int { 1 << 20 }
}
