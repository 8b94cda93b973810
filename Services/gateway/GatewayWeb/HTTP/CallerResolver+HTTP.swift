import GatewayDoor
import HTTPTypes
import Hummingbird
import RPCCore

extension CallerResolver {
    /// Who calls over HTTP: the `Authorization` header's credentials when there are any, else
    /// the browser's session (which the session middleware already found).
    ///
    /// - Parameter sessionNeedsCSRF: true for requests that change something: a cookie travels
    ///   with any request the browser makes, even one another site triggers, so it counts only
    ///   with the session's CSRF token. A GET of a download (an export) needs none: the cookie is
    ///   SameSite=Strict, so no other site's request carries it, and a read changes nothing.
    func caller(of request: Request, _ context: GatewayRequestContext, sessionNeedsCSRF: Bool) async throws -> GatewayCaller {
        let onBehalfOf = request.headers[HTTPField.Name("X-DVC-On-Behalf-Of")!]
        if let authorization = request.headers[.authorization] {
            return try await resolve(authorization: authorization, onBehalfOf: onBehalfOf, client: context.client, logger: context.logger)
        }
        // A cookie of a session that has ended is no credential at all: the call is anonymous
        // (a method that needs a person then says so), as the portal's pages treat it.
        if PeopleRoutes.sessionToken(request) != nil, let visitor = context.visitor {
            if sessionNeedsCSRF {
                guard visitor.session.acceptsCSRF(request.headers[HTTPField.Name("X-CSRF-Token")!] ?? "") else {
                    throw RPCError(.permissionDenied, "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF); hãy tải lại trang.")
                }
            }
            guard onBehalfOf == nil else {
                throw RPCError(.permissionDenied, "\(CallerResolver.onBehalfOfKey) is for agency systems' API keys, not people's sessions")
            }
            return visitor.caller
        }
        return try await resolve(authorization: nil, onBehalfOf: onBehalfOf, client: context.client, logger: context.logger)
    }
}
