import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import RPCCore

/// `/tai-khoan`: a signed-in person's own account — change the password (every other session
/// ends), sign out everywhere else, and, for a citizen, the account's recent events (sign-ins,
/// failed ones, password changes) so they can see someone else trying. Citizens and officers
/// share the page; the change itself is `CitizenAccounts`' or `OfficerAccounts`' (audited).
struct OwnAccountPage: GatewayRoutes {
    let citizens: CitizenAccounts
    let officers: OfficerAccounts
    /// When configured, a citizen's account can be linked to the national identity here.
    let identity: NationalIdentity?

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/tai-khoan") { request, context -> Response in
            guard let visitor = context.visitor else { return PortalForm.signIn(returningTo: "/tai-khoan") }
            let done = FormData.parse(request.uri.query)["xong"]
            return await page(visitor, flash: done.map { $0 == "mat-khau" ? "Đã đổi mật khẩu; các phiên đăng nhập khác đã kết thúc." : "Đã kết thúc các phiên đăng nhập khác." },
                              failure: nil)
        }
        router.post("/tai-khoan") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let visitor = context.visitor else { return PortalForm.signIn(returningTo: "/tai-khoan") }
            let form = try await PortalForm.fields(request)
            guard visitor.accepts(form) else { return PortalForm.forged() }
            do {
                switch (form["viec"] ?? "", visitor.identity) {
                case ("doi-mat-khau", .citizen(let id)):
                    try await citizens.changePassword(of: try CitizenID(id), current: form["mat_khau_cu"] ?? "", new: form["mat_khau_moi"] ?? "",
                                                      keeping: visitor.token, client: context.client)
                    return PortalForm.redirect("/tai-khoan?xong=mat-khau")
                case ("doi-mat-khau", .officer):
                    try await officers.changeOwnPassword(of: visitor.identity, current: form["mat_khau_cu"] ?? "",
                                                         new: form["mat_khau_moi"] ?? "", keeping: visitor.token, client: context.client)
                    return PortalForm.redirect("/tai-khoan?xong=mat-khau")
                case ("ket-thuc-phien", .citizen(let id)):
                    _ = try await citizens.revokeSessions(of: try CitizenID(id), keeping: visitor.token, client: context.client)
                    return PortalForm.redirect("/tai-khoan?xong=phien")
                case ("ket-thuc-phien", .officer):
                    _ = try await officers.revokeOwnSessions(of: visitor.identity, keeping: visitor.token, client: context.client)
                    return PortalForm.redirect("/tai-khoan?xong=phien")
                default:
                    throw RPCError.invalidArgument(field: "viec", "Không rõ việc cần làm.")
                }
            } catch let error as RPCError {
                // A wrong current password reads as the sign-in's refusal; say which field.
                let text = error.code == .unauthenticated ? "Mật khẩu hiện tại không đúng." : (error.violations.first?.description ?? error.message)
                var response = await page(visitor, flash: nil, failure: text, status: ProblemDocument.status(for: error.code))
                if let wait = ProblemDocument.retryAfter(error) { response.headers[.retryAfter] = wait }
                return response
            }
        }
    }

    private func page(_ visitor: PortalVisitor, flash: String?, failure: String?, status: HTTPResponse.Status = .ok) async -> Response {
        let e = PortalPage.escape
        var history = ""
        if let id = visitor.citizenID, let citizen = try? CitizenID(id), let events = try? await citizens.events(of: citizen, limit: 20) {
            let rows = events.map { event in
                "<tr><td>\(e(PortalFormat.dateTime(event.atMs)))</td><td>\(e(Self.kindName(event.kind)))</td><td>\(e(event.client))</td></tr>"
            }.joined()
            history = """
                <h2>Hoạt động gần đây của tài khoản</h2>
                <p>Nếu thấy lần đăng nhập không phải của bạn, hãy đổi mật khẩu ngay.</p>
                <div class="table-wrap"><table><tr><th>Thời điểm</th><th>Sự kiện</th><th>Địa chỉ mạng</th></tr>\(rows)</table></div>
                """
        }
        let note = flash.map { "<p class=\"flash\" role=\"status\">\(e($0))</p>" } ?? ""
        let alert = failure.map { "<p class=\"error\" role=\"alert\">\(e($0))</p>" } ?? ""
        let minimum = visitor.officer == nil ? 10 : 12
        // Citizens have no password of the portal's own while local passwords are off.
        let passwords = visitor.officer != nil || citizens.localPasswords
        let passwordForm = !passwords ? "" : """
            <h2>Đổi mật khẩu</h2>
            <form method="post" action="/tai-khoan">\(visitor.csrfInput)<input type="hidden" name="viec" value="doi-mat-khau">
            \(PortalForm.field("mat_khau_cu", "Mật khẩu hiện tại", type: "password", error: nil, attributes: "autocomplete=\"current-password\" required"))
            \(PortalForm.field("mat_khau_moi", "Mật khẩu mới (ít nhất \(minimum) ký tự)", type: "password", error: nil, attributes: "autocomplete=\"new-password\" required"))
            <button type="submit">Đổi mật khẩu</button></form>
            """
        var national = ""
        if let identity, let id = visitor.citizenID, let citizen = try? CitizenID(id) {
            national = (try? await identity.isLinked(citizen)) == true
                ? "<h2>Tài khoản định danh điện tử</h2><p id=\"vneid-trang-thai\">Tài khoản đã liên kết với VNeID.</p>"
                : """
                  <h2>Tài khoản định danh điện tử</h2><p id="vneid-trang-thai">Chưa liên kết với VNeID. Sau khi liên kết, bạn đăng nhập bằng VNeID;
                  chỉ liên kết được với tài khoản VNeID có đúng số định danh \(e(id)).</p>
                  <p><a class="button" id="lien-ket-vneid" href="/tai-khoan/lien-ket-vneid">Liên kết VNeID</a></p>
                  """
        }
        var response = PortalPage.response(title: "Tài khoản của tôi", body: """
            <h1>Tài khoản của tôi</h1>
            \(note)\(alert)
            \(passwordForm)
            \(national)
            <h2>Phiên đăng nhập</h2>
            <form method="post" action="/tai-khoan">\(visitor.csrfInput)<input type="hidden" name="viec" value="ket-thuc-phien">
            <button type="submit">Đăng xuất khỏi mọi thiết bị khác</button></form>
            \(history)
            """, status: status)
        response.headers[.cacheControl] = "private, no-store"
        return response
    }

    static func kindName(_ kind: String) -> String {
        switch AccountAudit.Kind(rawValue: kind) {
        case .signIn: "Đăng nhập"
        case .signInFailed: "Đăng nhập sai mật khẩu"
        case .signInRefused: "Đăng nhập bị chặn (thử quá nhiều lần)"
        case .registered: "Đăng ký tài khoản"
        case .registrationRepeated: "Có người đăng ký lại số định danh này"
        case .passwordChanged: "Đổi mật khẩu"
        case .passwordReset: "Đặt lại mật khẩu"
        case .sessionsRevoked: "Kết thúc các phiên đăng nhập"
        case .nationalIdentityLinked: "Liên kết với tài khoản định danh điện tử (VNeID)"
        default: kind
        }
    }
}
