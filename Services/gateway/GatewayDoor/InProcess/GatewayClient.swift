import DVCProto
import Foundation
import Logging
import RPCCore

/// The gateway's own methods, called in-process for a caller the door has already resolved
/// (`CallerResolver`, `SessionStore.Session.caller`): the HTTP side's JSON API, the portal's
/// pages and the officers' console reach the platform through this and nothing else. The calls
/// run the very handlers of the binary RPC behind the same rate limit and level gate, so a
/// page can never do what the person could not do through the API — and since this library
/// gives the HTTP side no client of any service behind the gateway, the compiler holds it to
/// that.
public struct GatewayClient: Sendable {
    /// The gateway's handlers behind the in-process interceptors (no identity interceptor: the
    /// caller comes resolved; no load shedding: the HTTP request was already admitted).
    let router: RPCRouter
    let logger: Logger

    /// How long an in-process call may take.
    static let timeout: Duration = .seconds(30)

    /// Whether `path` (`/package.Service/Method`) is one of the gateway's methods.
    public func handles(_ path: String) -> Bool {
        path.hasPrefix("/dvc.gateway.") && router.handler(for: path) != nil
    }

    /// Runs `method` as `caller`.
    public func call<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, as caller: GatewayCaller,
        idempotencyKey: String? = nil, requestID: String? = nil, clientAddress: String? = nil
    ) async throws -> Response {
        let response = try await call(path: method.path, request, as: caller, idempotencyKey: idempotencyKey,
                                      requestID: requestID, clientAddress: clientAddress)
        guard let typed = response as? Response else {
            throw RPCError(.internalError, "\(method.path) answered with the wrong type")
        }
        return typed
    }

    /// Runs the method at `path` as `caller` with an already decoded request (the JSON API).
    /// `clientAddress` is the address the HTTP side resolved for the request (what failed
    /// tracking PINs are counted under).
    public func call(
        path: String, _ request: any ProtoMessage, as caller: GatewayCaller,
        idempotencyKey: String? = nil, requestID: String? = nil, trace: TraceContext? = nil,
        clientAddress: String? = nil
    ) async throws -> any ProtoMessage {
        guard path.hasPrefix("/dvc.gateway."), let handler = router.handler(for: path) else {
            throw RPCError(.unimplemented, path)
        }
        let id = requestID ?? RequestScope.requestID ?? UUID().uuidString
        var metadata: Metadata = [MetadataKey.requestID: id]
        if let idempotencyKey { metadata[MetadataKey.idempotencyKey] = idempotencyKey }
        let context = ServerContext(method: path, metadata: metadata, deadline: ContinuousClock.now + Self.timeout,
                                    requestID: id, trace: trace ?? TraceContext.random(), remoteAddress: "http",
                                    logger: logger)
        if let clientAddress { context[ClientAddressKey.self] = clientAddress }
        return try await handler.run(request, caller.stamp(context))
    }
}
