import DVCProto
import RPCCore
import ServiceKit

/// Checks every gateway call against the level its method needs (`LevelRequirement`). For a
/// call about one procedure at one agency, the agency's enabled level must reach it; a call
/// above it is refused with FAILED_PRECONDITION naming the agency, the procedure, the level
/// needed and the level enabled, and the same facts in metadata (`dvc-level-needed`,
/// `dvc-level-enabled`) for the HTTP front to build its problem document from.
struct LevelGateInterceptor: ServerInterceptor {
    let levels: CatalogCache

    func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        // Health and other infrastructure services are not procedures.
        guard context.method.hasPrefix("/\(GatewayV1.PublicService.serviceName)/") else {
            return try await next(request, context)
        }
        guard let needed = LevelRequirement.byMethod[context.method] else {
            throw RPCError(.unimplemented, "\(context.method) has no service level assigned")
        }
        if let scoped = request as? any LevelScoped {
            var violations: [FieldViolation] = []
            if scoped.agencyCode.isEmpty { violations.append(FieldViolation(field: "agency_code", description: "required")) }
            if scoped.procedureCode.isEmpty { violations.append(FieldViolation(field: "procedure_code", description: "required")) }
            guard violations.isEmpty else {
                throw RPCError(.invalidArgument, "the agency and the procedure are required", violations: violations)
            }
            let level = try await levels.level(agency: scoped.agencyCode, procedure: scoped.procedureCode,
                                               options: context.downstreamOptions(CallOptions(idempotent: true)))
            guard level.level >= needed else {
                let offered = level.level == 0
                    ? "does not offer it online"
                    : "offers it at level \(level.level) (\(LevelRequirement.name(level.level)))"
                throw RPCError(
                    .failedPrecondition,
                    "\(level.agencyName) (\(scoped.agencyCode)) \(offered); \"\(level.procedureName)\" "
                        + "(\(scoped.procedureCode)) needs level \(needed) for this",
                    metadata: [
                        "dvc-agency": scoped.agencyCode, "dvc-procedure": scoped.procedureCode,
                        "dvc-level-needed": "\(needed)", "dvc-level-enabled": "\(level.level)",
                    ])
            }
        }
        return try await next(request, context)
    }
}
