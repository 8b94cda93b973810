import DVCProto
import OneStop
import RPCCore

/// `dvc.gateway.v1.DraftService`: the citizen's drafts (docs/drafts.md), forwarded to
/// dossier-svc as the signed-in citizen.
///
/// A draft is the citizen's own unfinished work: only a citizen signed in as themselves (a
/// portal session, its bearer token) may call. An officer and any agency API key — acting for a
/// citizen or not — are refused here, before dossier-svc (which refuses them too) is asked.
struct DraftGatewayAPI: RegistrableRPCService {
    typealias Service = GatewayV1.DraftService
    typealias Backend = DossierV1.DraftService

    let dossiers: any RPCClientProtocol
    let gate: LevelGate

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.saveDraft) { request, context in
            let caller = try Self.owner(context)
            // A new draft names its procedure: the start of an online submission, level 3 there.
            if !request.agencyCode.isEmpty, !request.procedureCode.isEmpty {
                try await gate.require(.online, agency: request.agencyCode, procedure: request.procedureCode, context: context)
            }
            return try await dossiers.unary(Backend.saveDraft, request, options: GatewayForwarding.options(context, caller))
        }
        router.register(Service.getDraft) { request, context in
            let caller = try Self.owner(context)
            return try await dossiers.unary(Backend.getDraft, request, options: GatewayForwarding.options(context, caller, idempotent: true))
        }
        router.register(Service.listDrafts) { request, context in
            let caller = try Self.owner(context)
            return try await dossiers.unary(Backend.listDrafts, request, options: GatewayForwarding.options(context, caller, idempotent: true))
        }
        router.register(Service.deleteDraft) { request, context in
            let caller = try Self.owner(context)
            return try await dossiers.unary(Backend.deleteDraft, request, options: GatewayForwarding.options(context, caller))
        }
        router.register(Service.submitDraft) { request, context in
            let caller = try Self.owner(context)
            var options = try GatewayForwarding.options(context, caller)
            // The idempotency key makes a retry safe, as for SubmitDossier.
            options.idempotent = true
            if let key = context.metadata[MetadataKey.idempotencyKey] { options.metadata[MetadataKey.idempotencyKey] = key }
            return try await dossiers.unary(Backend.submitDraft, request, options: options)
        }
    }

    /// The caller, if a citizen acting themselves; PERMISSION_DENIED for anyone else.
    static func owner(_ context: ServerContext) throws -> GatewayCaller {
        let caller = GatewayCaller.of(context)
        guard case .citizen = try caller.requireIdentity(), caller.key == nil else {
            throw RPCError(.permissionDenied, "drafts are the citizen's own: sign in as the citizen (a portal session or its bearer token); "
                           + "officers and agency API keys cannot read or change them")
        }
        return caller
    }
}
