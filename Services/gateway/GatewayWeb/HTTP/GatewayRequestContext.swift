import Hummingbird
import NIOCore

/// The request context of the gateway's HTTP side: Hummingbird's basics, the address the
/// connection came from, which the per-address rate limit needs (`ClientAddress` decides
/// whether a proxy in front may name another one), and the person signed in with the
/// request's session cookie, looked up once by `SessionMiddleware` (as hummingbird-auth keeps
/// an authenticated identity in its context) so no handler looks it up again.
struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?
    /// The live browser session of the request's cookie; nil for none, or one that ended.
    var visitor: PortalVisitor?
    /// The client's address as the per-address limits count it (`ClientAddress`: the
    /// connection's peer, or what a trusted proxy says it saw). Set by `AdmissionMiddleware`; also
    /// what failed tracking PINs and sign-ins are counted under.
    var client = "unknown"
    /// The request's id (`RequestIDMiddleware`), in the answer's `X-Request-Id` and every log
    /// line of the request.
    var requestID = ""

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
