import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import Logging
import RPCCore

/// Citizens' sign-in with the national electronic identity (VNeID) over OpenID Connect
/// (docs/identity.md):
/// - `GET /dang-nhap/vneid?tiep=PATH`: leaves for the provider's authorization endpoint, with a
///   cookie of its own (`__Host-dvc_vneid`) binding the answer to this browser;
/// - `GET /dang-nhap/vneid/ve`: the provider's answer (the redirect URI); after every check a
///   new session, or a page saying in Vietnamese why not, and no session;
/// - `GET /tai-khoan/lien-ket-vneid`: a citizen signed in with a password links the account.
///
/// Leaving is a link the citizen follows (a GET answered with a redirect), never a form: the
/// pages' policy lets forms post only to the portal (`form-action 'self'`). Coming back, the
/// answer is a page that moves on by itself (`Refresh`) rather than a redirect: the provider's
/// site started that navigation, so a browser would not send the `SameSite=Strict` session
/// cookie with a redirect's next request, and the citizen would look signed out.
struct NationalIdentityPages: GatewayRoutes {
    let identity: NationalIdentity
    let sessions: SessionStore
    let logger: Logger

    /// SameSite=Lax, unlike the session's Strict: it must come back with the provider's
    /// top-level redirect to the callback. It proves nothing by itself; it only ties the
    /// `state` to the browser that left.
    static let cookieName = "__Host-dvc_vneid"

    static func browserCookie(_ token: String) -> String {
        "\(cookieName)=\(token); Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=600"
    }

