import DVCProto
import RPCCore
import Synchronization

/// catalog-svc's reads as the gateway makes them — the level an agency enabled for a procedure
/// (the level gate asks it on every call), a procedure, a search, the agencies, the fields, a
/// form — answered from memory for one second after catalog-svc answered the same request:
/// the gateway's one cache of the catalog. The portal's busiest pages and the JSON API's catalog reads are the same few
/// requests made by everyone; without this each one was a hop to catalog-svc and a decode of
/// its answer (the largest share of the gateway's time on a catalog read, by perf). A catalog
/// change still shows within that second. Anything else, and every error, goes to catalog-svc
/// as it is.
final class CatalogReads: RPCClientProtocol {
    static let cachedMethods: Set<String> = [
        CatalogV1.CatalogService.getEnabledLevel.path,
        CatalogV1.CatalogService.getProcedure.path, CatalogV1.CatalogService.searchProcedures.path,
        CatalogV1.CatalogService.listAgencies.path, CatalogV1.CatalogService.listFields.path,
        CatalogV1.CatalogService.getForm.path,
    ]

    /// A request and its method. Requests are `Sendable` messages; `AnyHashable` only hides
    /// their type so one map holds them all.
    private struct Key: Hashable, @unchecked Sendable {
        var path: String
        var request: AnyHashable
    }

    private struct Entry: Sendable {
        var response: any Sendable
        var fetchedAt: ContinuousClock.Instant
    }

    private let catalog: any RPCClientProtocol
    private let lifetime: Duration
    private let capacity: Int
    private let entries = Mutex<[Key: Entry]>([:])

    /// How long an answer is kept.
    static let defaultLifetime: Duration = .seconds(1)

    init(catalog: any RPCClientProtocol, lifetime: Duration = CatalogReads.defaultLifetime, capacity: Int = 10_000) {
        self.catalog = catalog
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, options: CallOptions
    ) async throws -> Response {
        guard Self.cachedMethods.contains(method.path) else { return try await catalog.unary(method, request, options: options) }
        let key = Key(path: method.path, request: AnyHashable(request))
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), now - entry.fetchedAt < lifetime, let response = entry.response as? Response {
            return response
        }
        let response = try await catalog.unary(method, request, options: options)
        entries.withLock { map in
            // Made-up searches cannot grow it without bound: when full, it starts over.
            if map.count >= capacity { map.removeAll(keepingCapacity: true) }
            map[key] = Entry(response: response, fetchedAt: now)
        }
        return response
    }

    var count: Int { entries.withLock { $0.count } }
}
