import DVCProto
import RPCCore

/// `dvc.gateway.v1.DocumentService`: the renditions of the one-stop documents (their PDF),
/// forwarded to dossier-svc with the caller's identity. The gateway adds what it adds to
/// GetDossier: a key's agency bounds the call (another agency's dossier is NOT_FOUND).
struct DocumentGatewayAPI: RegistrableRPCService {
    typealias Service = GatewayV1.DocumentService
    typealias Backend = DossierV1.DocumentRenditionService

    let dossiers: any RPCClientProtocol

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.getDocumentRendition) { request, context in
            // dossier-svc records the read with the rendition itself.
            _ = try await DossierLookup(dossiers: dossiers).visible(request.dossierId, field: "dossier_id", context,
                                                                    recordedByNextCall: true)
            let options = try GatewayForwarding.options(context, GatewayCaller.of(context), idempotent: true)
            return try await dossiers.unary(Backend.getDocumentRendition, request, options: options)
        }
    }
}
