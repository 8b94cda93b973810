import DVCProto
import OneStop
import RPCCore

/// Who is calling the gateway, as their credentials prove it (`IdentityInterceptor`), never
/// as the request claims: the identity the gateway vouches for downstream and the API key it
/// came with, whose agency bounds everything the call may touch.
///
/// Only this library makes one (`CallerResolver`, `SessionStore.Session.caller`): the HTTP side
/// passes along the callers the door resolved for it and cannot make up an identity.
public struct GatewayCaller: Sendable {
    /// Nil for an anonymous caller, who reaches the public methods only.
    public private(set) var identity: CallerIdentity?
    /// The agency system's key; nil for an anonymous caller.
    public private(set) var key: APIKey?

    init(identity: CallerIdentity?, key: APIKey?) {
        self.identity = identity
        self.key = key
    }

    public static let anonymous = GatewayCaller(identity: nil, key: nil)

    enum ContextKey: ServerContextKey {
        typealias Value = GatewayCaller
    }

    /// The caller of this call; anonymous when no interceptor established one.
    static func of(_ context: ServerContext) -> GatewayCaller {
        context[ContextKey.self] ?? .anonymous
    }

    /// The identity, or UNAUTHENTICATED saying how to get one.
    func requireIdentity() throws -> CallerIdentity {
        guard let identity else {
            throw RPCError(.unauthenticated,
                           "this method needs credentials: authorization: ApiKey <id>.<secret> (and x-dvc-on-behalf-of to act for a person)")
        }
        return identity
    }

    /// The agency a call is limited to (the key's); nil for none.
    var agencyLimit: String? { key?.agencyCode }

    /// Refuses a request naming an agency other than the key's.
    func requireAgency(_ agencyCode: String, field: String) throws {
        guard let limit = agencyLimit, limit != agencyCode else { return }
        throw RPCError(.permissionDenied, "the API key \(key?.id ?? "") is bound to \(limit), not to \(agencyCode)",
                       violations: [FieldViolation(field: field, description: "must be \(limit), the agency of the API key")])
    }

    /// Whether a dossier is inside the key's agency: held by it, received or returned at it as
    /// a centre, or handed on from it (`involvedAgencies`). Dossiers elsewhere are answered
    /// NOT_FOUND, like dossiers that do not exist.
    func mayReach(_ dossier: DossierV1.Dossier) -> Bool {
        agencyLimit.map { dossier.involvedAgencies.contains($0) } ?? true
    }
}
