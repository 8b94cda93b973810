import DVCProto
import RPCCore

/// The gateway's PublicService: the catalog as the public sees it.
public struct PublicCalls: Sendable {
    let client: DVCClient

    public func listAgencies(_ request: CatalogV1.ListAgenciesRequest = .init(), options: DVCCallOptions = .init()) async throws -> CatalogV1.ListAgenciesResponse {
        try await client.call(GatewayV1.PublicService.listAgencies, request, kind: .read, options: options)
    }

    public func searchProcedures(_ request: CatalogV1.SearchProceduresRequest, options: DVCCallOptions = .init()) async throws -> CatalogV1.SearchProceduresResponse {
        try await client.call(GatewayV1.PublicService.searchProcedures, request, kind: .read, options: options)
    }

    /// A procedure at an agency, with the level the agency offers it at.
    public func procedure(agency: String, procedure: String, options: DVCCallOptions = .init()) async throws -> GatewayV1.ProcedureAtAgency {
        var request = GatewayV1.GetProcedureRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        return try await client.call(GatewayV1.PublicService.getProcedure, request, kind: .read, options: options)
    }

    public func downloadForm(_ request: GatewayV1.DownloadFormRequest, options: DVCCallOptions = .init()) async throws -> CatalogV1.GetFormResponse {
        try await client.call(GatewayV1.PublicService.downloadForm, request, kind: .read, options: options)
    }
}
