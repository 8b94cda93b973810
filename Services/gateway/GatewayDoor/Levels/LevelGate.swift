import DVCProto
import OneStop
import RPCCore

/// Whether an agency offers a procedure at the level a call needs, from catalog-svc through the
/// gateway's one-second cache of catalog reads (`CatalogReads`). A refusal is
/// `ServiceLevel.require`'s FAILED_PRECONDITION naming the agency, the procedure, the level
/// needed and the level enabled, with the same facts in metadata for the HTTP door's problem
/// document.
struct LevelGate: Sendable {
    let catalog: CatalogReads

    func require(_ needed: ServiceLevel, agency: String, procedure: String, context: ServerContext) async throws {
        var request = CatalogV1.GetEnabledLevelRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        let level = try await catalog.unary(CatalogV1.CatalogService.getEnabledLevel, request,
                                            options: context.downstreamOptions(CallOptions(idempotent: true)))
        try needed.require(of: level, agency: agency, procedure: procedure)
    }
}
