import DVCProto
import Foundation
import GatewayDoor
import Hummingbird
import RPCCore

/// `/can-bo/quan-tri`: the agency administrator's page "Quản lý cán bộ" — a form to add an
/// officer to the agency (`POST /can-bo/quan-tri`: sign-in name, full name, roles, first
/// password), every officer of the agency with their roles and state, and per officer a form to change roles, disable or enable
/// (offboarding), reset the password, end every session, and a link to the account's events.
/// Each POST carries the session's CSRF token and comes from this site; the change is
/// `OfficerAccounts`' (audited, sessions ended in the same transaction).
struct ConsoleOfficerAdmin: Sendable {
    let officers: OfficerAccounts
    /// The agency's API keys, on the same page.
    let keys: ConsoleAPIKeys

    func add(to router: Router<GatewayRequestContext>) {
        keys.add(to: router) { officer, flash, failure, status in
            await page(officer, flash: flash, failure: failure, status: status)
        }
        router.get("/can-bo/quan-tri") { request, context -> Response in
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/quan-tri", officer: true)
            }
            let query = FormData.parse(request.uri.query)
            let flash = query["them"].map { "Đã thêm cán bộ \($0)." } ?? query["xong"].map { _ in "Đã lưu thay đổi." }
            return await page(officer, flash: flash, failure: nil)
        }
        router.post("/can-bo/quan-tri") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/quan-tri", officer: true)
            }
            let form = try await PortalForm.fields(request)
            guard officer.visitor.accepts(form) else { return PortalForm.forged() }
            let id = (form["id"] ?? "").trimmingCharacters(in: .whitespaces)
            let roles = Set(OfficerAccounts.roles.filter { form["vai_tro_\($0)"] == "1" })
            do {
                _ = try await officers.create(id: id, agencyCode: officer.agency, roles: roles, fullName: form["full_name"] ?? "",
                                              password: form["password"] ?? "", createdBy: officer.visitor.identity,
                                              client: context.client)
                return PortalForm.redirect("/can-bo/quan-tri?them=\(PortalRoutes.formEncode(id))#can-bo-\(ConsolePage.pathSegment(id))")
            } catch let error as RPCError {
                let fields = error.violations.map { "\(Self.fieldNames[$0.field] ?? $0.field): \($0.description)" }
                let text = ([error.message] + fields).joined(separator: " ")
                var kept = form
                kept["password"] = nil
                return await page(officer, flash: nil, failure: "Chưa thêm được cán bộ. \(text)", adding: kept,
                                  status: ProblemDocument.status(for: error.code))
            }
        }
        router.post("/can-bo/quan-tri/:id") { request, context -> Response in
            guard PortalForm.sameOrigin(request) else { return PortalForm.crossSite() }
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo/quan-tri", officer: true)
            }
            let form = try await PortalForm.fields(request)
            guard officer.visitor.accepts(form) else { return PortalForm.forged() }
            let id = context.parameters.get("id") ?? ""
            let admin = officer.visitor.identity
            do {
                switch form["viec"] ?? "" {
                case "vai-tro":
                    let roles = Set(OfficerAccounts.roles.filter { form["vai_tro_\($0)"] == "1" })
                    _ = try await officers.setRoles(id: id, roles: roles, by: admin, client: context.client)
                case "khoa":
                    _ = try await officers.setDisabled(id: id, true, by: admin, client: context.client)
                case "mo-khoa":
                    _ = try await officers.setDisabled(id: id, false, by: admin, client: context.client)
                case "dat-lai-mat-khau":
                    _ = try await officers.resetPassword(id: id, to: form["mat_khau"] ?? "", by: admin, client: context.client)
                case "ket-thuc-phien":
                    _ = try await officers.revokeSessions(id: id, by: admin, client: context.client)
                default:
                    throw RPCError.invalidArgument(field: "viec", "Không rõ việc cần làm.")
                }
                // An administrator who changed their own account has ended their own session too.
                return PortalForm.redirect(id == officer.id ? "/can-bo/dang-nhap" : "/can-bo/quan-tri?xong=1")
            } catch let error as RPCError {
                let text = error.violations.first?.description ?? error.message
                return await page(officer, flash: nil, failure: "\(id): \(text)", status: ProblemDocument.status(for: error.code))
            }
        }
    }

    /// The form's labels for the fields `OfficerAccounts.create` names.
    static let fieldNames = ["id": "Tên đăng nhập", "full_name": "Họ và tên", "roles": "Vai trò", "password": "Mật khẩu",
                             "agency_code": "Cơ quan"]

    /// The form adding an officer, with what was typed when it was refused (never the password).
    static func addForm(_ officer: ConsoleOfficer, kept: [String: String]) -> String {
        let e = PortalPage.escape
        let boxes = OfficerAccounts.roles.sorted().map { role in
            "<label><input type=\"checkbox\" name=\"vai_tro_\(role)\" value=\"1\"\(kept["vai_tro_\(role)"] == "1" ? " checked" : "")> \(e(role))</label>"
        }.joined(separator: " ")
        return """
            <section class="action" id="them-can-bo"><h2>Thêm cán bộ</h2>
            <form method="post" action="/can-bo/quan-tri">\(officer.visitor.csrfInput)
            <p><label for="new-id">Tên đăng nhập (chữ thường, số, dấu chấm, gạch)</label><br>
            <input type="text" id="new-id" name="id" value="\(e(kept["id"] ?? ""))" required maxlength="64" autocomplete="off"></p>
            <p><label for="new-name">Họ và tên</label><br>
            <input type="text" id="new-name" name="full_name" value="\(e(kept["full_name"] ?? ""))" required maxlength="100"></p>
            <fieldset><legend>Vai trò</legend>\(boxes)</fieldset>
            <p><label for="new-password">Mật khẩu ban đầu (12–128 ký tự, báo riêng cho cán bộ)</label><br>
            <input type="password" id="new-password" name="password" autocomplete="new-password" required></p>
            <button type="submit">Thêm cán bộ</button>
            </form></section>
            """
    }

    private func page(_ officer: ConsoleOfficer, flash: String?, failure: String?, adding: [String: String] = [:],
                      status: HTTPResponse.Status = .ok) async -> Response {
        let listed: [OfficerAccounts.Listed]
        do {
            listed = try await officers.list(agency: officer.agency, by: officer.visitor.identity)
        } catch let error as RPCError where error.code == .permissionDenied {
            return ConsolePage.response(officer, title: "Quản lý cán bộ",
                                        body: "<h1>Quản lý cán bộ</h1><p class=\"alert\" role=\"alert\">Chỉ quản trị viên của cơ quan xem được trang này.</p>",
                                        status: .forbidden)
        } catch {
            return ConsolePage.unavailable(officer, title: "Quản lý cán bộ")
        }
        let e = PortalPage.escape
        let rows = listed.map { item in
            let action = "/can-bo/quan-tri/\(ConsolePage.pathSegment(item.officer.id))"
            let boxes = OfficerAccounts.roles.sorted().map { role in
                "<label><input type=\"checkbox\" name=\"vai_tro_\(role)\" value=\"1\"\(item.officer.roles.contains(role) ? " checked" : "")> \(e(role))</label>"
            }.joined(separator: " ")
            func button(_ work: String, _ label: String) -> String {
                "<form method=\"post\" action=\"\(e(action))\">\(officer.visitor.csrfInput)<input type=\"hidden\" name=\"viec\" value=\"\(work)\"><button type=\"submit\">\(label)</button></form>"
            }
            return """
                <section class="action" id="can-bo-\(e(item.officer.id))"><h2>\(e(item.officer.fullName)) (\(e(item.officer.id)))\(item.disabled ? " — <span class=\"overdue\">đã khóa</span>" : "")</h2>
                <form method="post" action="\(e(action))">\(officer.visitor.csrfInput)<input type="hidden" name="viec" value="vai-tro">
                <fieldset><legend>Vai trò</legend>\(boxes)</fieldset><button type="submit">Lưu vai trò</button></form>
                \(item.disabled ? button("mo-khoa", "Mở khóa tài khoản") : button("khoa", "Khóa tài khoản (nghỉ việc, chuyển công tác)"))
                \(button("ket-thuc-phien", "Kết thúc mọi phiên đăng nhập"))
                <form method="post" action="\(e(action))">\(officer.visitor.csrfInput)<input type="hidden" name="viec" value="dat-lai-mat-khau">
                <label for="mk-\(e(item.officer.id))">Mật khẩu mới (12–128 ký tự)</label>
                <input type="password" id="mk-\(e(item.officer.id))" name="mat_khau" autocomplete="new-password" required>
                <button type="submit">Đặt lại mật khẩu</button></form>
                </section>
                """
        }.joined(separator: "\n")
        let note = flash.map { "<p class=\"flash\" role=\"status\">\(e($0))</p>" } ?? ""
        let alert = failure.map { "<p class=\"alert\" role=\"alert\">\(e($0))</p>" } ?? ""
        let keySection = await keys.section(officer) ?? ""
        return ConsolePage.response(officer, title: "Quản lý cán bộ", body: """
            <h1>Quản lý cán bộ — \(e(officer.agency))</h1>
            <p>Mọi thay đổi được ghi nhật ký và kết thúc ngay các phiên đăng nhập của cán bộ đó.</p>
            \(note)\(alert)
            \(Self.addForm(officer, kept: adding))
            \(rows)
            \(keySection)
            """, status: status)
    }
}
