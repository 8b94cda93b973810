import DVCProto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import OneStop

/// Files sent to the browser, by the citizens' pages and the officers' console alike: the
/// attachment's own name in `Content-Disposition` (RFC 6266 with the RFC 5987 UTF-8 form for
/// Vietnamese names), and the one-stop documents dossier-svc renders, under a policy that
/// forbids scripts in them. Neither is kept by any cache: both are personal data.
enum PortalDownload {
    /// The types dossier-svc accepts (recognised from the bytes); anything else goes out as bytes.
    static let knownTypes: Set<String> = ["application/pdf", "image/jpeg", "image/png"]
    static let documentPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'"

    static func disposition(filename: String, inline: Bool = false) -> String {
        let ascii = String(filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" })
        let encoded = PercentEncoding.encode(filename, keeping: "-._~")
        return "\(inline ? "inline" : "attachment"); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    /// A file's bytes, downloaded under its own name. `nosniff` keeps the browser to the type
    /// dossier-svc recognised from the bytes.
    static func file(name: String, mediaType: String, content: Data) -> Response {
        Response(status: .ok, headers: [
            .contentType: knownTypes.contains(mediaType) ? mediaType : "application/octet-stream",
            .contentDisposition: disposition(filename: name.isEmpty ? "tep" : name),
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            .cacheControl: "private, no-store",
        ], body: .init(byteBuffer: ByteBuffer(bytes: content)))
    }

    /// The latest issue of a form among a dossier's documents (the control slip 05 is issued
    /// again at every step).
    static func latest(_ form: String, in documents: [DossierV1.DossierDocument]) -> DossierV1.DossierDocument? {
        documents.filter { $0.form == form }.max { $0.issuedAtUnixMs < $1.issuedAtUnixMs }
    }

    /// A one-stop document's PDF rendition (made by dossier-svc from the HTML on the first
    /// request), downloaded as "<form>-<number>.pdf".
    static func rendition(_ rendition: DossierV1.DocumentRendition) -> Response {
        let name = "\(rendition.form)-\(rendition.number).pdf".replacingOccurrences(of: "/", with: "-")
        return Response(status: .ok, headers: [
            .contentType: "application/pdf",
            .contentDisposition: disposition(filename: name),
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            .cacheControl: "private, no-store",
        ], body: .init(byteBuffer: ByteBuffer(bytes: rendition.content)))
    }

    /// The request for a document's PDF from a page's link: `/giay-to/{form}/pdf?so={number}`
    /// (no number: the latest issue of the form).
    static func renditionRequest(dossier: String, form: String, query: String?) -> DossierV1.GetDocumentRenditionRequest {
        var get = DossierV1.GetDocumentRenditionRequest()
        get.dossierId = dossier
        get.form = form
        get.number = String((FormData.parse(query)["so"] ?? "").prefix(80))
        get.mediaType = "application/pdf"
        return get
    }

    /// The link to a document's PDF, beside the link to the document: its own words for screen
    /// readers, since every such link reads "Tải bản PDF".
    static func renditionLink(base: String, _ document: DossierV1.DossierDocument) -> String {
        let e = PortalPage.escape
        let href = "\(base)/giay-to/\(PercentEncoding.encode(document.form, keeping: "-._~"))/pdf?so=\(PercentEncoding.encode(document.number, keeping: "-._~"))"
        return "<a href=\"\(e(href))\" aria-label=\"\(e("Tải bản PDF: \(document.oneStopName) số \(document.number)"))\">Tải bản PDF</a>"
    }

    /// A printable document of the dossier (receipt slip, apology letter, tracking book…): shown
    /// in the browser when it is HTML, with no script allowed to run in it.
    static func document(_ document: DossierV1.DossierDocument) -> Response {
        Response(status: .ok, headers: [
            .contentType: document.mediaType.hasPrefix("text/html") ? "text/html; charset=utf-8" : "application/octet-stream",
            .contentSecurityPolicy: documentPolicy,
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
            .cacheControl: "private, no-store",
        ], body: .init(byteBuffer: ByteBuffer(bytes: document.content)))
    }
}
