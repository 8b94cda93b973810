import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import RPCCore

/// `/can-bo/dang-nhap`: an officer signs in with their officer id and password for a browser
/// session, the same cookie citizens get (`__Host-dvc_session`: HttpOnly, Secure, Path=/, no Domain, SameSite=Strict).
///
/// A new session token is made at every sign-in, whatever cookie the browser already had, so a
/// session id planted beforehand (session fixation) is never the one that gets signed in. The
/// POST must come from this site (`PortalForm.sameOrigin`), which stops login CSRF: no other
/// site can sign a browser into an account of its choosing. Wrong passwords are throttled by
/// `OfficerAccounts` (the account locks); the lock is shown as a message with 429.
struct ConsoleSignIn: Sendable {
    let officers: OfficerAccounts
    let sessions: SessionStore

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/can-bo/dang-nhap") { request, _ -> Response in
            let query = FormData.parse(request.uri.query)
            return Self.page(id: "", next: query["tiep"], message: nil)
        }
        router.post("/can-bo/dang-nhap") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            let form = try await PortalForm.fields(request)
            let id = (form["id"] ?? "").trimmingCharacters(in: .whitespaces)
            do {
                let officer = try await officers.signIn(id: id, password: form["password"] ?? "", client: context.client)
                let (token, _) = try await sessions.create(for: officer.identity, kind: .browser)
                var response = PortalForm.redirect(PortalForm.localPath(form["tiep"], otherwise: "/can-bo"))
                response.headers[.setCookie] = PeopleRoutes.sessionCookie(token)
                return response
            } catch let error as RPCError {
                var response = Self.page(id: id, next: form["tiep"], message: error.message, status: ProblemDocument.status(for: error.code))
                if let wait = ProblemDocument.retryAfter(error) { response.headers[.retryAfter] = wait }
                return response
            }
        }
    }

    static func page(id: String, next: String?, message: String?, status: HTTPResponse.Status = .ok) -> Response {
        let note = message.map { "<p class=\"error\" role=\"alert\">\(PortalPage.escape($0))</p>" } ?? ""
        return PortalPage.response(title: "Đăng nhập cán bộ", body: """
            <h1>Đăng nhập dành cho cán bộ</h1>
            \(note)
            <form method="post" action="/can-bo/dang-nhap">
            \(PortalForm.returnPathInput(next))
            \(PortalForm.field("id", "Tên đăng nhập cán bộ", value: id, error: nil, attributes: "autocomplete=\"username\" required"))
            \(PortalForm.field("password", "Mật khẩu", type: "password", error: nil, attributes: "autocomplete=\"current-password\" required"))
            <button type="submit">Đăng nhập</button>
            </form>
            <p>Công dân đăng nhập tại <a href="/dang-nhap">trang đăng nhập công dân</a>.</p>
            """, status: status)
    }
}
