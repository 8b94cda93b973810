import DVCProto
import RPCCore

/// How the gateway calls the services behind it on a caller's behalf.
enum GatewayForwarding {
    /// Deadline, request id and trace carried on, and the identity the gateway vouches for
    /// (never one the caller sent): UNAUTHENTICATED when the caller has none. With it the id of
    /// the API key it came through, so what an agency system does for a person is recorded as
    /// done through that key.
    static func options(_ context: ServerContext, _ caller: GatewayCaller, idempotent: Bool = false) throws -> CallOptions {
        var options = context.downstreamOptions(CallOptions(idempotent: idempotent))
        options.metadata[CallerIdentity.metadataKey] = try caller.requireIdentity().description
        options.metadata[CallerIdentity.apiKeyMetadataKey] = caller.key?.id
        return options
    }
}

/// A dossier as the caller may see it: dossier-svc decides for the identity, the gateway for
/// the key's agency (another agency's dossier is NOT_FOUND, like one that does not exist).
struct DossierLookup {
    let dossiers: any RPCClientProtocol

    func visible(_ id: String, field: String, _ context: ServerContext) async throws -> DossierV1.Dossier {
        guard !id.isEmpty else { throw RPCError.invalidArgument(field: field, "required") }
        var get = DossierV1.GetDossierRequest()
        get.id = id
        let dossier = try await dossiers.unary(DossierV1.DossierService.getDossier, get,
                                               options: GatewayForwarding.options(context, GatewayCaller.of(context), idempotent: true))
        guard GatewayCaller.of(context).mayReach(dossier) else {
            throw RPCError(.notFound, "dossier \(id) does not exist or is not yours")
        }
        return dossier
    }
}
