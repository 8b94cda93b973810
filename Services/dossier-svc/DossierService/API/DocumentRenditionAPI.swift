import DVCProto
import OneStop
import RPCCore

/// `dvc.dossier.v1.DocumentRenditionService` over RPC: a one-stop document's PDF, made on the
/// first request and kept (`DocumentRenditions`). The same visibility as GetDossier, and the
/// read is recorded in the access log like one.
struct DocumentRenditionAPI: RegistrableRPCService {
    typealias Service = DossierV1.DocumentRenditionService

    let renditions: DocumentRenditions

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.getDocumentRendition) { request, context in
            let actor = DossierActor(try CallerIdentity.required(context))
            let (dossier, rendition) = try await renditions.rendition(request, for: actor)
            try await renditions.book.recordReads([dossier], by: AccessReader(actor, context))
            return rendition
        }
    }
}
