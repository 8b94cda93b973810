import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore

/// What the console hands out as files: a dossier's attachments and result
/// (`/can-bo/ho-so/{id}/tep/{fileId}`, through GetFile), its one-stop documents
/// (`/can-bo/ho-so/{id}/giay-to/{form}`) and the agency's tracking book
/// (`/can-bo/so-theo-doi?nam=`, document 06).
///
/// Citizens' files are served as downloads only (`Content-Disposition: attachment`, the type
/// dossier-svc recognised from the bytes, `nosniff`), so a crafted upload is never rendered in
/// the console's origin. The documents are HTML that dossier-svc renders from escaped values;
/// they are shown inline, but under `PortalDownload.documentPolicy` (`default-src 'none';
/// style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'`), so even a mistake
/// there could run no script, load nothing, post nowhere else and be framed by nobody.
struct ConsoleDownloads: Sendable {
    let gateway: GatewayClient

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/can-bo/ho-so/:id/tep/:file") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let fileID = context.parameters.get("file") ?? ""
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/ho-so/\(ConsolePage.pathSegment(id))", officer: true)
            }
            var get = DossierV1.GetFileRequest()
            get.dossierId = id
            get.fileId = fileID
            do {
                let file = try await gateway.call(GatewayV1.DossierService.getFile, get, as: officer.caller)
                return PortalDownload.file(name: file.name.isEmpty ? file.id : file.name, mediaType: file.mediaType, content: file.content)
            } catch let error as RPCError where [.notFound, .invalidArgument, .permissionDenied].contains(error.code) {
                return ConsolePage.notFound(officer)
            } catch {
                return ConsolePage.unavailable(officer, title: "Tải tệp")
            }
        }
        router.get("/can-bo/ho-so/:id/giay-to/:form") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            let form = context.parameters.get("form") ?? ""
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/ho-so/\(ConsolePage.pathSegment(id))", officer: true)
            }
            var get = DossierV1.GetDossierRequest()
            get.id = id
            do {
                let dossier = try await gateway.call(GatewayV1.DossierService.getDossier, get, as: officer.caller)
                // The latest issue of that form (the control slip 05 is rewritten at every step).
                guard let document = PortalDownload.latest(form, in: dossier.documents) else { return ConsolePage.notFound(officer) }
                return PortalDownload.document(document)
            } catch let error as RPCError where [.notFound, .invalidArgument, .permissionDenied].contains(error.code) {
                return ConsolePage.notFound(officer)
            } catch {
                return ConsolePage.unavailable(officer, title: "Giấy tờ")
            }
        }
        router.get("/can-bo/ho-so/:id/giay-to/:form/pdf") { request, context -> Response in
            let id = context.parameters.get("id") ?? ""
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/ho-so/\(ConsolePage.pathSegment(id))", officer: true)
            }
            let get = PortalDownload.renditionRequest(dossier: id, form: context.parameters.get("form") ?? "", query: request.uri.query)
            do {
                return PortalDownload.rendition(try await gateway.call(GatewayV1.DocumentService.getDocumentRendition, get, as: officer.caller))
            } catch let error as RPCError where [.notFound, .invalidArgument, .permissionDenied].contains(error.code) {
                return ConsolePage.notFound(officer)
            } catch {
                return ConsolePage.unavailable(officer, title: "Bản PDF của giấy tờ")
            }
        }
        router.get("/can-bo/so-theo-doi") { request, context -> Response in
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/so-theo-doi", officer: true)
            }
            var book = DossierV1.TrackingBookRequest()
            book.agencyCode = officer.agency
            book.year = FormData.parse(request.uri.query)["nam"].flatMap(UInt32.init).flatMap { (2000...2100).contains($0) ? $0 : nil } ?? 0
            do {
                return PortalDownload.document(try await gateway.call(GatewayV1.DossierService.getTrackingBook, book, as: officer.caller))
            } catch {
                return ConsolePage.unavailable(officer, title: "Sổ theo dõi hồ sơ")
            }
        }
    }
}
