import DVCProto
import Foundation
import HTTPTypes
import Logging
import Hummingbird
import NIOCore
import RPCCore

/// The portal's pages for people's accounts, as plain HTML forms (no JavaScript needed):
/// registration with each error next to its field, sign-in (a browser session cookie), sign-out
/// (a form carrying the session's CSRF token), and "Hồ sơ của tôi", the citizen's dossiers.
///
/// Cross-site requests: every POST must come from this site (`Origin`, else `Sec-Fetch-Site`,
/// is checked), which also stops login CSRF on the forms used before any session exists; forms
/// used inside a session carry its CSRF token as well.
struct AccountPages {
    let accounts: CitizenAccounts
    let sessions: SessionStore
    /// The gateway's methods, run in-process through its interceptors (the same checks).
    let router: RPCRouter

    func add(to http: Router<BasicRequestContext>) {
        http.get("/dang-ky") { _, _ in Self.registrationPage(values: [:], errors: [:]) }
        http.post("/dang-ky") { request, _ -> Response in
            guard Self.sameOrigin(request) else { return Self.crossSite() }
            let form = try await Self.form(request)
            do {
                _ = try await accounts.register(.init(id: form["id"] ?? "", password: form["password"] ?? "",
                                                      fullName: form["full_name"] ?? "", email: form["email"] ?? "",
                                                      phone: form["phone"] ?? ""))
                return Self.redirect("/dang-nhap?da_dang_ky=1")
            } catch let error as RPCError {
                var errors: [String: String] = [:]
                for violation in error.violations { errors[violation.field] = violation.description }
                if errors.isEmpty { errors["form"] = error.message }
                var values = form
                values["password"] = nil
                return Self.registrationPage(values: values, errors: errors, status: .badRequest)
            }
        }
        http.get("/dang-nhap") { request, _ -> Response in
            let registered = FormData.parse(request.uri.query)["da_dang_ky"] != nil
            return Self.signInPage(id: "", message: registered ? "Đăng ký thành công. Mời đăng nhập." : nil)
        }
        http.post("/dang-nhap") { request, _ -> Response in
            guard Self.sameOrigin(request) else { return Self.crossSite() }
            let form = try await Self.form(request)
            do {
                let citizen = try await accounts.signIn(id: form["id"] ?? "", password: form["password"] ?? "")
                // A new token at every sign-in: a session id planted before sign-in is never promoted.
                let (token, _) = try await sessions.create(for: .citizen(id: citizen.digits), kind: .browser)
                var response = Self.redirect("/ho-so-cua-toi")
                response.headers[.setCookie] = "\(PeopleRoutes.cookieName)=\(token); Path=/; HttpOnly; Secure; SameSite=Strict"
                return response
            } catch let error as RPCError {
                return Self.signInPage(id: form["id"] ?? "", message: error.message,
                                       status: error.code == .resourceExhausted ? .tooManyRequests : .unauthorized)
            }
        }
        http.post("/dang-xuat") { request, _ -> Response in
            guard Self.sameOrigin(request) else { return Self.crossSite() }
            let form = try await Self.form(request)
            if let token = PeopleRoutes.sessionToken(request), let session = try await sessions.lookup(token),
               session.acceptsCSRF(form["csrf_token"] ?? "") {
                try await sessions.revoke(token)
            } else {
                return PortalPage.response(title: "Không hợp lệ", body: "<h1>Yêu cầu không hợp lệ</h1><p>Hãy tải lại trang rồi thử lại.</p>",
                                           status: .forbidden)
            }
            var response = Self.redirect("/")
            response.headers[.setCookie] = "\(PeopleRoutes.cookieName)=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0"
            return response
        }
        // Tracking by receipt code and PIN, for anyone holding both (no sign-in).
        http.get("/tra-cuu-ho-so") { request, _ -> Response in
            let query = FormData.parse(request.uri.query)
            let code = query["ma"] ?? ""
            let pin = query["pin"] ?? ""
            let e = PortalPage.escape
            let form = """
                <form method="get" action="/tra-cuu-ho-so">
                \(Self.field("ma", "Mã hồ sơ (trên giấy tiếp nhận)", value: code, error: nil, attributes: "required"))
                \(Self.field("pin", "Mã tra cứu (8 chữ số)", type: "password", error: nil, attributes: "inputmode=\"numeric\" required"))
                <button type="submit">Tra cứu</button>
                </form>
                """
            guard !code.isEmpty, !pin.isEmpty else {
                return PortalPage.response(title: "Tra cứu hồ sơ", body: "<h1>Tra cứu hồ sơ</h1>\(form)")
            }
            var track = DossierV1.TrackDossierRequest()
            track.receiptCode = code
            track.pin = pin
            do {
                let dossier = try await call(GatewayV1.DossierService.trackDossier, track, token: nil)
                let appointment = dossier.appointmentAtUnixMs == 0 ? "—" : Self.dateTime(dossier.appointmentAtUnixMs)
                return PortalPage.response(title: "Tra cứu hồ sơ", body: """
                    <h1>Tra cứu hồ sơ</h1>\(form)
                    <table><tr><th>Mã hồ sơ</th><td>\(e(dossier.receiptCode))</td></tr>
                    <tr><th>Trạng thái</th><td>\(e(Self.stateName(dossier.state)))</td></tr>
                    <tr><th>Hẹn trả kết quả</th><td>\(e(appointment))</td></tr></table>
                    """)
            } catch let error as RPCError {
                let text = error.code == .notFound ? "Không có hồ sơ với mã và mã tra cứu này." : error.message
                return PortalPage.response(title: "Tra cứu hồ sơ", body: "<h1>Tra cứu hồ sơ</h1>\(form)<p role=\"alert\">\(e(text))</p>",
                                           status: error.code == .notFound ? .notFound : .unprocessableContent)
            }
        }
        http.get("/ho-so-cua-toi") { request, _ -> Response in
            guard let token = PeopleRoutes.sessionToken(request), let session = try await sessions.lookup(token),
                  case .citizen(let id) = session.identity else {
                return Self.redirect("/dang-nhap")
            }
            let list: DossierV1.ListDossiersResponse
            do {
                list = try await call(GatewayV1.DossierService.listDossiers, DossierV1.ListDossiersRequest(), token: token)
            } catch {
                return PortalPage.response(title: "Hồ sơ của tôi", body: "<h1>Hồ sơ của tôi</h1><p role=\"alert\">Chưa xem được danh sách hồ sơ; vui lòng thử lại sau.</p>",
                                           status: .serviceUnavailable)
            }
            let e = PortalPage.escape
            let rows = list.dossiers.map { dossier in
                "<tr><td>\(e(dossier.receiptCode.isEmpty ? "Chưa tiếp nhận" : dossier.receiptCode))</td><td>\(e(dossier.procedureCode))</td><td>\(e(Self.stateName(dossier.state)))</td></tr>"
            }.joined()
            return PortalPage.response(title: "Hồ sơ của tôi", body: """
                <h1>Hồ sơ của tôi</h1>
                <p>Công dân: \(e(id))</p>
                \(rows.isEmpty ? "<p>Chưa có hồ sơ nào.</p>" : "<table><tr><th>Mã hồ sơ</th><th>Thủ tục</th><th>Trạng thái</th></tr>\(rows)</table>")
                <form method="post" action="/dang-xuat"><input type="hidden" name="csrf_token" value="\(e(session.csrfToken))"><button type="submit">Đăng xuất</button></form>
                """)
        }
    }

