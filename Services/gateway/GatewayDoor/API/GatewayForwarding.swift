import DVCProto
import RPCCore

/// How the gateway calls the services behind it on a caller's behalf.
enum GatewayForwarding {
    /// Deadline, request id and trace carried on, and the identity the gateway vouches for
    /// (never one the caller sent): UNAUTHENTICATED when the caller has none. With it the id of
    /// the API key it came through (what an agency system does for a person is recorded as done
    /// through that key, in the history and the data tracker), and the method the caller
    /// called (the tracker's "why").
    static func options(_ context: ServerContext, _ caller: GatewayCaller, idempotent: Bool = false) throws -> CallOptions {
        var options = context.downstreamOptions(CallOptions(idempotent: idempotent))
        options.metadata[CallerIdentity.metadataKey] = try caller.requireIdentity().description
        options.metadata[MetadataKey.readVia] = context.method
        options.metadata[MetadataKey.apiKeyID] = caller.key?.id
        return options
    }
}

/// The address of the client a call serves: the one the HTTP side resolved (behind trusted
/// proxies) for an in-process call, else the binary RPC connection's host.
enum ClientAddressKey: ServerContextKey {
    typealias Value = String

    static func of(_ context: ServerContext) -> String {
        context[ClientAddressKey.self] ?? RateLimitInterceptor.host(of: context.remoteAddress)
    }
}

/// A dossier as the caller may see it: dossier-svc decides for the identity, the gateway for
/// the key's agency (another agency's dossier is NOT_FOUND, like one that does not exist).
struct DossierLookup {
    let dossiers: any RPCClientProtocol

    /// - Parameter recordedByNextCall: true when the call this look-up guards records the read
    ///   itself (a file, the history): dossier-svc then does not record the look-up as well.
    ///   False where the look-up is the only record (payments read through their dossier).
    func visible(_ id: String, field: String, _ context: ServerContext,
                 recordedByNextCall: Bool = false) async throws -> DossierV1.Dossier {
        guard !id.isEmpty else { throw RPCError.invalidArgument(field: field, "required") }
        var get = DossierV1.GetDossierRequest()
        get.id = id
        var options = try GatewayForwarding.options(context, GatewayCaller.of(context), idempotent: true)
        if recordedByNextCall { options.metadata[MetadataKey.readCheck] = "1" }
        let dossier = try await dossiers.unary(DossierV1.DossierService.getDossier, get, options: options)
        guard GatewayCaller.of(context).mayReach(dossier) else {
            throw RPCError(.notFound, "dossier \(id) does not exist or is not yours")
        }
        return dossier
    }
}
