import DVCProto
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import RPCCore
import RPCNIO
import ServiceLifecycle
import Storage

/// The one endpoint the national portal calls (`--http`): `POST /dvcqg/v1/dossiers`, a dossier
/// submitted there for one of the province's procedures (docs/national-portal.md, "Inbound").
///
/// Every request is checked before anything else: the signature over the canonical form, the
/// client id, the timestamp window, then the nonce (never seen within the window, across
/// restarts). A refusal is 401 with `{"error":"unauthenticated","message":…}` and a warning in
/// the log; the body is not read further.
enum InboundHTTPServer {
    /// The largest body accepted: 50 MiB of files (dossier-svc's limit) in base64, and the form.
    static let maximumBody = 72 * 1024 * 1024

    static func router(intake: InboundIntake, settings: NationalPortalSettings, database: ServiceDatabase,
                       logger: Logger) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.post("/dvcqg/v1/dossiers") { request, _ -> Response in
            var request = request
            let buffer: ByteBuffer
            do {
                buffer = try await request.collectBody(upTo: maximumBody)
            } catch {
                return json(.contentTooLarge, ["error": "too_large", "message": "the body exceeds \(maximumBody) bytes"])
            }
            let body = Data(buffer.readableBytesView)
            var headers: [String: String] = [:]
            for name in [PortalSignature.clientHeader, PortalSignature.timestampHeader, PortalSignature.nonceHeader, PortalSignature.signatureHeader] {
                if let field = HTTPField.Name(name), let value = request.headers[field] { headers[name] = value }
            }
            let path = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            if let problem = PortalSignature.problem(method: "POST", path: path, body: body, headers: headers,
                                                     expectedClient: settings.portalClientID, secret: settings.verifySecret,
                                                     windowSeconds: settings.windowSeconds) {
                logger.warning("refused a request claiming to be the national portal", metadata: ["why": "\(problem)"])
                return json(.unauthorized, ["error": "unauthenticated", "message": problem])
            }
            let nonce = headers[PortalSignature.nonceHeader] ?? ""
            let window = settings.windowSeconds
            guard try await database.sqliteWrite({ db in try NonceBook.remember(nonce, windowSeconds: window, db) }) else {
                logger.warning("refused a replayed request claiming to be the national portal", metadata: ["nonce": "\(nonce)"])
                return json(.unauthorized, ["error": "unauthenticated", "message": "replayed: nonce already used"])
            }
            let inbound: InboundDossier
            do {
                inbound = try InboundDossier(json: body)
            } catch let invalid as InboundDossier.Invalid {
                return json(.badRequest, ["error": "invalid", "field": invalid.field, "message": invalid.message])
            }
            do {
                let accepted = try await intake.accept(inbound)
                return json(.ok, ["portal_dossier_id": inbound.portalID, "dossier_id": accepted.dossier.id,
                                  "state": Int(accepted.dossier.state.rawValue), "duplicate": accepted.duplicate])
            } catch let error as RPCError {
                switch error.code {
                case .invalidArgument, .failedPrecondition, .permissionDenied, .notFound, .outOfRange, .alreadyExists:
                    // Refused for good: the portal tells the citizen; sending it again changes nothing.
                    return json(.unprocessableContent, ["error": "refused", "field": error.violations.first?.field ?? "",
                                                        "message": error.message])
                default:
                    return json(.serviceUnavailable, ["error": "unavailable", "message": "try again: \(error.message)"])
                }
            }
        }
        return router
    }

    static func json(_ status: HTTPResponse.Status, _ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func make(address: PeerAddress, router: Router<BasicRequestContext>, logger: Logger) -> any Service {
        Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "dvc-national-portal-sync"),
            onServerRunning: { channel in
                if let local = channel.localAddress, let ip = local.ipAddress, let port = local.port {
                    FileHandle.standardOutput.write(Data("http listening on \(ip):\(port)\n".utf8))
                    logger.notice("http listening", metadata: ["address": "\(ip):\(port)"])
                }
            },
            logger: logger)
    }
}