    static let clearedBrowserCookie = "\(cookieName)=; Path=/; HttpOnly; Secure; SameSite=Lax; Max-Age=0"

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/dang-nhap/vneid") { request, _ -> Response in
            let next = PortalForm.localPath(FormData.parse(request.uri.query)["tiep"], otherwise: "/ho-so-cua-toi")
            return await leave(.signIn, next: next)
        }
        router.get("/tai-khoan/lien-ket-vneid") { _, context -> Response in
            guard let visitor = context.visitor, let id = visitor.citizenID, let citizen = try? CitizenID(id) else {
                return PortalForm.signIn(returningTo: "/tai-khoan")
            }
            return await leave(.link(citizen), next: "/tai-khoan")
        }
        router.get(RouterPath(NationalIdentity.callbackPath)) { request, context -> Response in
            let query = FormData.parse(request.uri.query)
            let browser = Self.cookie(Self.cookieName, in: request) ?? ""
            if let error = query["error"] {
                // The citizen cancelled, or the provider refused: the state is spent all the same.
                _ = try? await identity.finish(code: "", state: query["state"] ?? "", browserToken: browser, client: context.client)
                logger.notice("national identity sign-in not completed at the provider", metadata: ["error": "\(error.prefix(100))"])
                return Self.refused(.init(message: "Đăng nhập bằng VNeID chưa hoàn tất (đã hủy hoặc bị từ chối tại hệ thống định danh điện tử). Chưa có phiên đăng nhập nào được tạo.",
                                          reason: error), status: .badRequest)
            }
            let finished: NationalIdentity.Finished
            do {
                finished = try await identity.finish(code: query["code"] ?? "", state: query["state"] ?? "", browserToken: browser,
                                                     client: context.client)
            } catch let refusal as NationalIdentity.Refusal {
                logger.notice("national identity sign-in refused", metadata: ["reason": "\(refusal.reason)"])
                return Self.refused(refusal, status: refusal.message.contains("Chưa kết nối") ? .serviceUnavailable : .forbidden)
            }
            // A new session at every sign-in, as with a password.
            let (token, session) = try await sessions.create(for: .citizen(id: finished.citizen.digits), kind: .browser)
            try await identity.remember(idToken: finished.idToken, forSession: token, expiresAtMs: session.expiresAtMs)
            let e = PortalPage.escape
            let title: String
            let text: String
            switch finished.purpose {
            case .link:
                title = "Đã liên kết tài khoản với VNeID"
                text = "Từ nay bạn có thể đăng nhập bằng VNeID."
            case .signIn:
                title = "Đăng nhập thành công"
                text = finished.linked ? "Tài khoản có sẵn của số định danh này đã được liên kết với VNeID." : "Đang chuyển tới trang của bạn…"
            }
            var response = PortalPage.response(title: title, body: """
                <h1>\(e(title))</h1><p role="status">\(e(text))</p>
                <p><a class="button" id="tiep-tuc" href="\(e(finished.next))">Tiếp tục</a></p>
                """)
            response.headers.append(HTTPField(name: .setCookie, value: PeopleRoutes.sessionCookie(token)))
            response.headers.append(HTTPField(name: .setCookie, value: Self.clearedBrowserCookie))
            response.headers[HTTPField.Name("Refresh")!] = "0; url=\(finished.next)"
            return response
        }
    }

    /// To the provider, with this browser's cookie.
    func leave(_ purpose: NationalIdentity.Purpose, next: String) async -> Response {
        do {
            let started = try await identity.begin(purpose, next: next)
            var response = Response(status: .seeOther, headers: [.location: started.authorizationURL, .cacheControl: "no-store"])
            response.headers.append(HTTPField(name: .setCookie, value: Self.browserCookie(started.browserToken)))
            return response
        } catch let refusal as NationalIdentity.Refusal {
            return Self.refused(refusal, status: .serviceUnavailable)
        } catch {
            logger.error("national identity sign-in could not start", metadata: ["error": "\(error)"])
            return Self.refused(.init(message: "Chưa kết nối được với hệ thống định danh điện tử; vui lòng thử lại sau.", reason: "\(error)"),
                                status: .serviceUnavailable)
        }
    }

    static func refused(_ refusal: NationalIdentity.Refusal, status: HTTPResponse.Status) -> Response {
        let e = PortalPage.escape
        var response = PortalPage.response(title: "Chưa đăng nhập được", body: """
            <h1>Chưa đăng nhập được bằng VNeID</h1>
            <p class="error" role="alert">\(e(refusal.message))</p>
            <p><a class="button" href="/dang-nhap/vneid">Đăng nhập lại bằng VNeID</a> · <a href="/">Về trang chủ</a></p>
            """, status: status)
        response.headers.append(HTTPField(name: .setCookie, value: clearedBrowserCookie))
        return response
    }

    /// A cookie's value from the request's Cookie headers.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// The sign-in page's way in with the national identity.
    static func signInLink(next: String?) -> String {
        let path = next.map { "/dang-nhap/vneid?tiep=\(PortalRoutes.formEncode(PortalForm.localPath($0, otherwise: "/ho-so-cua-toi")))" }
            ?? "/dang-nhap/vneid"
        return """
            <p><a class="button" id="dang-nhap-vneid" href="\(PortalPage.escape(path))">Đăng nhập bằng tài khoản định danh điện tử (VNeID)</a></p>
            """
    }

    /// After signing out of a session that began at the provider: the provider's sign-out,
    /// reached by the browser itself (a form's answer may not redirect to another site).
    static func signedOut(leavingFor url: String) -> Response {
        let e = PortalPage.escape
        var response = PortalPage.response(title: "Đã đăng xuất", body: """
            <h1>Đã đăng xuất khỏi cổng dịch vụ công</h1>
            <p role="status">Đang đăng xuất khỏi hệ thống định danh điện tử…</p>
            <p><a class="button" id="dang-xuat-vneid" href="\(e(url))" rel="noreferrer">Đăng xuất khỏi VNeID</a></p>
            """)
        response.headers[HTTPField.Name("Refresh")!] = "0; url=\(url)"
        response.headers.append(HTTPField(name: .setCookie, value: PeopleRoutes.clearedSessionCookie))
        return response
    }
}
