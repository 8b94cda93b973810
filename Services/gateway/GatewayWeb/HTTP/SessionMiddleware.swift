import GatewayDoor
import Hummingbird

/// Finds the person behind a request's session cookie once, before any route runs, and puts
/// them in the request context (`GatewayRequestContext.visitor`). A request without the cookie
/// costs nothing; one with it costs one read of the session (the "last seen" write happens
/// only every few seconds, `SessionStore.lookup`). A cookie whose session ended leaves the
/// visitor nil: the page then treats the request as anonymous.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let sessions: SessionStore

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let token = PeopleRoutes.sessionToken(request), let session = try await sessions.lookup(token) else {
            return try await next(request, context)
        }
        var context = context
        context.visitor = PortalVisitor(token: token, session: session)
        return try await next(request, context)
    }
}
