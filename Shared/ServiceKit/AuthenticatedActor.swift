import RPCCore

/// Who makes a change, for an audit log: never free text when the caller is authenticated.
///
/// Under mutual TLS the caller's certificate says who it is, and `PeerAuthorizationInterceptor`
/// has already checked the identity it asserts: a person or agency system the gateway vouches
/// for is that identity (`officer:an@000.00.20.H26:notify-admin`); anything else (an
/// operator's `dvcctl`, asserting `system:dvcctl`) is the certificate's name, which the CA
/// issues per operator (`ops-nguyen`). `x-dvc-actor` is then only a note, kept beside the
/// authenticated name. Without TLS (the loopback demo) nobody is authenticated and
/// `x-dvc-actor` is all there is, as before.
public enum AuthenticatedActor {
    public static let actorKey = "x-dvc-actor"

    /// The actor of this call, or nil when it has neither a certificate nor `x-dvc-actor`.
    public static func name(_ context: ServerContext) -> String? {
        let said = context.metadata[actorKey].flatMap { $0.isEmpty || $0.utf8.count > 200 ? nil : $0 }
        guard let certificate = context.peerCertificate else { return said }
        let authenticated: String
        switch CallerIdentity(metadata: context.metadata) {
        case .citizen(let id)?: authenticated = CallerIdentity.citizen(id: id).description
        case let identity? where !isSystem(identity): authenticated = identity.description
        default: authenticated = certificate.name
        }
        guard let said, said != authenticated else { return authenticated }
        return "\(authenticated) (says: \(said))"
    }

    private static func isSystem(_ identity: CallerIdentity) -> Bool {
        if case .system = identity { return true }
        return false
    }
}
