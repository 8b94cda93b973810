import RPCCore

/// Who may call what on notify-svc, from `x-dvc-identity` (set by the gateway).
///
/// - A citizen (`citizen:<12 digits>`) reads and marks their own inbox and sets their own
///   contact preferences.
/// - An officer with the role `notify-admin` (`officer:<id>@<agency>:notify-admin`) edits
///   templates and reads the delivery log; any officer or platform system may read templates.
/// - A platform service (`system:<service>`) may read the delivery log (operators' tools).
enum NotifyCaller {
    static let adminRole = "notify-admin"

    static func citizen(_ context: ServerContext) throws -> String {
        guard case .citizen(let id) = try CallerIdentity.required(context) else {
            throw RPCError(.permissionDenied, "only a citizen has an inbox and contact preferences; the caller is not one")
        }
        return id
    }

    static func admin(_ context: ServerContext) throws -> String {
        let identity = try CallerIdentity.required(context)
        guard case .officer(_, _, let roles) = identity, roles.contains(adminRole) else {
            throw RPCError(.permissionDenied, "changing templates needs an officer with the role \(adminRole); the caller is \(identity)")
        }
        return identity.description
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
