import DVCProto
import RPCCore

/// `dvc.gateway.v1.PublicService`: what agency systems (and the HTTP front) call. The level
/// gate has run before any of these handlers; they fetch from catalog-svc on the caller's
/// behalf, with the remaining deadline, the request id and the trace carried on.
struct PublicAPI: RegistrableRPCService {
    typealias Service = GatewayV1.PublicService

    let catalog: any RPCClientProtocol

    func registerMethods(with router: inout RPCRouter) {
        router.register(Service.listAgencies) { request, context in
            try await catalog.unary(CatalogV1.CatalogService.listAgencies, request, options: read(context))
        }
        router.register(Service.searchProcedures) { request, context in
            var request = request
            request.minLevel = max(request.minLevel, 1)
            return try await catalog.unary(CatalogV1.CatalogService.searchProcedures, request, options: read(context))
        }
        router.register(Service.getProcedure) { request, context in
            try await procedure(request, context)
        }
        router.register(Service.downloadForm) { request, context in
            var form = CatalogV1.GetFormRequest()
            form.procedureCode = request.procedureCode
            form.formId = request.formId
            return try await catalog.unary(CatalogV1.CatalogService.getForm, form, options: read(context))
        }
    }

    private func procedure(_ request: GatewayV1.GetProcedureRequest, _ context: ServerContext) async throws -> GatewayV1.ProcedureAtAgency {
        var get = CatalogV1.GetProcedureRequest()
        get.code = request.procedureCode
        let found = try await catalog.unary(CatalogV1.CatalogService.getProcedure, get, options: read(context))
        var response = GatewayV1.ProcedureAtAgency()
        response.procedure = found.procedure
        response.levels = found.levels
        response.agencyCode = request.agencyCode
        if let here = found.levels.first(where: { $0.agencyCode == request.agencyCode }) {
            response.agencyName = here.agencyName
            response.enabledLevel = here.level
        }
        return response
    }

    /// Reads are idempotent: safe to retry on another catalog replica.
    private func read(_ context: ServerContext) -> CallOptions {
        context.downstreamOptions(CallOptions(idempotent: true))
    }
}
