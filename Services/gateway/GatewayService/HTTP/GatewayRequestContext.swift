import Hummingbird
import NIOCore

/// The request context of the gateway's HTTP side: Hummingbird's basics plus the address the
/// connection came from, which the per-address rate limit needs (`ClientAddress` decides
/// whether a proxy in front may name another one).
struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
