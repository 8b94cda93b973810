import DVCProto
import RPCCore
import Synchronization

/// catalog-svc's answers that the gateway's level gate and dossier-svc ask on every call (the
/// level an agency enabled for a procedure, the procedure with its forms and fees), kept for
/// one second: a busy caller asks the catalog once a second per pair instead of on every call,
/// and a change in the catalog still takes effect within that second. Unknown agencies and
/// procedures are not cached (the catalog's NOT_FOUND goes straight back).
public final class CatalogCache: Sendable {
    private struct Entry<Value: Sendable>: Sendable {
        var value: Value
        var fetchedAt: ContinuousClock.Instant
    }

    private struct Key: Hashable, Sendable {
        var agency: String
        var procedure: String
    }

    private let catalog: any RPCClientProtocol
    private let lifetime: Duration
    private let levels = Mutex<[Key: Entry<CatalogV1.GetEnabledLevelResponse>]>([:])
    private let procedures = Mutex<[String: Entry<CatalogV1.Procedure>]>([:])
    /// Beyond this many entries a map is emptied, so made-up codes cannot grow it without bound.
    private let capacity = 100_000

    public init(catalog: any RPCClientProtocol, lifetime: Duration = .seconds(1)) {
        self.catalog = catalog
        self.lifetime = lifetime
    }

    public func level(agency: String, procedure: String, options: CallOptions) async throws -> CatalogV1.GetEnabledLevelResponse {
        let key = Key(agency: agency, procedure: procedure)
        let now = ContinuousClock.now
        if let entry = levels.withLock({ $0[key] }), now - entry.fetchedAt < lifetime { return entry.value }
        var request = CatalogV1.GetEnabledLevelRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        let value = try await catalog.unary(CatalogV1.CatalogService.getEnabledLevel, request, options: options)
        levels.withLock { map in
            if map.count >= capacity { map.removeAll() }
            map[key] = Entry(value: value, fetchedAt: now)
        }
        return value
    }

    public func procedure(_ code: String, options: CallOptions) async throws -> CatalogV1.Procedure {
        let now = ContinuousClock.now
        if let entry = procedures.withLock({ $0[code] }), now - entry.fetchedAt < lifetime { return entry.value }
        var request = CatalogV1.GetProcedureRequest()
        request.code = code
        let value = try await catalog.unary(CatalogV1.CatalogService.getProcedure, request, options: options).procedure ?? .init()
        procedures.withLock { map in
            if map.count >= capacity { map.removeAll() }
            map[code] = Entry(value: value, fetchedAt: now)
        }
        return value
    }
}
