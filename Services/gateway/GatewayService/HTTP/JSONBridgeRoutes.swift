import DVCProto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RPCCore

/// Every gateway method over HTTP as JSON: `POST /api/v1/{package.Service}/{Method}` with the
/// request in protobuf's JSON mapping, answered with the response the same way, or a problem
/// document. The call runs in-process through the very interceptors of the binary RPC (who
/// calls, which level), so both doors make the same checks.
///
/// Credentials: `Authorization: Bearer <session token>` (a citizen), `Authorization: ApiKey …`
/// with `X-DVC-On-Behalf-Of` (an agency system), or the browser's session cookie — which, being
/// sent by the browser on its own, must come with the session's CSRF token in `X-CSRF-Token`.
struct JSONBridgeRoutes: GatewayRoutes {
    let router: RPCRouter
    let sessions: SessionStore
    let logger: Logger

    func add(to http: Router<GatewayRequestContext>) {
        http.post("/api/v1/:service/:method") { request, context -> Response in
            let service = context.parameters.get("service") ?? ""
            let method = context.parameters.get("method") ?? ""
            let path = "/\(service)/\(method)"
            var requestID = IDGenerator()
            let id = request.headers[HTTPField.Name("X-Request-Id")!].flatMap { $0.isEmpty || $0.count > 64 ? nil : $0 }
                ?? requestID.hex(words: 1)
            do {
                guard service.hasPrefix("dvc.gateway."), let types = ProtoRegistry.method(path),
                      let handler = router.handler(for: path) else {
                    throw RPCError(.notFound, "Không có phương thức \(path).")
                }
                var metadata: Metadata = [MetadataKey.requestID: id]
                if let key = request.headers[HTTPField.Name("Idempotency-Key")!] { metadata[MetadataKey.idempotencyKey] = key }
                if let onBehalf = request.headers[HTTPField.Name("X-DVC-On-Behalf-Of")!] {
                    metadata[IdentityInterceptor.onBehalfOfKey] = onBehalf
                }
                if let authorization = request.headers[.authorization] {
                    metadata[MetadataKey.authorization] = authorization
                } else if let cookie = PeopleRoutes.sessionToken(request) {
                    // A cookie travels with any request the browser makes, even one another site
                    // triggers: it counts only with the session's CSRF token.
                    guard let session = try await sessions.lookup(cookie) else {
                        throw RPCError(.unauthenticated, "Phiên đăng nhập không còn hiệu lực; vui lòng đăng nhập lại.")
                    }
                    let sent = request.headers[HTTPField.Name("X-CSRF-Token")!] ?? ""
                    guard session.acceptsCSRF(sent) else {
                        throw RPCError(.permissionDenied, "Thiếu hoặc sai mã chống giả mạo yêu cầu (CSRF); hãy tải lại trang.")
                    }
                    metadata[MetadataKey.authorization] = "Bearer \(cookie)"
                }
                var body = request
                let bytes = try await body.collectBody(upTo: 64 * 1024 * 1024)
                let message: any ProtoJSONMessage
                do {
                    message = try types.requestType.init(jsonUTF8: bytes.readableBytesView.isEmpty ? Array("{}".utf8) : Array(bytes.readableBytesView))
                } catch let error as ProtoJSONError {
                    throw RPCError.invalidArgument(field: error.path.isEmpty ? "body" : error.path, error.reason)
                }
                let serverContext = ServerContext(
                    method: path, metadata: metadata, deadline: ContinuousClock.now + .seconds(30), requestID: id,
                    trace: request.headers[HTTPField.Name("traceparent")!].flatMap(TraceContext.init(traceparent:)) ?? TraceContext.random(),
                    remoteAddress: "http", logger: logger)
                let response = try await handler.run(message, serverContext)
                guard let json = response as? any ProtoJSONMessage else { throw RPCError(.internalError, "no JSON mapping for \(path)") }
                return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(bytes: json.jsonUTF8())))
            } catch {
                var response = ProblemDocument.response(error)
                response.headers[HTTPField.Name("X-Request-Id")!] = id
                return response
            }
        }
    }
}
