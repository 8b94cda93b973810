import DVCProto
import Foundation
import GatewayDoor
import Hummingbird
import OneStop
import RPCCore

/// `/can-bo`: the desk's work queue for the day, the officer's agency's dossiers.
///
/// - Tabs by state with the number of the agency's dossiers in each (`trang_thai`), and "Giao
///   cho tôi" (`nguoi_xu_ly` = the officer). A processor's unfiltered queue starts with the
///   dossiers assigned to them ("Hồ sơ được giao cho bạn"), then the agency's.
/// - Search (`q`) by receipt code (or its beginning), the applicant's 12-digit identity
///   number, or words of the applicant's name (diacritics optional).
/// - Columns: receipt code, applicant, procedure, submitted, due (hẹn trả) with "Sắp đến hạn"
///   and "Quá hạn" marked, state, who holds it, the agency it is at; dates as dd/MM/yyyy.
/// - Order (`sap_xep`): due date soonest first (default), newest submitted, oldest submitted.
/// - Due filter (`han=sap-den-han` within 48 hours, about two working days; `han=qua-han`).
/// - 20 to a page with "Trang sau"; an administrator or approver assigns from the list.
///
/// The agency is always the session's: the query has no agency parameter to tamper with, and
/// the gateway's ListDossiers would refuse another agency anyway.
struct ConsoleQueue: Sendable {
    let gateway: GatewayClient
    let officers: OfficerAccounts

    static let pageSize: UInt32 = 20
    /// "Sắp đến hạn": due within two working days, approximated as 48 hours of wall time.
    static let dueSoonWindowMs: Int64 = 48 * 3_600_000

    static let orders: [(value: String, order: DossierV1.QueueOrder, label: String)] = [
        ("han", .appointment, "Hạn trả gần nhất"),
        ("moi-nhat", .submittedNewest, "Nộp mới nhất"),
        ("cu-nhat", .submittedOldest, "Nộp sớm nhất"),
    ]

    /// The filters as typed in the query; unknown values count as "no filter" and are shown so.
    struct Filters {
        var state: DossierV1.DossierState = .unspecified
        var assignee = ""
        /// "", "sap-den-han" or "qua-han".
        var due = ""
        var search = ""
        var order = "han"
        var pageToken = ""
        /// A processor's unfiltered first page: their own dossiers come first.
        var showsMineFirst = false

