import DVCProto
import Foundation
import GatewayDoor
import Hummingbird
import OneStop
import RPCCore

/// `/can-bo`: the work queue of the officer's agency, the dossiers in order of their
/// appointment (those not received yet last), filtered by state (`trang_thai`), assignee
/// (`nguoi_xu_ly`) and due date (`han=sap-den-han`: appointment within the next 48 hours, about
/// two working days; `han=qua-han`: marked overdue), 20 to a page with "Trang sau".
///
/// The agency is always the session's: the query has no agency parameter to tamper with, and
/// the gateway's ListDossiers would refuse another agency anyway.
struct ConsoleQueue: Sendable {
    let gateway: GatewayClient

    static let pageSize: UInt32 = 20
    /// "Sắp đến hạn": due within two working days, approximated as 48 hours of wall time.
    static let dueSoonWindowMs: Int64 = 48 * 3_600_000

    /// The filters as typed in the query; unknown values count as "no filter" and are shown so.
    struct Filters {
        var state: DossierV1.DossierState = .unspecified
        var assignee = ""
        /// "", "sap-den-han" or "qua-han".
        var due = ""
        var pageToken = ""

        init(_ query: [String: String]) {
            if let raw = query["trang_thai"].flatMap(Int32.init), (1...10).contains(raw) {
                state = DossierV1.DossierState(rawValue: raw)
            }
            assignee = String((query["nguoi_xu_ly"] ?? "").trimmingCharacters(in: .whitespaces).prefix(64))
            if let due = query["han"], due == "sap-den-han" || due == "qua-han" { self.due = due }
            pageToken = String((query["trang"] ?? "").prefix(512))
        }

        /// The query string of these filters (without the page), for the next page's link.
        var query: String {
            var parts: [String] = []
            if state != .unspecified { parts.append("trang_thai=\(state.rawValue)") }
            if !assignee.isEmpty { parts.append("nguoi_xu_ly=\(PortalRoutes.formEncode(assignee))") }
            if !due.isEmpty { parts.append("han=\(due)") }
            return parts.joined(separator: "&")
        }
    }

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/can-bo") { request, context -> Response in
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo", officer: true)
            }
            let filters = Filters(FormData.parse(request.uri.query))
            var list = DossierV1.ListDossiersRequest()
            list.agencyCode = officer.agency
            list.state = filters.state
            list.assignee = filters.assignee
            if filters.due == "sap-den-han" {
                list.dueBeforeUnixMs = Int64(Date().timeIntervalSince1970 * 1000) + Self.dueSoonWindowMs
            }
            list.overdueOnly = filters.due == "qua-han"
            list.pageSize = Self.pageSize
            list.pageToken = filters.pageToken
            let found: DossierV1.ListDossiersResponse
            do {
                found = try await gateway.call(GatewayV1.DossierService.listDossiers, list, as: officer.caller)
            } catch let error as RPCError where error.code == .invalidArgument {
                // A page token from an old link: start again from the first page.
                return ConsolePage.response(officer, title: "Hàng đợi hồ sơ", body: """
                    <h1>Hàng đợi hồ sơ</h1>\(Self.filterForm(filters, officer: officer))
                    <p class="alert" role="alert">Liên kết trang không còn hợp lệ. <a href="/can-bo?\(PortalPage.escape(filters.query))">Về trang đầu</a></p>
                    """, status: .badRequest)
            } catch {
                return ConsolePage.unavailable(officer, title: "Hàng đợi hồ sơ")
            }
            var more = ""
            if !found.nextPageToken.isEmpty {
                let next = [filters.query, "trang=\(PortalRoutes.formEncode(found.nextPageToken))"].filter { !$0.isEmpty }.joined(separator: "&")
                more = "<p><a href=\"/can-bo?\(PortalPage.escape(next))\">Trang sau</a></p>"
            }
            return ConsolePage.response(officer, title: "Hàng đợi hồ sơ", body: """
                <h1>Hàng đợi hồ sơ</h1>
                \(Self.filterForm(filters, officer: officer))
                \(Self.table(found.dossiers))
                \(more)
                """)
        }
    }

    static func filterForm(_ filters: Filters, officer: ConsoleOfficer) -> String {
        let e = PortalPage.escape
        let states = (Int32(1)...10).map(DossierV1.DossierState.init(rawValue:)).map { state in
            "<option value=\"\(state.rawValue)\"\(state == filters.state ? " selected" : "")>\(e(OneStopNames.state(state)))</option>"
        }.joined()
        let dues = [("", "Tất cả"), ("sap-den-han", "Sắp đến hạn (trong 2 ngày làm việc)"), ("qua-han", "Quá hạn")].map { value, label in
            "<option value=\"\(value)\"\(value == filters.due ? " selected" : "")>\(e(label))</option>"
        }.joined()
        return """
            <form method="get" action="/can-bo" class="filters">
            <p><label for="trang_thai">Trạng thái</label><br>
            <select id="trang_thai" name="trang_thai"><option value="">Tất cả</option>\(states)</select></p>
            <p><label for="nguoi_xu_ly">Người xử lý (tên đăng nhập)</label><br>
            <input id="nguoi_xu_ly" name="nguoi_xu_ly" type="text" value="\(e(filters.assignee))" placeholder="\(e(officer.id))"></p>
            <p><label for="han">Hạn xử lý</label><br><select id="han" name="han">\(dues)</select></p>
            <button type="submit">Lọc</button>
            </form>
            """
    }

    /// The queue's table: receipt code (or "Chưa tiếp nhận"), procedure, state, appointment,
    /// overdue mark; each row links to the dossier.
    static func table(_ dossiers: [DossierV1.Dossier]) -> String {
        guard !dossiers.isEmpty else { return "<p>Không có hồ sơ nào.</p>" }
        let e = PortalPage.escape
        let rows = dossiers.map { dossier in
            let code = dossier.receiptCode.isEmpty ? "Chưa tiếp nhận" : dossier.receiptCode
            return """
                <tr><td>\(ConsolePage.dossierLink(dossier.id, text: code))</td><td>\(e(dossier.procedureCode))</td>\
                <td>\(e(OneStopNames.state(dossier.state)))</td><td>\(e(PortalFormat.dateTime(dossier.appointmentAtUnixMs)))</td>\
                <td>\(dossier.overdue ? "<span class=\"overdue\">Quá hạn</span>" : "")</td></tr>
                """
        }.joined(separator: "\n")
        return """
            <div class="table-wrap"><table>
            <tr><th>Mã hồ sơ</th><th>Thủ tục</th><th>Trạng thái</th><th>Hẹn trả</th><th></th></tr>
            \(rows)
            </table></div>
            """
    }
}
