import RPCCore

/// Which of the platform's certificates may call which methods of one service, and which
/// identities each may assert in `x-dvc-identity` (docs/security.md, "Services that trust each
/// other"). Mutual TLS says a caller holds *a* certificate of the platform CA; this table says
/// what *that* certificate is for, so the internet-facing gateway's certificate cannot post a
/// payment event or change the catalog, and no service can claim another's `system:` name.
///
/// The CA issues certificates named after the platform's services (`CN=gateway`,
/// `CN=dossier-svc`, ...) and, for `dvcctl`, after operators (`CN=ops-nguyen`): any name that
/// is not a service's is an operator's (deploy/tls/make-ca.sh, docs/tls.md).
public struct PeerPolicy: Sendable {
    /// What a caller may put in `x-dvc-identity`.
    public enum Assertion: Hashable, Sendable {
        /// No identity at all (public reads, event deliveries).
        case none
        /// `citizen:`, `officer:` and `agency-system:` identities: people and agency systems
        /// the gateway authenticated (and payment-svc passes on when it acts for them).
        case people
        /// `system:<the caller's own name>`.
        case ownSystem
        /// `system:<anything>`: operators' tools (`system:dvcctl`).
        case anySystem
    }

    /// What one certificate may do.
    public struct Rule: Sendable {
        /// Full method paths; a path ending in `/` covers every method of that service.
        public var methods: [String]
        public var assertions: Set<Assertion>

        func allows(method: String) -> Bool {
            methods.contains { $0.hasSuffix("/") ? method.hasPrefix($0) : method == $0 }
        }
    }

    /// The service this table protects, e.g. `dossier-svc`.
    public let server: String
    /// Rules of the service certificates, by certificate name.
    public let services: [String: Rule]
    /// The rule of every other certificate of the CA: operators.
    public let operators: Rule

    public static let serviceNames: Set<String> = ["catalog-svc", "dossier-svc", "payment-svc", "notify-svc", "gateway",
                                                   "national-portal-sync"]

    static let health = "/dvc.health.v1.Health/Check"
    static let deliver = "/dvc.events.v1.EventSink/Deliver"
    static let catalogReads = ["ListAgencies", "GetAgency", "ListFields", "GetProcedure", "SearchProcedures",
                               "GetEnabledLevel", "GetForm", "ComputeAppointment", "ListHolidays",
                               "CountWorkingMinutes", "ListProcedureGroups", "ExportCatalog", "ListAudit"]
        .map { "/dvc.catalog.v1.CatalogService/\($0)" }
    static let catalogAll = "/dvc.catalog.v1.CatalogService/"
    static let dossiers = "/dvc.dossier.v1.DossierService/"
    /// The citizens' drafts: the gateway alone, acting for the signed-in citizen (docs/drafts.md).
    static let drafts = "/dvc.dossier.v1.DraftService/"
    static let payments = "/dvc.payment.v1.PaymentService/"
    static let notify = "/dvc.notify.v1.NotifyService/"
    /// Citizens' satisfaction ratings: the gateway alone (docs/satisfaction.md), not even
    /// operators, so no tool reads them except as the gateway's aggregates.
    static let ratings = "/dvc.dossier.v1.RatingService/"

    /// The platform's table for the service `server`; nil for an executable that is not one of
    /// the platform's services (rpc-interop-server), which keeps mutual TLS alone.
    public static func platform(serving server: String) -> PeerPolicy? {
        guard serviceNames.contains(server), server != "gateway" else { return nil }
        // Whose events this service's EventSink takes: dossier-svc applies payment-svc's
        // payment events; notify-svc tells citizens about dossier-svc's and payment-svc's.
        let eventSenders: Set<String> = switch server {
        case "dossier-svc": ["payment-svc"]
        case "notify-svc": ["dossier-svc", "payment-svc"]
        case "national-portal-sync": ["dossier-svc"]
        default: []
        }
        func events(_ name: String) -> [String] { eventSenders.contains(name) ? [deliver] : [] }
        let services: [String: Rule] = [
            // The door: reads, citizens', officers' and agency systems' calls; never the catalog's
            // administration, never events, never another system's identity.
            "gateway": Rule(methods: [health, dossiers, drafts, ratings, payments, notify] + catalogReads,
                            assertions: [.none, .people, .ownSystem]),
            // Creates payments for the citizen the gateway named: reads their dossier as them.
            "payment-svc": Rule(methods: [health, dossiers] + catalogReads + events("payment-svc"),
                                assertions: [.none, .people, .ownSystem]),
            "dossier-svc": Rule(methods: [health] + catalogReads + events("dossier-svc"),
                                assertions: [.none, .ownSystem]),
            "notify-svc": Rule(methods: [health] + catalogReads, assertions: [.none, .ownSystem]),
            "catalog-svc": Rule(methods: [health], assertions: [.none, .ownSystem]),
            // The connector to the national portal (docs/national-portal.md): submits the
            // dossiers the portal delivers as the citizen the portal identified, and reads them
            // for reconciliation as itself; nothing else, no workflow step.
            "national-portal-sync": Rule(
                methods: [health] + (server == "dossier-svc" ? [dossiers + "SubmitDossier", dossiers + "GetDossier"] : []),
                assertions: [.none, .people, .ownSystem]),
        ]
        // Operators administer: the catalog, templates and delivery logs, reads of dossiers and
        // payments, as `system:<tool>`; they do not deliver events (only the outboxes do).
        let operators = Rule(methods: [health, catalogAll, dossiers, payments, notify],
                             assertions: [.none, .anySystem])
        return PeerPolicy(server: server, services: services, operators: operators)
    }

    public init(server: String, services: [String: Rule], operators: Rule) {
        self.server = server
        self.services = services
        self.operators = operators
    }

    public func rule(for certificate: String) -> Rule {
        Self.serviceNames.contains(certificate) ? services[certificate] ?? Rule(methods: [], assertions: []) : operators
    }

    /// Nil when `certificate` may make this call; otherwise why not, for PERMISSION_DENIED.
    public func refusal(certificate: String, method: String, identity: String?) -> String? {
        let rule = rule(for: certificate)
        guard rule.allows(method: method) else {
            return "the certificate '\(certificate)' may not call \(method) on \(server)"
        }
        guard let identity else {
            return rule.assertions.contains(.none) ? nil : "the certificate '\(certificate)' must assert an identity"
        }
        guard let parsed = CallerIdentity(identity) else {
            return "x-dvc-identity '\(identity.prefix(100))' is not an identity"
        }
        let allowed: Bool = switch parsed {
        case .citizen, .officer, .agencySystem: rule.assertions.contains(.people)
        case .system(let service): rule.assertions.contains(.anySystem)
            || (rule.assertions.contains(.ownSystem) && service == certificate)
        }
        return allowed ? nil : "the certificate '\(certificate)' may not assert x-dvc-identity \(parsed)"
    }
}
