import DVCProto
import RPCCore
import ServiceClients

/// On a sharded deployment (docs/sharding.md), this dossier-svc is shard `name` of the map the
/// callers route by, and takes only its own agencies' submissions: a caller with an old or a
/// wrong map is refused with FAILED_PRECONDITION naming the right shard, instead of the agency's
/// dossiers ending up on two shards.
struct ShardGuard: ServerInterceptor {
    let name: String
    let shards: DossierShards

    func intercept(
        request: any ProtoMessage, context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        if let submit = request as? DossierV1.SubmitDossierRequest {
            let owner = shards.map.shard(of: submit.agencyCode)
            guard owner == name else {
                throw RPCError(.failedPrecondition,
                               "agency \(submit.agencyCode) is on dossier shard '\(owner)', not on this one ('\(name)'): route by the current shard map",
                               violations: [FieldViolation(field: "agency_code", description: "on shard \(owner)")])
            }
        }
        return try await next(request, context)
    }
}
