import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import RPCCore

/// "Ai đã xem hồ sơ của tôi" (`/ai-da-xem-ho-so`): every read of the signed-in citizen's
/// dossiers, files and payments by an officer or an agency system, newest first — who, when,
/// at which agency, through which API key, and why (the method called), from the gateway's
/// `ListAccessLog` (dossier-svc's append-only access log). The citizen's own reads are not in it.
struct AccessLogPage: GatewayRoutes {
    static let path = "/ai-da-xem-ho-so"
    static let title = "Ai đã xem hồ sơ của tôi"

    let gateway: GatewayClient
    let directory: AgencyDirectory

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/ai-da-xem-ho-so") { request, context -> Response in
            guard let visitor = context.visitor, visitor.citizenID != nil else {
                return PortalForm.signIn(returningTo: Self.path)
            }
            var list = DossierV1.ListAccessLogRequest()
            list.pageSize = 50
            list.pageToken = FormData.parse(request.uri.query)["trang"] ?? ""
            let log: DossierV1.ListAccessLogResponse
            do {
                log = try await gateway.call(GatewayV1.DossierService.listAccessLog, list, as: visitor.caller)
            } catch let error as RPCError {
                return PortalPage.response(title: Self.title, body: "<h1>\(Self.title)</h1><p class=\"error\" role=\"alert\">\(PortalPage.escape(PortalMessages.refusal(error)))</p>",
                                           status: .serviceUnavailable)
            }
            // Agency names are a courtesy: the codes are shown when the catalog is away.
            let names = Dictionary((try? await directory.agencies())?.map { ($0.agency.code, $0.agency.name) } ?? [],
                                   uniquingKeysWith: { first, _ in first })
            return PortalPage.response(title: Self.title, body: Self.html(log, agencyNames: names))
        }
    }

    static func html(_ log: DossierV1.ListAccessLogResponse, agencyNames: [String: String]) -> String {
        let e = PortalPage.escape
        let rows = log.entries.map { entry in
            let agency = agencyNames[entry.agencyCode].map { "\($0) (\(entry.agencyCode))" } ?? entry.agencyCode
            let file = entry.fileName.isEmpty ? "" : "<br><small>Tệp: \(e(entry.fileName))</small>"
            let dossier = entry.receiptCode.isEmpty ? "Chưa tiếp nhận" : entry.receiptCode
            return """
                <tr class="access"><td>\(e(PortalFormat.dateTime(entry.atUnixMs)))</td>\
                <td>\(e(reader(entry.reader)))</td><td>\(e(agency))</td>\
                <td>\(entry.apiKeyId.isEmpty ? "—" : "<code>\(e(entry.apiKeyId))</code>")</td>\
                <td>\(e(purpose(entry.method)))<br><small><code>\(e(entry.method))</code></small>\(file)</td>\
                <td><a href="/ho-so/\(e(entry.dossierId))">\(e(dossier))</a></td></tr>
                """
        }.joined()
        let more = log.nextPageToken.isEmpty ? "" : "<p><a href=\"\(path)?trang=\(e(PortalRoutes.formEncode(log.nextPageToken)))\">Cũ hơn</a></p>"
        let table = rows.isEmpty
            ? "<p>Chưa có cán bộ hay hệ thống nào của cơ quan xem hồ sơ của bạn.</p>"
            : "<table class=\"access-log\"><tr><th>Thời điểm</th><th>Người xem</th><th>Cơ quan</th><th>Khóa API</th><th>Việc đã làm</th><th>Hồ sơ</th></tr>\(rows)</table>"
        return """
            <h1>\(title)</h1>
            <p>Mỗi lần cán bộ hoặc hệ thống phần mềm của cơ quan nhà nước xem hồ sơ, tệp đính kèm hay khoản thanh toán của bạn đều được ghi lại ở đây và không thể sửa hay xóa. Những lần chính bạn xem không được ghi.</p>
            \(table)
            \(more)
            <p><a href="/ho-so-cua-toi">← Hồ sơ của tôi</a></p>
            """
    }

    /// "Cán bộ an.nguyen", "Hệ thống phần mềm của cơ quan".
    static func reader(_ name: String) -> String {
        if name.hasPrefix("officer:") { return "Cán bộ \(name.dropFirst("officer:".count))" }
        if name.hasPrefix("agency-system:") { return "Hệ thống phần mềm của cơ quan" }
        return name
    }

    /// The method called, in the citizen's words.
    static func purpose(_ method: String) -> String {
        switch method.split(separator: "/").last.map(String.init) ?? method {
        case "GetDossier": "Xem hồ sơ"
        case "GetHistory": "Xem quá trình xử lý hồ sơ"
        case "ListDossiers": "Xem danh sách hồ sơ"
        case "GetFile": "Tải tệp của hồ sơ"
        case "GetDocumentRendition": "Tải bản PDF giấy tờ của hồ sơ"
        case "GetPayment", "ListPayments": "Xem khoản thanh toán"
        case "GetReceipt": "Xem biên lai thanh toán"
        default: "Đọc dữ liệu hồ sơ"
        }
    }
}
