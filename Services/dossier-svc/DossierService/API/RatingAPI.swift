import DVCProto
import OneStop
import RPCCore

/// `dvc.dossier.v1.RatingService` over RPC (docs/satisfaction.md). The caller's identity comes
/// from the gateway; the peer policy lets only the gateway call it.
struct RatingAPI: RegistrableRPCService {
    typealias Service = DossierV1.RatingService

    let ratings: DossierRatings

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.rateDossier) { request, context in
            try await ratings.rate(request, actor: DossierActor(try CallerIdentity.required(context)))
        }
        router.register(Service.getRatingStatus) { request, context in
            try await ratings.status(request, actor: DossierActor(try CallerIdentity.required(context)))
        }
        router.register(Service.getRatingSummary) { request, context in
            // Anyone may read the aggregates: no identity needed, one only widens to comments.
            try await ratings.summary(request, actor: CallerIdentity(metadata: context.metadata).map { DossierActor($0) })
        }
    }
}
