import DVCProto
import RPCCore

/// `dvc.gateway.v1.VerificationService`: the verification of signed documents
/// (docs/signatures.md), forwarded to dossier-svc.
///
/// - Reading a record needs no identity: the code printed on the document is what the holder
///   has; the record holds no personal data. Anonymous callers are rate-limited per address
///   like every anonymous call (binary RPC) or HTTP request (the portal's page).
/// - Annulling needs an officer of the issuing agency with the role approver or admin
///   (dossier-svc checks the agency and the role; the gateway refuses anyone else first).
/// - The list of a dossier's records follows the dossier's visibility.
struct VerificationGatewayAPI: RegistrableRPCService {
    typealias Service = GatewayV1.VerificationService
    typealias Backend = DossierV1.SignatureService

    let dossiers: any RPCClientProtocol

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.getVerification) { request, context in
            guard !request.code.isEmpty else { throw RPCError.invalidArgument(field: "code", "required") }
            return try await dossiers.unary(Backend.getVerification, request,
                                            options: context.downstreamOptions(CallOptions(idempotent: true)))
        }
        router.register(Service.annulDocument) { request, context in
            let caller = GatewayCaller.of(context)
            guard case .officer(_, _, let roles) = try caller.requireIdentity(),
                  roles.contains("approver") || roles.contains("admin") else {
                throw RPCError(.permissionDenied, "annulling a signed document needs an officer of its issuing agency with the role approver or admin")
            }
            var options = try GatewayForwarding.options(context, caller)
            // dossier-svc's check is by its own roles: an agency's admin acts as its approver here.
            if case .officer(let id, let agency, let roles) = try caller.requireIdentity(), roles.contains("admin") {
                options.metadata[CallerIdentity.metadataKey] = CallerIdentity.officer(id: id, agency: agency, roles: roles.union(["approver"])).description
            }
            return try await dossiers.unary(Backend.annulDocument, request, options: options)
        }
        router.register(Service.listSignatures) { request, context in
            _ = try await DossierLookup(dossiers: dossiers).visible(request.dossierId, field: "dossier_id", context, recordedByNextCall: false)
            return try await dossiers.unary(Backend.listSignatures, request,
                                            options: GatewayForwarding.options(context, GatewayCaller.of(context), idempotent: true))
        }
    }
}
