import DVCProto
import RPCCore

/// The catalog as anyone may read it — level 1's public information: procedures, searches,
/// the agency tree and the fields — through the gateway's one-second cache. This is all of
/// catalog-svc the HTTP side is given: it holds no client of catalog-svc, so no page can reach
/// the catalog's administration methods (levels, fees, calendars), whatever its code does.
public struct PublicCatalog: Sendable {
    let reads: CatalogReads

    /// How long the gateway keeps an answer of catalog-svc: a catalog change shows within it.
    public static let lifetime = CatalogReads.defaultLifetime

    /// Reads are idempotent: safe to retry on another catalog replica.
    private static let read = CallOptions(timeout: .seconds(10), idempotent: true)

    public func search(_ request: CatalogV1.SearchProceduresRequest) async throws -> CatalogV1.SearchProceduresResponse {
        try await reads.unary(CatalogV1.CatalogService.searchProcedures, request, options: Self.read)
    }

    /// A procedure with the level every agency offers it at.
    public func procedure(_ code: String) async throws -> CatalogV1.GetProcedureResponse {
        var request = CatalogV1.GetProcedureRequest()
        request.code = code
        return try await reads.unary(CatalogV1.CatalogService.getProcedure, request, options: Self.read)
    }

    /// The agencies directly under `parent` ("" for the top of the tree).
    public func agencies(under parent: String) async throws -> [CatalogV1.Agency] {
        var request = CatalogV1.ListAgenciesRequest()
        request.parentCode = parent
        return try await reads.unary(CatalogV1.CatalogService.listAgencies, request, options: Self.read).agencies
    }

    public func fields() async throws -> [CatalogV1.Field] {
        try await reads.unary(CatalogV1.CatalogService.listFields, CatalogV1.ListFieldsRequest(), options: Self.read).fields
    }
}
