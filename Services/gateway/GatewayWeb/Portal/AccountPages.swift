import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Logging
import Hummingbird
import NIOCore
import OneStop
import RPCCore

/// The portal's pages for people's accounts, as plain HTML forms (no JavaScript needed):
/// registration with each error next to its field, sign-in (a browser session cookie), sign-out
/// (a form carrying the session's CSRF token), and "Hồ sơ của tôi", the citizen's dossiers.
///
/// Every POST is checked to come from this site (`PortalForm.sameOrigin`), which also stops
/// login CSRF; forms inside a session carry its CSRF token as well.
struct AccountPages: GatewayRoutes {
    let accounts: CitizenAccounts
    let sessions: SessionStore
    let contacts: RegistrationContacts
    /// The gateway's methods, run in-process through its interceptors (the same checks).
    let gateway: GatewayClient
    /// Sign-in with the national identity, when configured (docs/identity.md).
    let identity: NationalIdentity?

    /// What the sign-in and registration pages offer: passwords unless the operator turned
    /// them off, the national identity when configured.
    var ways: SignInWays { SignInWays(passwords: accounts.localPasswords, nationalIdentity: identity != nil) }

    func add(to http: Router<GatewayRequestContext>) {
        http.get("/dang-ky") { _, _ in
            guard ways.passwords else { return Self.passwordsOffPage(ways) }
            return Self.registrationPage(values: [:], errors: [:], ways: ways)
        }
        http.post("/dang-ky") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard ways.passwords else { return Self.passwordsOffPage(ways, status: .forbidden) }
            let form = try await PortalForm.fields(request)
            do {
                let registered = try await accounts.register(.init(id: form["id"] ?? "", password: form["password"] ?? "",
                                                                   fullName: form["full_name"] ?? "", email: form["email"] ?? "",
                                                                   phone: form["phone"] ?? ""), client: context.client)
                // Only a new account's contacts: an existing one's are never overwritten by
                // whoever registers its number again (and the page says the same either way).
                if registered.created {
                    await contacts.remember(citizen: registered.id.digits, email: form["email"] ?? "", phone: form["phone"] ?? "")
                }
                return PortalForm.redirect("/dang-nhap?da_dang_ky=1")
            } catch let error as RPCError {
                var errors: [String: String] = [:]
                for violation in error.violations { errors[violation.field] = violation.description }
                if errors.isEmpty { errors["form"] = error.message }
                var values = form
                values["password"] = nil
                return Self.registrationPage(values: values, errors: errors, ways: ways, status: .badRequest)
            }
        }
        http.get("/dang-nhap") { request, context -> Response in
            let query = FormData.parse(request.uri.query)
            let registered = query["da_dang_ky"] != nil
            return Self.signInPage(id: "", next: query["tiep"], message: registered ? CitizenAccounts.registeredMessage : nil, ways: ways)
        }
        http.post("/dang-nhap") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard ways.passwords else { return Self.passwordsOffPage(ways, status: .forbidden) }
            let form = try await PortalForm.fields(request)
            do {
                let citizen = try await accounts.signIn(id: form["id"] ?? "", password: form["password"] ?? "", client: context.client)
                // A new token at every sign-in: a session id planted before sign-in is never promoted.
                let (token, _) = try await sessions.create(for: .citizen(id: citizen.digits), kind: .browser)
                var response = PortalForm.redirect(PortalForm.localPath(form["tiep"], otherwise: "/ho-so-cua-toi"))
                response.headers[.setCookie] = PeopleRoutes.sessionCookie(token)
                return response
            } catch let error as RPCError {
                var response = Self.signInPage(id: form["id"] ?? "", next: form["tiep"], message: error.message, ways: ways,
                                               status: ProblemDocument.status(for: error.code))
                if let wait = ProblemDocument.retryAfter(error) { response.headers[.retryAfter] = wait }
                return response
            }
        }
        http.post("/dang-xuat") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            let form = try await PortalForm.fields(request)
            guard let visitor = context.visitor, visitor.accepts(form) else { return PortalForm.forged() }
            let session = visitor.session
            // A session that began at the national identity's provider also ends there.
            let providerSignOut = try? await identity?.signOutURL(forSession: visitor.token)
            try await sessions.revoke(visitor.token)
            if let providerSignOut { return NationalIdentityPages.signedOut(leavingFor: providerSignOut) }
            // Officers go back to their own sign-in page; citizens to the portal's home.
            var response: Response
            if case .officer = session.identity {
                response = PortalForm.redirect("/can-bo/dang-nhap")
            } else {
                response = PortalForm.redirect("/")
            }
            response.headers[.setCookie] = PeopleRoutes.clearedSessionCookie
            return response
        }
        http.get("/ho-so-cua-toi") { request, context -> Response in
            guard let visitor = context.visitor, case .citizen(let id) = visitor.identity else {
                return PortalForm.redirect("/dang-nhap")
            }
            let list: DossierV1.ListDossiersResponse
            do {
                list = try await gateway.call(GatewayV1.DossierService.listDossiers, DossierV1.ListDossiersRequest(), as: visitor.caller)
            } catch {
                return PortalPage.response(title: "Hồ sơ của tôi", body: "<h1>Hồ sơ của tôi</h1><p role=\"alert\">Chưa xem được danh sách hồ sơ; vui lòng thử lại sau.</p>",
                                           status: .serviceUnavailable)
            }
            let e = PortalPage.escape
            let rows = list.dossiers.map { dossier in
                """
                <tr><td><a href="/ho-so/\(e(dossier.id))">\(e(dossier.receiptCode.isEmpty ? "Chưa tiếp nhận" : dossier.receiptCode))</a></td>\
                <td>\(e(dossier.procedureCode))</td><td>\(e(OneStopNames.state(dossier.state)))</td><td>\(e(PortalFormat.dateTime(dossier.appointmentAtUnixMs)))</td></tr>
                """
            }.joined()
            return PortalPage.response(title: "Hồ sơ của tôi", body: """
                <h1>Hồ sơ của tôi</h1>
                <p>Công dân: \(e(id)) · <a href="/hop-thu">Hộp thư</a> · <a href="/ho-so-nhap">Hồ sơ nháp</a> · <a href="\(AccessLogPage.path)">\(AccessLogPage.title)</a> · <a href="/tai-khoan">Tài khoản</a></p>
                \(rows.isEmpty ? "<p>Chưa có hồ sơ nào. <a href=\"/\">Tìm thủ tục để nộp</a></p>" : "<table><tr><th>Mã hồ sơ</th><th>Thủ tục</th><th>Trạng thái</th><th>Hẹn trả kết quả</th></tr>\(rows)</table>")
                <form method="post" action="/dang-xuat"><input type="hidden" name="csrf_token" value="\(e(visitor.csrfToken))"><button type="submit">Đăng xuất</button></form>
                """)
        }
    }

    // MARK: Pages

    static func registrationPage(values: [String: String], errors: [String: String], ways: SignInWays,
                                 status: HTTPResponse.Status = .ok) -> Response {
        let general = errors["form"].map { "<p class=\"error\" role=\"alert\">\(PortalPage.escape($0))</p>" } ?? ""
        return PortalPage.response(title: "Đăng ký tài khoản", body: """
            <h1>Đăng ký tài khoản công dân</h1>
            \(ways.nationalIdentity ? "<p>Có tài khoản định danh điện tử (VNeID)? Không cần đăng ký: <a href=\"/dang-nhap/vneid\">đăng nhập bằng VNeID</a>.</p>" : "")
            \(general)
            <form method="post" action="/dang-ky">
            \(PortalForm.field("id", "Số định danh cá nhân (12 chữ số)", value: values["id"] ?? "", error: errors["id"], attributes: "inputmode=\"numeric\" required"))
            \(PortalForm.field("full_name", "Họ và tên", value: values["full_name"] ?? "", error: errors["full_name"], attributes: "required"))
            \(PortalForm.field("email", "Thư điện tử (không bắt buộc)", type: "email", value: values["email"] ?? "", error: errors["email"]))
            \(PortalForm.field("phone", "Số điện thoại (không bắt buộc)", type: "tel", value: values["phone"] ?? "", error: errors["phone"]))
            \(PortalForm.field("password", "Mật khẩu (ít nhất 10 ký tự)", type: "password", error: errors["password"], attributes: "required"))
            <button type="submit">Đăng ký</button>
            </form>
            <p>Đã có tài khoản? <a href="/dang-nhap">Đăng nhập</a></p>
            """, status: status)
    }

    static func signInPage(id: String, next: String?, message: String?, ways: SignInWays,
                           status: HTTPResponse.Status = .ok) -> Response {
        let note = message.map { "<p role=\"alert\">\(PortalPage.escape($0))</p>" } ?? ""
        let national = ways.nationalIdentity ? NationalIdentityPages.signInLink(next: next) : ""
        guard ways.passwords else {
            return PortalPage.response(title: "Đăng nhập", body: "<h1>Đăng nhập</h1>\(note)\(national)", status: status)
        }
        return PortalPage.response(title: "Đăng nhập", body: """
            <h1>Đăng nhập</h1>
            \(note)
            \(national)
            \(ways.nationalIdentity ? "<h2>Hoặc bằng mật khẩu của cổng</h2>" : "")
            <form method="post" action="/dang-nhap">
            \(PortalForm.returnPathInput(next))
            \(PortalForm.field("id", "Số định danh cá nhân", value: id, error: nil, attributes: "inputmode=\"numeric\" required"))
            \(PortalForm.field("password", "Mật khẩu", type: "password", error: nil, attributes: "required"))
            <button type="submit">Đăng nhập</button>
            </form>
            <p>Chưa có tài khoản? <a href="/dang-ky">Đăng ký</a></p>
            """, status: status)
    }
}

/// The ways a citizen can sign in on this gateway.
struct SignInWays: Sendable {
    var passwords: Bool
    var nationalIdentity: Bool
}

extension AccountPages {
    /// Registration or password sign-in asked for while `local_passwords=off`.
    static func passwordsOffPage(_ ways: SignInWays, status: HTTPResponse.Status = .ok) -> Response {
        PortalPage.response(title: "Đăng nhập bằng VNeID", body: """
            <h1>Đăng nhập bằng tài khoản định danh điện tử</h1>
            <p class="error" role="alert">\(PortalPage.escape(CitizenAccounts.localPasswordsOffMessage))</p>
            \(ways.nationalIdentity ? NationalIdentityPages.signInLink(next: nil) : "")
            """, status: status)
    }
}
