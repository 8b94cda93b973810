import DVCProto
import RPCCore
import Synchronization

/// The enabled level of (agency, procedure) as catalog-svc last said, kept for `lifetime`
/// (1 s): a change in the catalog reaches the gateway within that, and a busy gateway asks
/// the catalog once a second per pair instead of once per call.
final class LevelCache: Sendable {
    struct Key: Hashable, Sendable {
        var agency: String
        var procedure: String
    }

    private struct Entry: Sendable {
        var level: CatalogV1.GetEnabledLevelResponse
        var fetchedAt: ContinuousClock.Instant
    }

    private let catalog: any RPCClientProtocol
    private let lifetime: Duration
    private let entries = Mutex<[Key: Entry]>([:])
    /// Beyond this many pairs the cache is emptied: a caller cycling through made-up codes
    /// cannot grow it without bound (unknown pairs are not cached anyway).
    private let capacity = 100_000

    init(catalog: any RPCClientProtocol, lifetime: Duration = .seconds(1)) {
        self.catalog = catalog
        self.lifetime = lifetime
    }

    /// The level, from the cache or from catalog-svc. NOT_FOUND for an unknown agency or
    /// procedure comes straight from the catalog.
    func level(agency: String, procedure: String, context: ServerContext) async throws -> CatalogV1.GetEnabledLevelResponse {
        let key = Key(agency: agency, procedure: procedure)
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[key] }), now - entry.fetchedAt < lifetime {
            return entry.level
        }
        var request = CatalogV1.GetEnabledLevelRequest()
        request.agencyCode = agency
        request.procedureCode = procedure
        let level = try await catalog.unary(CatalogV1.CatalogService.getEnabledLevel, request,
                                            options: context.downstreamOptions(CallOptions(idempotent: true)))
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll() }
            entries[key] = Entry(level: level, fetchedAt: now)
        }
        return level
    }
}
