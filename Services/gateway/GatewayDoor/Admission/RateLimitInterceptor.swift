import DVCProto
import RPCCore

/// Applies `RateLimits` to every gateway method once the caller is known (it runs right after
/// `IdentityInterceptor`): an agency system by its API key, a person by who they are, an
/// anonymous caller by its address. Keying by the authenticated identity — not by a credential
/// merely presented — means nobody can spend another client's allowance by sending its key id.
///
/// On the HTTP side every request was already counted by address (`RateLimitMiddleware`), so
/// there `byAddress` is off and anonymous in-process calls are not counted twice.
struct RateLimitInterceptor: ServerInterceptor {
    let limits: RateLimits
    let byAddress: Bool

    func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        if let caller = context[GatewayCaller.ContextKey.self] {
            if let key = caller.key {
                try limits.check(.key, key.id)
            } else {
                switch caller.identity {
                case .citizen(let id): try limits.check(.person, "citizen:\(id)")
                case .officer(let id, let agency, _): try limits.check(.person, "officer:\(agency)/\(id)")
                default:
                    if byAddress { try limits.check(.address, Self.host(of: context.remoteAddress)) }
                }
            }
        }
        return try await next(request, context)
    }

    /// The host part of a connection's description as the RPC server records it
    /// (`[IPv4]127.0.0.1/127.0.0.1:5000`, `[IPv6]::1/::1:5000`, or plain `host:port`).
    static func host(of description: String) -> String {
        var text = Substring(description)
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") { text = text[text.index(after: close)...] }
        if let slash = text.lastIndex(of: "/") { text = text[text.index(after: slash)...] }
        if let colon = text.lastIndex(of: ":") { text = text[..<colon] }
        return String(text)
    }
}
