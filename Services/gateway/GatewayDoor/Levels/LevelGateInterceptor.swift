import DVCProto
import OneStop
import RPCCore

/// Checks every gateway call against the level its method needs (`LevelRequirement`). A call
/// about one procedure at one agency must find that level enabled there (`LevelGate`); calls
/// whose level depends on a dossier are left to their handler.
struct LevelGateInterceptor: ServerInterceptor {
    let gate: LevelGate

    func intercept(
        request: any ProtoMessage,
        context: ServerContext,
        next: @Sendable (any ProtoMessage, ServerContext) async throws -> any ProtoMessage
    ) async throws -> any ProtoMessage {
        // Health and other infrastructure services are not procedures.
        guard context.method.hasPrefix("/dvc.gateway.") else {
            return try await next(request, context)
        }
        guard let requirement = LevelRequirement.byMethod[context.method] else {
            throw RPCError(.unimplemented, "\(context.method) has no service level assigned")
        }
        if case .request(let needed) = requirement, let scoped = request as? any LevelScoped {
            var violations: [FieldViolation] = []
            if scoped.agencyCode.isEmpty { violations.append(FieldViolation(field: "agency_code", description: "required")) }
            if scoped.procedureCode.isEmpty { violations.append(FieldViolation(field: "procedure_code", description: "required")) }
            guard violations.isEmpty else {
                throw RPCError(.invalidArgument, "the agency and the procedure are required", violations: violations)
            }
            // A receiving officer registering a paper dossier at the counter needs the procedure
            // published at the agency (level 1), not offered online: the counter takes every level.
            var level = needed
            if context.method == GatewayV1.DossierService.submitDossier.path,
               case .officer? = GatewayCaller.of(context).identity {
                level = .information
            }
            try await gate.require(level, agency: scoped.agencyCode, procedure: scoped.procedureCode, context: context)
        }
        return try await next(request, context)
    }
}
