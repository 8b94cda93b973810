import GatewayDoor
import Hummingbird
import RPCCore

/// Who is looking at a page: the holder of a live browser session (the `__Host-dvc_session` cookie),
/// with the session's CSRF token for the forms the page shows. `SessionMiddleware` finds it
/// once per request and puts it in the request context (`GatewayRequestContext.visitor`).
struct PortalVisitor: Sendable {
    let token: String
    let session: SessionStore.Session

    var identity: CallerIdentity { session.identity }
    var csrfToken: String { session.csrfToken }
    /// The person as the gateway's methods see them, for `GatewayClient`.
    var caller: GatewayCaller { session.caller }

    /// The citizen's identity number, if a citizen is signed in.
    var citizenID: String? {
        if case .citizen(let id) = identity { return id }
        return nil
    }

    /// The officer's id, agency and roles, if an officer is signed in.
    var officer: (id: String, agency: String, roles: Set<String>)? {
        if case .officer(let id, let agency, let roles) = identity { return (id, agency, roles) }
        return nil
    }

    /// The hidden input every state-changing form of a signed-in page carries.
    var csrfInput: String {
        "<input type=\"hidden\" name=\"csrf_token\" value=\"\(PortalPage.escape(csrfToken))\">"
    }

    /// Whether a posted form carries this session's CSRF token.
    func accepts(_ form: [String: String]) -> Bool { session.acceptsCSRF(form["csrf_token"] ?? "") }
}
