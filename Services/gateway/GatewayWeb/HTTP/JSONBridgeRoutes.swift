import DVCProto
import Foundation
import GatewayDoor
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
    let gateway: GatewayClient
    let resolver: CallerResolver
    let logger: Logger
    /// The body limits and the large-body budget.
    let bodies: RequestBodies
    /// The public reads' answers to callers without credentials (`PublicReadCache`).
    let publicReads = PublicReadCache()

    static let publicService = "/dvc.gateway.v1.PublicService/"

    func add(to http: Router<GatewayRequestContext>) {
        http.post("/api/v1/:service/:method") { request, context -> Response in
            let service = context.parameters.get("service") ?? ""
            let method = context.parameters.get("method") ?? ""
            let path = "/\(service)/\(method)"
            let id = context.requestID
            do {
                guard let types = ProtoRegistry.method(path), gateway.handles(path) else {
                    throw RPCError(.notFound, "Không có phương thức \(path).")
                }
                let caller = try await resolver.caller(of: request, context, sessionNeedsCSRF: true)
                // The body's limit is the method's, known before reading: large only for the
                // requests that carry files, and those only for a known caller, within its
                // allowance and the large-body budget (`RequestBodies`).
                let large = types.requestType is any CarriesAttachments.Type
                let reservation = large ? try bodies.admit(request, caller: caller, limit: MultipartForm.isMultipart(request)
                                                           ? RequestBodies.largeMultipart : RequestBodies.largeJSON) : nil
                defer { if let reservation { bodies.budget.leave(reservation) } }
                let message: any ProtoJSONMessage
                // A public read by a caller without credentials, the same as one answered a
                // moment ago, is answered as it was then.
                var publicRead: ByteBuffer?
                if MultipartForm.isMultipart(request) {
                    message = try await Self.multipart(request, as: types.requestType)
                } else {
                    let bytes = try await RequestBodies.collect(request, limit: large ? RequestBodies.largeJSON : RequestBodies.small)
                    if path.hasPrefix(Self.publicService), caller.identity == nil {
                        if let answer = publicReads.answer(path: path, body: bytes) { return Self.json(answer) }
                        publicRead = bytes
                    }
                    message = try Self.decode(types.requestType, bytes.readableBytesView.isEmpty ? Array("{}".utf8) : Array(bytes.readableBytesView))
                }
                let response = try await gateway.call(
                    path: path, message, as: caller, idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!],
                    requestID: id, trace: request.headers[HTTPField.Name("traceparent")!].flatMap(TraceContext.init(traceparent:)),
                    clientAddress: context.client)
                guard let json = response as? any ProtoJSONMessage else { throw RPCError(.internalError, "no JSON mapping for \(path)") }
                let answer = ByteBuffer(bytes: json.jsonUTF8())
                if let publicRead { publicReads.keep(answer, path: path, body: publicRead) }
                return Self.json(answer)
            } catch {
                var response = ProblemDocument.response(error, fieldNames: .protoJSON)
                // No status code means "too large"; HTTP has one.
                if BodyTooLarge.means(error) { response.status = .contentTooLarge }
                return response
            }
        }
    }

    static func json(_ bytes: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: bytes))
    }

    static func decode(_ type: any ProtoJSONMessage.Type, _ json: [UInt8]) throws -> any ProtoJSONMessage {
        do {
            return try type.init(jsonUTF8: json)
        } catch {
            throw RPCError.invalidArgument(field: error.path.isEmpty ? "body" : error.path, error.reason)
        }
    }

    /// A request sent as `multipart/form-data` (docs/gateway.md "Files without base64"): the
    /// part `request` is the request in JSON, and every file part named `attachments` is one
    /// more attachment, its file name the attachment's name and its bytes as they are — no
    /// base64, read as it streams under the portal's limits (10 MiB a file, 50 MiB in all).
    /// Only methods whose request carries attachments take files.
    static func multipart(_ request: Request, as type: any ProtoJSONMessage.Type) async throws -> any ProtoJSONMessage {
        // A method without files gets no more than a small body this way either.
        let form = try await MultipartForm.read(request, limits: type is any CarriesAttachments.Type
                                                ? .dossier : .init(maxFileBytes: RequestBodies.small, maxTotalBytes: RequestBodies.small, maxFields: 10))
        // The request part as a plain field, or sent as a file (`curl -F request=@request.json`
        // does that): either way its bytes are the request in JSON.
        let requestFile = form.files.first { $0.field == "request" }
        guard let json = form.fields["request"].map({ Array($0.utf8) }) ?? requestFile.map({ Array($0.content) }) else {
            throw RPCError.invalidArgument(field: "request", "a multipart request needs a part named 'request' with the request in JSON")
        }
        let message = try decode(type, json)
        let files = form.files.filter { $0.field == "attachments" }
        if let other = form.files.first(where: { $0.field != "attachments" && $0.field != "request" }) {
            throw RPCError.invalidArgument(field: other.field, "files go in parts named 'attachments'")
        }
        guard !files.isEmpty else { return message }
        guard var carrying = message as? any CarriesAttachments else {
            throw RPCError.invalidArgument(field: "attachments", "this method takes no files")
        }
        for file in files {
            var upload = DossierV1.AttachmentUpload()
            upload.name = file.filename
            upload.content = file.content
            carrying.attachments.append(upload)
        }
        return carrying
    }
}

/// A request that carries files: what a multipart request's file parts are added to.
protocol CarriesAttachments: ProtoJSONMessage {
    var attachments: [DossierV1.AttachmentUpload] { get set }
}

extension DossierV1.SubmitDossierRequest: CarriesAttachments {}
extension DossierV1.ActRequest: CarriesAttachments {}
extension DossierV1.SaveDraftRequest: CarriesAttachments {}
