import DVCProto
import Foundation
import Logging
import RPCCore

/// The gateway's own methods, called in-process by the portal's pages for the signed-in person:
/// the very handlers of the binary RPC and of the JSON API, behind the same identity and level
/// interceptors, so a page can never do what the person could not do through the API.
struct PortalGateway: Sendable {
    /// The gateway's router with its interceptors.
    let router: RPCRouter
    let logger: Logger

    /// Runs `method` as the holder of the session `token` (nil: anonymously).
    func call<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, token: String?,
        idempotencyKey: String? = nil, requestID: String = UUID().uuidString
    ) async throws -> Response {
        guard let handler = router.handler(for: method.path) else { throw RPCError(.unimplemented, method.path) }
        var metadata: Metadata = [MetadataKey.requestID: requestID]
        if let token { metadata[MetadataKey.authorization] = "Bearer \(token)" }
        if let idempotencyKey { metadata[MetadataKey.idempotencyKey] = idempotencyKey }
        let context = ServerContext(method: method.path, metadata: metadata,
                                    deadline: ContinuousClock.now + .seconds(30), requestID: requestID,
                                    trace: TraceContext.random(), remoteAddress: "portal", logger: logger)
        guard let response = try await handler.run(request, context) as? Response else {
            throw RPCError(.internalError, "\(method.path) answered with the wrong type")
        }
        return response
    }
}
