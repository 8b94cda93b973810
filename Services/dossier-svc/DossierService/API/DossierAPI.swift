import DVCProto
import OneStop
import Foundation
import RPCCore

/// `dvc.dossier.v1.DossierService` over RPC. The caller's identity comes from the gateway
/// (`x-dvc-identity`); every method checks what that identity may see or do.
struct DossierAPI: RegistrableRPCService {
    typealias Service = DossierV1.DossierService

    let book: DossierBook

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.submitDossier) { request, context in
            try await book.submit(request, actor: actor(context), context: context)
        }
        router.register(Service.getDossier) { request, context in
            let actor = try actor(context)
            let dossier = try await book.get(id: request.id, for: actor)
            try await book.recordReads([dossier], by: AccessReader(actor, context))
            return dossier
        }
        router.register(Service.act) { request, context in
            try await book.act(request, actor: actor(context), context: context)
        }
        router.register(Service.assignDossier) { request, context in
            try await book.assign(request, identity: CallerIdentity.required(context), context: context)
        }
        router.register(Service.trackDossier) { request, context in
            try await book.track(receiptCode: request.receiptCode, pin: request.pin,
                                 clientAddress: context.metadata[MetadataKey.clientAddress],
                                 options: context.downstreamOptions(CallOptions(idempotent: true)))
        }
        router.register(Service.getHistory) { request, context in
            let actor = try actor(context)
            let dossier = try await book.get(id: request.dossierId, for: actor)
            try await book.recordReads([dossier], by: AccessReader(actor, context))
            var response = DossierV1.GetHistoryResponse()
            response.entries = try await book.history(id: request.dossierId, for: actor)
            return response
        }
        router.register(Service.listDossiers) { request, context in
            let actor = try actor(context)
            let response = try await book.list(request, for: actor)
            // A work queue shows its dossiers whole: each one listed is a read.
            try await book.recordReads(response.dossiers, by: AccessReader(actor, context))
            return response
        }
        router.register(Service.getAgencyStatistics) { request, _ in
            try await book.statistics(request)
        }
        router.register(Service.getFile) { request, context in
            let actor = try actor(context)
            let (dossier, file) = try await book.file(request, for: actor)
            try await book.recordReads([dossier], by: AccessReader(actor, context), file: file)
            return file
        }
        router.register(Service.getTrackingBook) { request, context in
            try await book.trackingBook(request, for: actor(context),
                                        options: context.downstreamOptions(CallOptions(idempotent: true)))
        }
        router.register(Service.listAccessLog) { request, context in
            try await book.accessLog(request, for: actor(context))
        }
        router.register(Service.listReusableDocuments) { request, context in
            try await book.reusableDocuments(request, for: actor(context))
        }
    }

    /// The acting identity the gateway vouched for.
    func actor(_ context: ServerContext) throws -> DossierActor {
        DossierActor(try CallerIdentity.required(context))
    }
}
