import DVCProto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

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
