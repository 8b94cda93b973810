import DVCProto
import Foundation
import GatewayDoor
import Hummingbird
import RPCCore

/// The section "Khóa API của hệ thống cơ quan" of the administrator's page `/can-bo/quan-tri`:
/// the agency's API keys (never a secret), a form making another key (rotation), and per live
/// key a form revoking it. Every read and change goes through `dvc.gateway.v1.AgencyService`
/// in-process as the signed-in officer, so the page can do exactly what the API lets the
/// administrator do (the ceiling on scopes, another agency's key NOT_FOUND, the audit).
///
/// `POST /can-bo/khoa-api` (`pham_vi_citizens`, `pham_vi_officers`, `nhan`, `csrf_token`) shows
/// the page again with the new token, once; `POST /can-bo/khoa-api/{id}/thu-hoi` revokes and
/// returns to the page.
struct ConsoleAPIKeys: Sendable {
    let gateway: GatewayClient

    static let scopeLabels: [(scope: String, label: String)] = [
        ("citizens", "citizens — nộp và theo dõi hồ sơ thay công dân mà hệ thống đã xác thực"),
        ("officers", "officers — thực hiện bước xử lý thay cán bộ của cơ quan"),
    ]

    /// The section, or nil for an officer who may not see it (not an administrator).
    func section(_ officer: ConsoleOfficer) async -> String? {
        let keys: [GatewayV1.ApiKeyInfo]
        do {
            keys = try await gateway.call(GatewayV1.AgencyService.listApiKeys, GatewayV1.ListApiKeysRequest(), as: officer.caller).keys
        } catch {
            return nil
        }
        let e = PortalPage.escape
        let rows = keys.map { key in
            let state = key.revokedAtUnixMs > 0
                ? "đã thu hồi \(PortalFormat.dateTime(key.revokedAtUnixMs)) bởi \(e(key.revokedBy))"
                : "đang dùng"
            let revoke = key.revokedAtUnixMs > 0 ? "" : """
                <form method="post" action="/can-bo/khoa-api/\(e(ConsolePage.pathSegment(key.id)))/thu-hoi">\(officer.visitor.csrfInput)<button type="submit">Thu hồi</button></form>
                """
            return """
                <tr><td><code>\(e(key.id))</code></td><td>\(e(key.scopes.isEmpty ? "—" : key.scopes.joined(separator: ", ")))</td>\
                <td>\(e(key.label))</td><td>\(PortalFormat.dateTime(key.createdAtUnixMs)) bởi \(e(key.createdBy))</td><td>\(state)</td><td>\(revoke)</td></tr>
                """
        }.joined(separator: "\n")
        let boxes = Self.scopeLabels.map { item in
            "<label><input type=\"checkbox\" name=\"pham_vi_\(item.scope)\" value=\"1\"> \(e(item.label))</label>"
        }.joined(separator: "<br>")
        return """
            <section class="action" id="khoa-api"><h2>Khóa API của hệ thống cơ quan</h2>
            <p>Đổi khóa: tạo khóa mới với cùng phạm vi, chuyển hệ thống sang khóa mới, rồi thu hồi khóa cũ. \
            Khóa mới không được có phạm vi rộng hơn các khóa đang dùng; mã bí mật chỉ hiện một lần.</p>
            <table><thead><tr><th>Mã khóa</th><th>Phạm vi</th><th>Tên gợi nhớ</th><th>Tạo</th><th>Trạng thái</th><th><span class="visually-hidden">Thu hồi</span></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            <form method="post" action="/can-bo/khoa-api">\(officer.visitor.csrfInput)
            <fieldset><legend>Phạm vi của khóa mới</legend>\(boxes)</fieldset>
            <p><label for="khoa-nhan">Tên gợi nhớ</label><br><input type="text" id="khoa-nhan" name="nhan" maxlength="200"></p>
            <button type="submit">Tạo khóa mới</button></form>
            </section>
            """
    }

    func add(to router: Router<GatewayRequestContext>, page: @escaping @Sendable (ConsoleOfficer, String?, String?, HTTPResponse.Status) async -> Response) {
        router.post("/can-bo/khoa-api") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/quan-tri", officer: true)
            }
            let form = try await PortalForm.fields(request)
            guard officer.visitor.accepts(form) else { return PortalForm.forged() }
            var create = GatewayV1.CreateApiKeyRequest()
            create.scopes = Self.scopeLabels.map(\.scope).filter { form["pham_vi_\($0)"] == "1" }
            create.label = form["nhan"] ?? ""
            do {
                let made = try await gateway.call(GatewayV1.AgencyService.createApiKey, create, as: officer.caller)
                return await page(officer, "Đã tạo khóa \(made.key?.id ?? ""). Chép ngay — mã này chỉ hiện một lần: \(made.authorization)",
                                  nil, .ok)
            } catch let error as RPCError {
                let text = error.violations.first.map { "\($0.field): \($0.description)" } ?? ""
                return await page(officer, nil, "Chưa tạo được khóa. \(error.message) \(text)", ProblemDocument.status(for: error.code))
            }
        }
        router.post("/can-bo/khoa-api/:id/thu-hoi") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/quan-tri", officer: true)
            }
            let form = try await PortalForm.fields(request)
            guard officer.visitor.accepts(form) else { return PortalForm.forged() }
            var revoke = GatewayV1.RevokeApiKeyRequest()
            revoke.id = context.parameters.get("id") ?? ""
            do {
                _ = try await gateway.call(GatewayV1.AgencyService.revokeApiKey, revoke, as: officer.caller)
                return PortalForm.redirect("/can-bo/quan-tri?xong=1#khoa-api")
            } catch let error as RPCError {
                return await page(officer, nil, "\(revoke.id): \(error.message)", ProblemDocument.status(for: error.code))
            }
        }
    }
}