    /// Runs a gateway method in-process for the session's owner.
    private func call<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, token: String?
    ) async throws -> Response {
        guard let handler = router.handler(for: method.path) else { throw RPCError(.unimplemented, method.path) }
        let context = ServerContext(method: method.path, metadata: token.map { [MetadataKey.authorization: "Bearer \($0)"] } ?? [:],
                                    deadline: ContinuousClock.now + .seconds(10), requestID: UUID().uuidString,
                                    trace: TraceContext.random(), remoteAddress: "portal", logger: .init(label: "portal"))
        guard let response = try await handler.run(request, context) as? Response else { throw RPCError(.internalError, "wrong type") }
        return response
    }

    /// "09:30, 15/12/2026" in Hà Nội time.
    static func dateTime(_ unixMs: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "vi_VN")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "HH:mm, dd/MM/yyyy"
        return formatter.string(from: Date(timeIntervalSince1970: Double(unixMs) / 1000))
    }

    static func stateName(_ state: DossierV1.DossierState) -> String {
        switch state {
        case .submitted: "Mới đăng ký"
        case .received: "Được tiếp nhận"
        case .notReceived: "Không được tiếp nhận"
        case .processing: "Đang xử lý"
        case .supplementRequested: "Yêu cầu bổ sung giấy tờ"
        case .awaitingPayment: "Chờ thực hiện nghĩa vụ tài chính"
        case .withdrawn: "Đã rút hồ sơ"
        case .stopped: "Dừng xử lý"
        case .processed: "Đã xử lý xong"
        case .resultReturned: "Đã trả kết quả"
        default: "Chưa xác định"
        }
    }

    // MARK: Forms

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

    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        return FormData.parse(String(decoding: body.readableBytesView, as: UTF8.self))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    static func field(_ name: String, _ label: String, type: String = "text", value: String = "", error: String?,
                      attributes: String = "") -> String {
        let e = PortalPage.escape
        let message = error.map { "<p class=\"error\" id=\"\(name)-error\" role=\"alert\">\(e($0))</p>" } ?? ""
        let described = error == nil ? "" : " aria-invalid=\"true\" aria-describedby=\"\(name)-error\""
        return """
            <p><label for="\(name)">\(e(label))</label><br>
            <input id="\(name)" name="\(name)" type="\(type)" value="\(e(value))"\(described) \(attributes)>
            \(message)</p>
            """
    }

    static func registrationPage(values: [String: String], errors: [String: String], status: HTTPResponse.Status = .ok) -> Response {
        let general = errors["form"].map { "<p class=\"error\" role=\"alert\">\(PortalPage.escape($0))</p>" } ?? ""
        return PortalPage.response(title: "Đăng ký tài khoản", body: """
            <h1>Đăng ký tài khoản công dân</h1>
            \(general)
            <form method="post" action="/dang-ky">
            \(field("id", "Số định danh cá nhân (12 chữ số)", value: values["id"] ?? "", error: errors["id"], attributes: "inputmode=\"numeric\" required"))
            \(field("full_name", "Họ và tên", value: values["full_name"] ?? "", error: errors["full_name"], attributes: "required"))
            \(field("email", "Thư điện tử (không bắt buộc)", type: "email", value: values["email"] ?? "", error: errors["email"]))
            \(field("phone", "Số điện thoại (không bắt buộc)", type: "tel", value: values["phone"] ?? "", error: errors["phone"]))
            \(field("password", "Mật khẩu (ít nhất 10 ký tự)", type: "password", error: errors["password"], attributes: "required"))
            <button type="submit">Đăng ký</button>
            </form>
            <p>Đã có tài khoản? <a href="/dang-nhap">Đăng nhập</a></p>
            """, status: status)
    }

    static func signInPage(id: String, message: String?, status: HTTPResponse.Status = .ok) -> Response {
        let note = message.map { "<p role=\"alert\">\(PortalPage.escape($0))</p>" } ?? ""
        return PortalPage.response(title: "Đăng nhập", body: """
            <h1>Đăng nhập</h1>
            \(note)
            <form method="post" action="/dang-nhap">
            \(field("id", "Số định danh cá nhân", value: id, error: nil, attributes: "inputmode=\"numeric\" required"))
            \(field("password", "Mật khẩu", type: "password", error: nil, attributes: "required"))
            <button type="submit">Đăng nhập</button>
            </form>
            <p>Chưa có tài khoản? <a href="/dang-ky">Đăng ký</a></p>
            """, status: status)
    }
}
