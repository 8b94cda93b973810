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
        /// 0 for the city; 1 for what is directly under it (a department, a district, or in the
        /// two-tier city a ward or commune); 2 for what is under those (a district's ward, a
        /// commune's service centre or police office); 3 below that.
        var depth: Int
    }

    private struct Snapshot {
        var agencies: [Entry]
        var fields: [CatalogV1.Field]
        var readAt: ContinuousClock.Instant
    }

    /// The deepest level listed (0 is the root).
    static let deepest = 3
    /// Children lists asked of catalog-svc at once while walking the tree.
    static let concurrentReads = 16

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
        // One level at a time, the children of a level's agencies asked a few at a time: a
        // two-tier city has a hundred or more communes under the city, each with its centre.
        var childrenOf: [String: [CatalogV1.Agency]] = [:]
        var parents = [""]
        for _ in 0...Self.deepest {
            var next: [String] = []
            for batch in stride(from: 0, to: parents.count, by: Self.concurrentReads).map({ Array(parents[$0..<min($0 + Self.concurrentReads, parents.count)]) }) {
                let fetched = try await withThrowingTaskGroup(of: (String, [CatalogV1.Agency]).self) { group in
                    for parent in batch {
                        group.addTask { [catalog] in (parent, try await catalog.agencies(under: parent)) }
                    }
                    var all: [(String, [CatalogV1.Agency])] = []
                    for try await item in group { all.append(item) }
                    return all
                }
                for (parent, children) in fetched { childrenOf[parent] = children }
                next += batch.flatMap { (childrenOf[$0] ?? []).map(\.code) }
            }
            parents = next
        }
        var agencies: [Entry] = []
        func place(under parent: String, depth: Int) {
            for agency in childrenOf[parent] ?? [] {
                agencies.append(Entry(agency: agency, depth: depth))
                place(under: agency.code, depth: depth + 1)
            }
        }
        place(under: "", depth: 0)
        let fields = try await catalog.fields()
        let snapshot = Snapshot(agencies: agencies, fields: fields, readAt: .now)
        cached.withLock { $0 = snapshot }
        return snapshot
    }
}
