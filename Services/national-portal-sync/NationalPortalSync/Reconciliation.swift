import DVCProto
import Foundation
import GRDB
import RPCCore
import Storage

/// `national-portal-sync reconcile`: what the portal holds against what the platform holds
/// (docs/national-portal.md, "Reconciliation"). One difference per line; none means the two
/// agree.
public struct Reconciliation: Sendable {
    let database: ServiceDatabase
    let portal: PortalClient
    let dossiers: any RPCClientProtocol

    public enum Difference: Sendable, Equatable, CustomStringConvertible {
        /// The portal delivered it; it never became a dossier here.
        case notReceived(portalID: String)
        /// Received here; the portal does not know it.
        case unknownToPortal(portalID: String, dossierID: String)
        /// The portal shows another state than the platform's.
        case stateDiffers(portalID: String, dossierID: String, portal: Int, platform: Int)
        /// The portal could not be asked.
        case portalUnreachable(String)

        public var description: String {
            switch self {
            case .notReceived(let portal): "not-received\t\(portal)\tdelivered on the national portal, no dossier here"
            case .unknownToPortal(let portal, let dossier): "unknown-to-portal\t\(portal)\t\(dossier)"
            case .stateDiffers(let portal, let dossier, let there, let here):
                "state-differs\t\(portal)\t\(dossier)\tportal=\(there)\tplatform=\(here)"
            case .portalUnreachable(let why): "portal-unreachable\t\(why)"
            }
        }
    }

    public func run() async throws -> (compared: Int, differences: [Difference]) {
        let listing = await portal.call("GET", "/dvcqg/v1/dossiers")
        guard listing.accepted,
              let held = (try? JSONSerialization.jsonObject(with: listing.body)) as? [[String: Any]] else {
            return (0, [.portalUnreachable("GET /dvcqg/v1/dossiers: HTTP \(listing.status) \(listing.text)")])
        }
        var portalState: [String: Int] = [:]
        for item in held {
            if let id = item["portal_dossier_id"] as? String { portalState[id] = (item["state"] as? Int) ?? 0 }
        }
        let mapped = try await database.sqliteRead { db in
            try Row.fetchAll(db, sql: "SELECT portal_id, dossier_id FROM inbound ORDER BY portal_id").map { row in
                (portal: row["portal_id"] as String, dossier: row["dossier_id"] as String?)
            }
        }
        var differences: [Difference] = []
        let known = Dictionary(mapped.map { ($0.portal, $0.dossier) }, uniquingKeysWith: { first, _ in first })
        for portalID in portalState.keys.sorted() where (known[portalID] ?? nil) == nil {
            differences.append(.notReceived(portalID: portalID))
        }
        var options = CallOptions(timeout: .seconds(10))
        options.metadata[CallerIdentity.metadataKey] = "system:national-portal-sync"
        for entry in mapped {
            guard let dossierID = entry.dossier else { continue }
            guard let there = portalState[entry.portal] else {
                differences.append(.unknownToPortal(portalID: entry.portal, dossierID: dossierID))
                continue
            }
            var get = DossierV1.GetDossierRequest()
            get.id = dossierID
            let here = try await dossiers.unary(DossierV1.DossierService.getDossier, get, options: options)
            if Int(here.state.rawValue) != there {
                differences.append(.stateDiffers(portalID: entry.portal, dossierID: dossierID, portal: there, platform: Int(here.state.rawValue)))
            }
        }
        return (mapped.count, differences)
    }
}
