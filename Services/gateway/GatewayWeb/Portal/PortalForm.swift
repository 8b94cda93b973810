import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore

/// What every HTML form of the portal shares: the same-site check on POSTs, reading an urlencoded
/// body, redirects, and a labelled input with its error beside it.
///
/// Cross-site requests: every POST must come from this site (`Origin`, else `Sec-Fetch-Site`, is
/// checked), which also stops login CSRF on the forms used before any session exists; forms used
/// inside a session carry its CSRF token as well (`PortalVisitor.accepts`).
enum PortalForm {
    /// The idempotency key the form was drawn with (a retried post submits once), or a new one
    /// when it is missing or longer than the 64 characters a key may have.
    static func idempotencyKey(_ fields: [String: String]) -> String {
        fields["idempotency_key"].flatMap { $0.isEmpty || $0.count > 64 ? nil : $0 } ?? Secrets.randomBase64URL(byteCount: 16)
    }

    /// A POST came from this site: its Origin names this host, or, without Origin, the browser
    /// says same-origin. Anything else (another site's form) is refused.
    static func sameOrigin(_ request: Request) -> Bool {
        let host = request.head.authority ?? ""
        if let origin = request.headers[.origin] {
            return origin == "http://\(host)" || origin == "https://\(host)"
        }
        if let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!] { return site == "same-origin" || site == "none" }
        return true  // Not a browser (no Origin, no Fetch Metadata): a script, which no cookie rides along with.
    }

    static func crossSite() -> Response {
        PortalPage.response(title: "Không hợp lệ", body: "<h1>Yêu cầu không hợp lệ</h1><p>Biểu mẫu phải được gửi từ chính cổng dịch vụ công.</p>",
                            status: .forbidden)
    }

    /// A form posted without (or with a wrong) CSRF token, or after the session ended.
    static func forged() -> Response {
        PortalPage.response(title: "Không hợp lệ", body: "<h1>Yêu cầu không hợp lệ</h1><p>Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Hãy tải lại trang rồi thử lại.</p>",
                            status: .forbidden)
    }

    /// An urlencoded body of at most 64 KiB; a longer one is refused with 413.
    static func fields(_ request: Request) async throws -> [String: String] {
        let body: ByteBuffer
        do {
            body = try await RequestBodies.collect(request, limit: 64 * 1024)
        } catch is BodyTooLarge {
            throw HTTPError(.contentTooLarge, message: "Biểu mẫu quá lớn.")
        }
        return FormData.parse(String(decoding: body.readableBytesView, as: UTF8.self))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// The sign-in page, coming back to `path` afterwards.
    static func signIn(returningTo path: String, officer: Bool = false) -> Response {
        let page = officer ? "/can-bo/dang-nhap" : "/dang-nhap"
        return redirect("\(page)?tiep=\(PortalRoutes.formEncode(path))")
    }

    /// Where to go after signing in: only a path of this site, never another origin.
    /// Browsers forgive a lot in a `Location`: they drop tabs and newlines anywhere and trim
    /// spaces and control characters at the ends, and they read a backslash as a slash — so
    /// `/<TAB>/evil.example` and `/\\evil.example` become `//evil.example`, another site. A path
    /// is accepted only when it starts with one slash and holds no control character, no
    /// whitespace and no backslash at all, and when, read as a URL reference, it has neither a
    /// scheme nor a host.
    static func localPath(_ candidate: String?, otherwise fallback: String) -> String {
        guard let candidate, candidate.hasPrefix("/"), !candidate.hasPrefix("//"), candidate.utf8.count <= 2048,
              candidate.unicodeScalars.allSatisfy({ scalar in
                  scalar.value > 0x20 && scalar.value != 0x7F && scalar != "\\"
                      && !scalar.properties.isWhitespace && scalar.properties.generalCategory != .control
                      && scalar.properties.generalCategory != .format
              }),
              let reference = URLComponents(string: candidate), reference.scheme == nil, reference.host == nil
        else { return fallback }
        return candidate
    }

    /// The hidden input carrying where to go after signing in (`tiep`), when it is a local path.
    static func returnPathInput(_ next: String?) -> String {
        let back = localPath(next, otherwise: "")
        return back.isEmpty ? "" : "<input type=\"hidden\" name=\"tiep\" value=\"\(PortalPage.escape(back))\">"
    }

    static func field(_ name: String, _ label: String, type: String = "text", value: String = "", error: String?,
                      attributes: String = "") -> String {
        let e = PortalPage.escape
        let message = error.map { "<p class=\"error\" id=\"\(name)-error\" role=\"alert\">\(e($0))</p>" } ?? ""
        let described = error == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"\(name)-error\""
        return """
            <div class="field"><label for="\(name)">\(e(label))</label><br>
            <input id="\(name)" name="\(name)" type="\(type)" value="\(e(value))"\(described) \(attributes)>
            \(message)</div>
            """
    }
}
