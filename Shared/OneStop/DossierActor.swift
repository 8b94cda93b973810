import DVCProto
import RPCCore

/// Who asks the workflow to act on a dossier, as the gateway established it.
///
/// The workflow decides with nothing else: a citizen may act only on a dossier they own, an
/// officer only on their own agency's dossiers and only with the role a transition needs, and a
/// system actor stands for another service's event (payment-svc's "paid"). Resolving an
/// officer's roles at an agency is the caller's job, so the state machine stays pure.
public enum DossierActor: Sendable, Hashable, CustomStringConvertible {
    /// A citizen, by their 12-digit identity number (what `Dossier.applicant_id` holds).
    case citizen(id: String)
    /// An officer and the roles they hold at `agencyCode`. A set, because small agencies give
    /// one person several roles (the receiver is often also the processor).
    case officer(id: String, agencyCode: String, roles: Set<DossierV1.OfficerRole>)
    /// An agency's own software (an API key of the gateway bound to that agency) acting for
    /// nobody in particular: it reads the agency's dossiers and takes no workflow step, which
    /// needs a person (an officer's role or the owner).
    case agencySystem(agencyCode: String)
    /// Another service acting on its own event, e.g. `system(service: "payment-svc")`.
    case system(service: String)

    /// The form `HistoryEntry.actor` records: "citizen:<id>", "officer:<id>", "system:<service>".
    public var historyName: String {
        switch self {
        case .citizen(let id): return "citizen:\(id)"
        case .officer(let id, _, _): return "officer:\(id)"
        case .agencySystem(let agency): return "agency-system:\(agency)"
        case .system(let service): return "system:\(service)"
        }
    }

    public var description: String { historyName }
}

extension DossierActor {
    /// The actor for the identity the gateway vouched for.
    /// Role names the workflow does not know ("receiver", "processor", "approver" are) are
    /// dropped, so a typo grants nothing.
    public init(_ identity: CallerIdentity) {
        switch identity {
        case .citizen(let id):
            self = .citizen(id: id)
        case .officer(let id, let agency, let names):
            self = .officer(id: id, agencyCode: agency, roles: Set(names.compactMap(DossierActor.officerRole(named:))))
        case .system(let service):
            self = .system(service: service)
        case .agencySystem(let agency):
            self = .agencySystem(agencyCode: agency)
        }
    }

    /// "receiver", "processor", "approver": the role names of `x-dvc-identity`.
    public static func officerRole(named name: String) -> DossierV1.OfficerRole? {
        switch name {
        case "receiver": return .receiver
        case "processor": return .processor
        case "approver": return .approver
        default: return nil
        }
    }
}

extension DossierActor {
    /// The agency an officer or an agency system belongs to (nil for citizens and systems).
    public var agencyCode: String? {
        switch self {
        case .officer(_, let agency, _), .agencySystem(let agency): agency
        case .citizen, .system: nil
        }
    }
}
