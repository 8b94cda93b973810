import DVCProto
import RPCCore

/// `dvc.gateway.v1.RatingService` (docs/satisfaction.md): the citizen rates their dossier and
/// reads whether they still can; anyone reads an agency's aggregates, with the satisfaction
/// indicator of Decision 766/QĐ-TTg computed from the agency's statistics of the same period.
struct RatingGatewayAPI: RegistrableRPCService {
    typealias Service = GatewayV1.RatingService
    typealias Backend = DossierV1.RatingService

    let dossiers: any RPCClientProtocol

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.rateDossier) { request, context in
            let caller = try owner(context)
            // The dossier as the caller may see it (a key's agency bounds it, as for every
            // dossier call); dossier-svc checks ownership and the state again in its transaction.
            _ = try await DossierLookup(dossiers: dossiers).visible(request.dossierId, field: "dossier_id", context,
                                                                    recordedByNextCall: true)
            return try await dossiers.unary(Backend.rateDossier, request, options: GatewayForwarding.options(context, caller))
        }
        router.register(Service.getRatingStatus) { request, context in
            let caller = try owner(context)
            _ = try await DossierLookup(dossiers: dossiers).visible(request.dossierId, field: "dossier_id", context,
                                                                    recordedByNextCall: true)
            return try await dossiers.unary(Backend.getRatingStatus, request,
                                            options: GatewayForwarding.options(context, caller, idempotent: true))
        }
        router.register(Service.getRatingSummary) { request, context in
            let caller = GatewayCaller.of(context)
            // Without credentials the aggregates only; with them the identity goes along, so
            // dossier-svc adds the comments for the agency's own officers and systems.
            var options = context.downstreamOptions(CallOptions(idempotent: true))
            if let identity = caller.identity { options.metadata[CallerIdentity.metadataKey] = identity.description }
            var summary = try await dossiers.unary(Backend.getRatingSummary, request, options: options)
            var period = DossierV1.AgencyStatisticsRequest()
            period.agencyCode = request.agencyCode
            period.year = request.year
            period.month = request.month
            let figures = try await dossiers.unary(DossierV1.DossierService.getAgencyStatistics, period,
                                                   options: context.downstreamOptions(CallOptions(idempotent: true)))
            summary.indicator = ServiceIndex766.satisfaction(figures)
            return summary
        }
    }

    /// Only a citizen rates, only their own dossier, and only themselves: never through an
    /// agency's API key acting for them. The agency whose service is rated would otherwise see
    /// the scores pass through its system, or learn from GetRatingStatus who rated and, from
    /// the month's aggregates before and after, what (docs/satisfaction.md).
    private func owner(_ context: ServerContext) throws -> GatewayCaller {
        let caller = GatewayCaller.of(context)
        guard case .citizen = try caller.requireIdentity() else {
            throw RPCError(.permissionDenied, "Chỉ người nộp hồ sơ mới đánh giá được mức độ hài lòng: sign in as the citizen")
        }
        guard caller.key == nil else {
            throw RPCError(.permissionDenied, "Người dân tự gửi đánh giá (trên cổng hoặc bằng phiên đăng nhập của mình), "
                           + "không qua hệ thống của cơ quan: an API key may not rate nor read a rating's status for a citizen")
        }
        return caller
    }
}
