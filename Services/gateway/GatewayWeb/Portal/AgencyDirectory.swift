import DVCProto
import GatewayDoor
import Foundation
import RPCCore
import Synchronization

/// The catalog's agency tree and fields, as the portal's filters, the agency list and the
/// statistics show them: public facts, read from catalog-svc and kept for a minute, since they
/// change only when the catalog is edited and every search page would otherwise walk the tree
/// again.
final class AgencyDirectory: Sendable {
    struct Entry: Sendable {
        var agency: CatalogV1.Agency
        /// 0 for the city, 1 for a department or district, 2 for a ward.
        var depth: Int
    }

    private struct Snapshot {
        var agencies: [Entry]
        var fields: [CatalogV1.Field]
        var readAt: ContinuousClock.Instant
    }

    private let catalog: PublicCatalog
    private let lifetime: Duration
    private let cached = Mutex<Snapshot?>(nil)

    init(catalog: PublicCatalog, lifetime: Duration = .seconds(60)) {
        self.catalog = catalog
        self.lifetime = lifetime
    }

    /// Every agency, each under its parent, depth first.
    func agencies() async throws -> [Entry] { try await snapshot().agencies }

    func fields() async throws -> [CatalogV1.Field] { try await snapshot().fields }

    private func snapshot() async throws -> Snapshot {
        if let snapshot = cached.withLock({ $0 }), ContinuousClock.now - snapshot.readAt < lifetime { return snapshot }
        var agencies: [Entry] = []
        func children(of parent: String, depth: Int) async throws {
            for agency in try await catalog.agencies(under: parent) {
                agencies.append(Entry(agency: agency, depth: depth))
                if depth < 3 { try await children(of: agency.code, depth: depth + 1) }
            }
        }
        try await children(of: "", depth: 0)
        let fields = try await catalog.fields()
        let snapshot = Snapshot(agencies: agencies, fields: fields, readAt: .now)
        cached.withLock { $0 = snapshot }
        return snapshot
    }
}
