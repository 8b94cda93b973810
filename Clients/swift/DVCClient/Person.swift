import DVCProto
import RPCCore

/// Whom an agency system acts for (metadata `x-dvc-on-behalf-of`, docs/gateway.md): its key
/// needs the `citizens` or `officers` scope, and an officer must be a real, active officer of
/// the key's agency holding every role claimed.
public enum Person: Sendable, Hashable, CustomStringConvertible {
    /// A citizen by their 12-digit personal identification number.
    case citizen(String)
    /// An officer of the key's agency by their sign-in id, with the roles they act in
    /// (`receiver`, `processor`, `approver`).
    case officer(String, roles: [String])

    /// The value sent as `x-dvc-on-behalf-of`.
    public var description: String {
        switch self {
        case .citizen(let id): "citizen:\(id)"
        case .officer(let id, let roles): "officer:\(id):\(roles.joined(separator: ","))"
        }
    }
}
