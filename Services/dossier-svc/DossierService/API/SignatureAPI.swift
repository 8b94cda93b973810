import DVCProto
import OneStop
import RPCCore

/// `dvc.dossier.v1.SignatureService` over RPC: the verification records of signed documents
/// (docs/signatures.md). Reading one needs no identity (the code is printed on the document);
/// annulling needs an approver of the issuing agency.
struct SignatureAPI: RegistrableRPCService {
    typealias Service = DossierV1.SignatureService

    let book: DossierBook

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.getVerification) { request, _ in
            try await book.verification(code: request.code)
        }
        router.register(Service.annulDocument) { request, context in
            try await book.annul(request, actor: DossierActor(try CallerIdentity.required(context)))
        }
        router.register(Service.listSignatures) { request, context in
            try await book.signedDocuments(request, for: DossierActor(try CallerIdentity.required(context)))
        }
    }
}
