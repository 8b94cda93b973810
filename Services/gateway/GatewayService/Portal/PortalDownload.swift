import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Files sent to the browser: the attachment's own name in `Content-Disposition` (RFC 6266 with
/// the RFC 5987 UTF-8 form for Vietnamese names), and trusted HTML documents (the one-stop
/// documents dossier-svc renders) under a policy that forbids scripts in them.
enum PortalDownload {
    static func disposition(filename: String, inline: Bool = false) -> String {
        let ascii = String(filename.unicodeScalars.map { $0.isASCII && $0 != "\"" && $0 != "\\" && $0.value >= 0x20 ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "-._~")
        let encoded = filename.addingPercentEncoding(withAllowedCharacters: allowed) ?? ascii
        return "\(inline ? "inline" : "attachment"); filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)"
    }

    /// A file's bytes, downloaded under its own name. `nosniff` keeps the browser to the type
    /// dossier-svc recognised from the bytes.
    static func file(name: String, mediaType: String, content: Data) -> Response {
        Response(status: .ok, headers: [
            .contentType: mediaType.isEmpty ? "application/octet-stream" : mediaType,
            .contentDisposition: disposition(filename: name),
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ], body: .init(byteBuffer: ByteBuffer(bytes: content)))
    }

    /// A printable HTML document of the dossier (receipt slip, apology letter…): shown in the
    /// browser, with no script allowed to run in it.
    static func document(_ html: Data) -> Response {
        Response(status: .ok, headers: [
            .contentType: "text/html; charset=utf-8",
            HTTPField.Name("Content-Security-Policy")!: "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            HTTPField.Name("X-Content-Type-Options")!: "nosniff",
        ], body: .init(byteBuffer: ByteBuffer(bytes: html)))
    }
}