        init(_ query: [String: String], officer: ConsoleOfficer) {
            if let raw = query["trang_thai"].flatMap(Int32.init), (1...10).contains(raw) {
                state = DossierV1.DossierState(rawValue: raw)
            }
            assignee = String((query["nguoi_xu_ly"] ?? "").trimmingCharacters(in: .whitespaces).prefix(64))
            if let due = query["han"], due == "sap-den-han" || due == "qua-han" { self.due = due }
            search = String((query["q"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines).prefix(100))
            if let order = query["sap_xep"], ConsoleQueue.orders.contains(where: { $0.value == order }) { self.order = order }
            pageToken = String((query["trang"] ?? "").prefix(512))
            let filtering = ["trang_thai", "nguoi_xu_ly", "han", "q", "trang"].contains { !(query[$0] ?? "").isEmpty }
            showsMineFirst = !filtering && officer.roles.contains(.processor)
        }

        var queueOrder: DossierV1.QueueOrder { ConsoleQueue.orders.first { $0.value == order }?.order ?? .appointment }

        /// The query string of these filters (without the page), for links; `state` replaced
        /// when given (the tabs).
        func query(state: DossierV1.DossierState? = nil, assignee: String? = nil, order: String? = nil) -> String {
            var parts: [String] = []
            let state = state ?? self.state
            let assignee = assignee ?? self.assignee
            if state != .unspecified { parts.append("trang_thai=\(state.rawValue)") }
            if !assignee.isEmpty { parts.append("nguoi_xu_ly=\(PortalRoutes.formEncode(assignee))") }
            if !due.isEmpty { parts.append("han=\(due)") }
            if !search.isEmpty { parts.append("q=\(PortalRoutes.formEncode(search))") }
            let order = order ?? self.order
            if order != "han" { parts.append("sap_xep=\(order)") }
            return parts.joined(separator: "&")
        }

        var query: String { query() }
    }

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/can-bo") { request, context -> Response in
            guard let officer = ConsoleOfficer.of(context) else {
                return PortalForm.signIn(returningTo: "/can-bo", officer: true)
            }
            let query = FormData.parse(request.uri.query)
            let filters = Filters(query, officer: officer)
            var list = DossierV1.ListDossiersRequest()
            list.agencyCode = officer.agency
            list.state = filters.state
            list.assignee = filters.assignee
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            if filters.due == "sap-den-han" { list.dueBeforeUnixMs = now + Self.dueSoonWindowMs }
            list.overdueOnly = filters.due == "qua-han"
            list.search = filters.search
            list.order = filters.queueOrder
            list.withStateCounts = true
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
            let assigns = !officer.roleNames.isDisjoint(with: ["admin", "approver"])
            let colleagues = assigns ? ((try? await officers.activeOfficers(agency: officer.agency)) ?? []) : []
            var more = ""
            if !found.nextPageToken.isEmpty {
                let next = [filters.query, "trang=\(PortalRoutes.formEncode(found.nextPageToken))"].filter { !$0.isEmpty }.joined(separator: "&")
                more = "<p><a href=\"/can-bo?\(PortalPage.escape(next))\" rel=\"next\">Trang sau</a></p>"
            }
            let backQuery = [filters.query, filters.pageToken.isEmpty ? "" : "trang=\(PortalRoutes.formEncode(filters.pageToken))"]
                .filter { !$0.isEmpty }.joined(separator: "&")
            let back = backQuery.isEmpty ? "/can-bo" : "/can-bo?" + backQuery
            var flash = ""
            if query["da_giao"] == "1" { flash = "<p class=\"flash\" role=\"status\">Đã phân công hồ sơ.</p>" }
            var mine = ""
            if filters.showsMineFirst {
                var own = DossierV1.ListDossiersRequest()
                own.agencyCode = officer.agency
                own.assignee = officer.id
                own.pageSize = Self.pageSize
                if let found = try? await gateway.call(GatewayV1.DossierService.listDossiers, own, as: officer.caller) {
                    let open = found.dossiers.filter { DossierStates.isOpen($0.state) }
                    let more = found.nextPageToken.isEmpty ? "" : "<p><a href=\"/can-bo?nguoi_xu_ly=\(PortalRoutes.formEncode(officer.id))\">Xem tất cả hồ sơ được giao cho bạn</a></p>"
                    mine = """
                        <section aria-labelledby="cua-toi"><h2 id="cua-toi">Hồ sơ được giao cho bạn</h2>
                        \(open.isEmpty ? "<p>Chưa có hồ sơ nào đang chờ bạn xử lý.</p>" : Self.table(open, filters: filters, nowMs: now, assign: nil))
                        \(more)</section>
                        <h2>Tất cả hồ sơ của cơ quan</h2>
                        """
                }
            }
            return ConsolePage.response(officer, title: "Hàng đợi hồ sơ", body: """
                <h1>Hàng đợi hồ sơ</h1>
                \(flash)
                \(Self.tabs(found.stateCounts, filters: filters, officer: officer))
                \(mine)
                \(Self.filterForm(filters, officer: officer))
                \(Self.table(found.dossiers, filters: filters, nowMs: now,
                             assign: assigns ? ConsoleAssign.Choices(officers: colleagues, csrf: officer.visitor.csrfInput, back: back) : nil))
                \(more)
                """)
        }
    }

    /// The tabs: every dossier of the agency, then each state with its count, then the
    /// officer's own; the current one marked `aria-current`.
    static func tabs(_ counts: [DossierV1.StateCount], filters: Filters, officer: ConsoleOfficer) -> String {
        let e = PortalPage.escape
        let total = counts.reduce(UInt64(0)) { $0 + $1.count }
        let all = filters.state == .unspecified && filters.assignee.isEmpty
        var items = ["<li><a href=\"/can-bo?\(e(filters.query(state: .unspecified, assignee: "")))\"\(all ? " aria-current=\"page\"" : "")>Tất cả (\(total))</a></li>"]
        for count in counts {
            let current = filters.state == count.state && filters.assignee.isEmpty
            items.append("<li><a href=\"/can-bo?\(e(filters.query(state: count.state, assignee: "")))\"\(current ? " aria-current=\"page\"" : "") data-state=\"\(count.state.rawValue)\">\(e(OneStopNames.state(count.state))) (\(count.count))</a></li>")
        }
        let mine = filters.assignee == officer.id && filters.state == .unspecified
        items.append("<li><a href=\"/can-bo?\(e(filters.query(state: .unspecified, assignee: officer.id)))\"\(mine ? " aria-current=\"page\"" : "")>Giao cho tôi</a></li>")
        return "<nav aria-label=\"Trạng thái hồ sơ\"><ul class=\"tabs\">\(items.joined())</ul></nav>"
    }

    static func filterForm(_ filters: Filters, officer: ConsoleOfficer) -> String {
        let e = PortalPage.escape
        let states = (Int32(1)...10).map(DossierV1.DossierState.init(rawValue:)).map { state in
            "<option value=\"\(state.rawValue)\"\(state == filters.state ? " selected" : "")>\(e(OneStopNames.state(state)))</option>"
        }.joined()
        let dues = [("", "Tất cả"), ("sap-den-han", "Sắp đến hạn (trong 2 ngày làm việc)"), ("qua-han", "Quá hạn")].map { value, label in
            "<option value=\"\(value)\"\(value == filters.due ? " selected" : "")>\(e(label))</option>"
        }.joined()
        let orders = Self.orders.map { value, _, label in
            "<option value=\"\(value)\"\(value == filters.order ? " selected" : "")>\(e(label))</option>"
        }.joined()
        return """
            <form method="get" action="/can-bo" class="filters" role="search">
            <p><label for="q">Tìm theo mã hồ sơ, tên người nộp hoặc số định danh</label><br>
            <input id="q" name="q" type="search" value="\(e(filters.search))" maxlength="100"></p>
            <p><label for="trang_thai">Trạng thái</label><br>
            <select id="trang_thai" name="trang_thai"><option value="">Tất cả</option>\(states)</select></p>
            <p><label for="nguoi_xu_ly">Người xử lý (tên đăng nhập)</label><br>
            <input id="nguoi_xu_ly" name="nguoi_xu_ly" type="text" value="\(e(filters.assignee))" placeholder="\(e(officer.id))"></p>
            <p><label for="han">Hạn xử lý</label><br><select id="han" name="han">\(dues)</select></p>
            <p><label for="sap_xep">Sắp xếp</label><br><select id="sap_xep" name="sap_xep">\(orders)</select></p>
            <button type="submit">Lọc</button>
            </form>
            """
    }

    /// "Quá hạn" for a dossier marked overdue, "Sắp đến hạn" for one still held and due within
    /// the window, "" otherwise.
    static func dueMark(_ dossier: DossierV1.Dossier, nowMs: Int64) -> String {
        if dossier.overdue { return "<span class=\"overdue\">Quá hạn</span>" }
        let held: Set<DossierV1.DossierState> = [.received, .processing, .awaitingPayment]
        if held.contains(dossier.state), dossier.appointmentAtUnixMs > 0 {
            if dossier.appointmentAtUnixMs < nowMs { return "<span class=\"overdue\">Quá hạn</span>" }
            if dossier.appointmentAtUnixMs < nowMs + dueSoonWindowMs { return "<span class=\"due-soon\">Sắp đến hạn</span>" }
        }
        return ""
    }

    /// The queue's table; each row links to the dossier. Column headers "Ngày nộp" and "Hẹn
    /// trả" link to the orders they sort by.
    static func table(_ dossiers: [DossierV1.Dossier], filters: Filters, nowMs: Int64, assign: ConsoleAssign.Choices?) -> String {
        guard !dossiers.isEmpty else {
            return filters.search.isEmpty ? "<p>Không có hồ sơ nào.</p>" : "<p>Không tìm thấy hồ sơ nào khớp với “\(PortalPage.escape(filters.search))”.</p>"
        }
        let e = PortalPage.escape
        let rows = dossiers.map { dossier in
            let code = dossier.receiptCode.isEmpty ? "Chưa tiếp nhận" : dossier.receiptCode
            let name = ApplicantName.of(dossier.formData)
            let applicant = "\(e(name.isEmpty ? "—" : name))<br><small>\(e(dossier.applicantId))</small>"
            let holder = dossier.assignee.isEmpty ? "Chưa phân công" : dossier.assignee
            let assignCell = assign.map { "<td>\(ConsoleAssign.form(dossier, choices: $0))</td>" } ?? ""
            return """
                <tr data-id="\(e(dossier.id))"><td>\(ConsolePage.dossierLink(dossier.id, text: code))</td><td>\(applicant)</td>\
                <td>\(e(dossier.procedureCode))</td><td>\(e(PortalFormat.dateTime(dossier.submittedAtUnixMs)))</td>\
                <td>\(e(PortalFormat.dateTime(dossier.appointmentAtUnixMs))) \(dueMark(dossier, nowMs: nowMs))</td>\
                <td>\(e(OneStopNames.state(dossier.state)))</td><td>\(e(holder))</td><td>\(e(ConsoleQueue.step(dossier)))</td>\(assignCell)</tr>
                """
        }.joined(separator: "\n")
        func sortLink(_ label: String, _ value: String) -> String {
            let current = filters.order == value
            return "<a href=\"/can-bo?\(e(filters.query(order: value)))\"\(current ? " aria-current=\"true\"" : "")>\(e(label))\(current ? " ▲" : "")</a>"
        }
        let submittedOrder = filters.order == "moi-nhat" ? "cu-nhat" : "moi-nhat"
        let submittedLabel = filters.order == "moi-nhat" ? "Ngày nộp ▼" : "Ngày nộp"
        return """
            <div class="table-wrap"><table>
            <tr><th scope="col">Mã hồ sơ</th><th scope="col">Người nộp</th><th scope="col">Thủ tục</th>\
            <th scope="col"><a href="/can-bo?\(e(filters.query(order: submittedOrder)))">\(e(submittedLabel))</a></th>\
            <th scope="col">\(sortLink("Hẹn trả", "han"))</th><th scope="col">Trạng thái</th><th scope="col">Người xử lý</th>\
            <th scope="col">Cơ quan đang xử lý</th>\(assign == nil ? "" : "<th scope=\"col\">Phân công</th>")</tr>
            \(rows)
            </table></div>
            """
    }

    /// The agency step a dossier is at. Today a dossier stays at the agency it was submitted
    /// to; with inter-agency steps (liên thông) this names the agency of the current step.
    static func step(_ dossier: DossierV1.Dossier) -> String { dossier.agencyCode }
}
