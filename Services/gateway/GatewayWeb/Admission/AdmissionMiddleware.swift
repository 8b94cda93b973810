import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import Logging
import RPCCore

/// The HTTP side's admission, in front of every route: first the gateway-wide
/// `AdmissionLimit` (beyond it: 503 with Retry-After, nothing done), then the per-address rate
/// limit (beyond it: 429 with Retry-After). Refusals are problem documents for the JSON API and
/// a short page in Vietnamese for the portal, so a person knows to wait rather than retry at once.
struct AdmissionMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    let limit: AdmissionLimit
    let limits: RateLimits
    let addresses: ClientAddress

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard limit.enter(.http) else {
            context.logger.warning("overloaded: HTTP request refused", metadata: ["path": "\(request.uri.path)"])
            return Self.refusal(request, RPCError(
                .unavailable, "Hệ thống đang quá tải; vui lòng thử lại sau \(AdmissionLimit.retryAfterSeconds) giây.",
                metadata: ["retry-after-ms": "\(AdmissionLimit.retryAfterSeconds * 1000)"]))
        }
        defer { limit.leave() }
        let client = addresses.resolve(peer: context.remoteAddress,
                                       forwardedFor: request.headers[HTTPField.Name("X-Forwarded-For")!])
        do {
            try limits.check(.address, client)
        } catch let refused as RPCError {
            context.logger.notice("rate limited", metadata: ["client": "\(client)", "path": "\(request.uri.path)"])
            return Self.refusal(request, refused)
        }
        var context = context
        context.clientAddress = client
        return try await next(request, context)
    }

    /// A problem document under `/api/`, a page elsewhere; both with Retry-After.
    static func refusal(_ request: Request, _ error: RPCError) -> Response {
        guard !request.uri.path.hasPrefix("/api/") else { return ProblemDocument.response(error) }
        let title = error.code == .unavailable ? "Hệ thống đang quá tải" : "Quá nhiều yêu cầu"
        var response = PortalPage.response(title: title, body: "<h1>\(title)</h1><p>\(PortalPage.escape(Self.forPeople(error.message)))</p>",
                                           status: ProblemDocument.status(for: error.code))
        response.headers[.retryAfter] = ProblemDocument.retryAfter(error)
        return response
    }

    /// The Vietnamese sentence of a refusal, without the operator's note in parentheses.
    static func forPeople(_ message: String) -> String {
        message.range(of: " (").map { String(message[..<$0.lowerBound]) } ?? message
    }
}
