import DVCProto
import OneStop
import RPCCore

/// `dvc.dossier.v1.DraftService` over RPC: the citizen's drafts (docs/drafts.md). The caller's
/// identity comes from the gateway (`x-dvc-identity`); only the owner, acting themselves, is
/// served (`DossierBook.draftOwner`).
struct DraftAPI: RegistrableRPCService {
    typealias Service = DossierV1.DraftService

    let book: DossierBook

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.saveDraft) { request, context in
            try await book.saveDraft(request, actor: actor(context), context: context)
        }
        router.register(Service.getDraft) { request, context in
            try await book.getDraft(request, actor: actor(context), context: context)
        }
        router.register(Service.listDrafts) { _, context in
            try await book.listDrafts(actor: actor(context), context: context)
        }
        router.register(Service.deleteDraft) { request, context in
            try await book.deleteDraft(request, actor: actor(context), context: context)
        }
        router.register(Service.submitDraft) { request, context in
            try await book.submitDraft(request, actor: actor(context), context: context)
        }
    }

    func actor(_ context: ServerContext) throws -> DossierActor {
        DossierActor(try CallerIdentity.required(context))
    }
}
