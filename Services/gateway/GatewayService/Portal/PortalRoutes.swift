import DVCProto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RPCCore

/// The public pages of the portal, server-rendered in Vietnamese: the home page with the
/// search, the search results (Vietnamese folding: "dang ky khai sinh" finds "Đăng ký khai
/// sinh"), and a procedure's page with its steps, documents, time limit, fees, legal basis and
/// the level each agency offers it at, with what that level lets a citizen do online.
struct PortalRoutes: GatewayRoutes {
    let catalog: any RPCClientProtocol

    private var read: CallOptions { CallOptions(timeout: .seconds(10), idempotent: true) }

    func add(to router: Router<BasicRequestContext>) {
        router.get("/") { _, _ -> Response in
            PortalPage.response(title: "Trang chủ", body: """
                <h1>Tra cứu thủ tục hành chính</h1>
                \(Self.searchForm(query: ""))
                <p>Gõ tên thủ tục, có dấu hay không dấu đều được (ví dụ: <i>dang ky khai sinh</i>).</p>
                """)
        }
        router.get("/thu-tuc") { request, _ -> Response in
            let form = FormData.parse(request.uri.query)
            let query = form["q"] ?? ""
            var search = CatalogV1.SearchProceduresRequest()
            search.query = String(query.prefix(256))
            search.minLevel = 1
            search.pageToken = form["trang"] ?? ""
            search.pageSize = 20
            do {
                let found = try await catalog.unary(CatalogV1.CatalogService.searchProcedures, search, options: read)
                let items = found.procedures.map { procedure in
                    """
                    <li><a href="/thu-tuc/\(PortalPage.escape(procedure.code))">\(PortalPage.escape(procedure.name))</a>
                    <span class="level l\(procedure.level)">\(PortalPage.escape(PortalPage.levelName(procedure.level)))</span></li>
                    """
                }.joined(separator: "\n")
                var more = ""
                if !found.nextPageToken.isEmpty {
                    let next = "q=\(Self.formEncode(query))&trang=\(Self.formEncode(found.nextPageToken))"
                    more = "<p><a href=\"/thu-tuc?\(PortalPage.escape(next))\">Trang sau</a></p>"
                }
                return PortalPage.response(title: "Kết quả tìm kiếm", body: """
                    <h1>Kết quả cho “\(PortalPage.escape(query))”</h1>
                    \(Self.searchForm(query: query))
                    <p>\(found.total) thủ tục.</p>
                    <ul>\(items)</ul>
                    \(more)
                    """)
            } catch let error as RPCError {
                return PortalPage.response(title: "Tìm kiếm", body: """
                    <h1>Tìm kiếm</h1>\(Self.searchForm(query: query))
                    <p role="alert">\(PortalPage.escape(error.code == .invalidArgument ? "Hãy nhập từ khóa tìm kiếm (tối đa 256 ký tự)." : "Hệ thống đang bận, vui lòng thử lại."))</p>
                    """, status: error.code == .invalidArgument ? .badRequest : .serviceUnavailable)
            }
        }
        router.get("/thu-tuc/:code") { _, context -> Response in
            var get = CatalogV1.GetProcedureRequest()
            get.code = context.parameters.get("code") ?? ""
            do {
                let found = try await catalog.unary(CatalogV1.CatalogService.getProcedure, get, options: read)
                return PortalPage.response(title: found.procedure?.name ?? "Thủ tục", body: Self.procedurePage(found))
            } catch let error as RPCError where error.code == .notFound || error.code == .invalidArgument {
                return PortalPage.response(title: "Không tìm thấy",
                                           body: "<h1>Không tìm thấy thủ tục</h1><p><a href=\"/\">Về trang tra cứu</a></p>",
                                           status: .notFound)
            }
        }
    }

    static func searchForm(query: String) -> String {
        """
        <form class="search" method="get" action="/thu-tuc" role="search">
        <label for="q" hidden>Tên thủ tục</label>
        <input id="q" name="q" type="search" value="\(PortalPage.escape(query))" placeholder="Ví dụ: đăng ký khai sinh" required maxlength="256">
        <button type="submit">Tìm kiếm</button>
        </form>
        """
    }

    static func procedurePage(_ found: CatalogV1.GetProcedureResponse) -> String {
        let procedure = found.procedure ?? CatalogV1.Procedure()
        let e = PortalPage.escape
        let steps = procedure.steps.map { "<li>\(e($0))</li>" }.joined()
        let documents = procedure.documents.map { "<li>\(e($0.name))</li>" }.joined()
        let fees = procedure.fees.map { fee in
            "<li>\(e(fee.description)): \(fee.amountVnd == 0 ? "miễn phí" : "\(fee.amountVnd) đồng")\(fee.condition.isEmpty ? "" : " — \(e(fee.condition))")</li>"
        }.joined()
        let days = procedure.processingWorkingDays
        let time = days > 0 ? "\(days) ngày làm việc" : "\(procedure.processingWorkingHours) giờ làm việc"
        let levels = found.levels.sorted { $0.level > $1.level }.map { level in
            "<tr><td>\(e(level.agencyName))</td><td><span class=\"level l\(level.level)\">\(e(PortalPage.levelName(level.level)))</span></td><td>\(e(PortalPage.levelMeaning(level.level)))</td></tr>"
        }.joined()
        return """
            <h1>\(e(procedure.name))</h1>
            <p>Mã thủ tục: \(e(procedure.code))</p>
            <p>\(e(procedure.description))</p>
            <h2>Cơ quan thực hiện và mức độ dịch vụ công</h2>
            <table><tr><th>Cơ quan</th><th>Mức độ</th><th>Công dân có thể</th></tr>\(levels)</table>
            <h2>Trình tự thực hiện</h2><ol>\(steps)</ol>
            <h2>Thành phần hồ sơ</h2><ul>\(documents)</ul>
            <h2>Thời hạn giải quyết</h2><p>\(e(time))</p>
            <h2>Phí, lệ phí</h2><ul>\(fees.isEmpty ? "<li>Không quy định</li>" : fees)</ul>
            <h2>Căn cứ pháp lý</h2><p>\(e(procedure.legalBasis))</p>
            """
    }

    static func formEncode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_.")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
