import RPCCore
import ServiceKit

/// Who may call what on notify-svc, from `x-dvc-identity` (set by the gateway).
///
/// - A citizen (`citizen:<12 digits>`) reads and marks their own inbox and sets their own
///   contact preferences.
/// - An officer with the role `notify-admin` (`officer:<id>@<agency>:notify-admin`) edits
///   templates and reads the delivery log; any officer or platform system may read templates.
/// - An operator's tool on the platform's network (`system:<tool>`, which the gateway never
///   vouches for) edits templates when it names the person in `x-dvc-actor`, as catalog-svc's
///   administration does (`dvcctl call ... -H x-dvc-identity:system:dvcctl -H x-dvc-actor:NAME`).
/// - A platform service (`system:<service>`) may read the delivery log (operators' tools).
enum NotifyCaller {
    static let adminRole = "notify-admin"
    static let actorKey = "x-dvc-actor"

    static func citizen(_ context: ServerContext) throws -> String {
        guard case .citizen(let id) = try CallerIdentity.required(context) else {
            throw RPCError(.permissionDenied, "only a citizen has an inbox and contact preferences; the caller is not one")
        }
        return id
    }

    /// Who changes a template, as recorded in its `updated_by`.
    static func admin(_ context: ServerContext) throws -> String {
        let identity = try CallerIdentity.required(context)
        switch identity {
        case .officer(_, _, let roles) where roles.contains(adminRole):
            return identity.description
        case .system:
            // Under mutual TLS the operator's certificate names the person (x-dvc-actor is a
            // note beside it); without TLS only x-dvc-actor does.
            guard let actor = AuthenticatedActor.name(context) else {
                throw RPCError(.unauthenticated, "a platform tool changing templates must name the person in metadata \(actorKey)")
            }
            return context.peerCertificate == nil ? "\(actor) (\(identity))" : actor
        default:
            throw RPCError(.permissionDenied,
                           "changing templates needs an officer with the role \(adminRole) (or an operator's tool naming \(actorKey)); the caller is \(identity)")
        }
    }

    static func staff(_ context: ServerContext) throws {
        let identity = try CallerIdentity.required(context)
        switch identity {
        case .officer, .system: return
        default: throw RPCError(.permissionDenied, "templates are read by officers and platform services; the caller is \(identity)")
        }
    }

    static func operatorOrSystem(_ context: ServerContext) throws {
        let identity = try CallerIdentity.required(context)
        switch identity {
        case .system: return
        case .officer(_, _, let roles) where roles.contains(adminRole): return
        default: throw RPCError(.permissionDenied, "the delivery log needs an officer with the role \(adminRole) or a platform service")
        }
    }
}
