import DVCProto
import Foundation
import GatewayDoor
import HTTPTypes
import Hummingbird
import NIOCore
import OneStop
import RPCCore

/// The public pages of the portal, server-rendered in Vietnamese: the home page with the
/// search, the search results (Vietnamese folding: "dang ky khai sinh" finds "Đăng ký khai
/// sinh"), and a procedure's page with its steps, documents, time limit, fees, legal basis and
/// the level each agency offers it at, with what that level lets a citizen do online.
struct PortalRoutes: GatewayRoutes {
    let catalog: PublicCatalog
    /// Each procedure's page as built a moment ago (`PublicReadCache`): the same for every
    /// visitor, and built from a catalog answer the gateway keeps as long.
    let pages = PublicReadCache()
    let gateway: GatewayClient
    let directory: AgencyDirectory


    func add(to router: Router<GatewayRequestContext>) {
        router.get("/") { _, _ -> Response in
            let filters = try? await SearchFilters.options(directory)
            return PortalPage.response(title: "Trang chủ", body: """
                <h1>Tra cứu thủ tục hành chính</h1>
                \(Self.searchForm(SearchFilters(), options: filters))
                <p>Gõ tên thủ tục, có dấu hay không dấu đều được (ví dụ: <i>dang ky khai sinh</i>), hoặc <a href="/co-quan">xem thủ tục theo cơ quan</a>.</p>
                """)
        }
        router.get("/co-quan") { _, _ -> Response in
            let e = PortalPage.escape
            let agencies = try await directory.agencies()
            let items = agencies.map { entry in
                "<li class=\"depth\(entry.depth)\"><a href=\"/thu-tuc?co_quan=\(e(Self.formEncode(entry.agency.code)))\">\(e(entry.agency.name))</a></li>"
            }.joined()
            return PortalPage.response(title: "Cơ quan", body: "<h1>Thủ tục theo cơ quan</h1><ul class=\"agencies\">\(items)</ul>")
        }
        router.get("/thu-tuc") { request, _ -> Response in
            let filters = SearchFilters(FormData.parse(request.uri.query))
            let options = try? await SearchFilters.options(directory)
            var search = CatalogV1.SearchProceduresRequest()
            search.query = String(filters.query.prefix(256))
            search.agencyCode = filters.agency
            search.fieldCode = filters.field
            search.minLevel = max(filters.minLevel, 1)
            search.pageToken = filters.page
            search.pageSize = 20
            let e = PortalPage.escape
            do {
                let found = try await catalog.search(search)
                let items = found.procedures.map { procedure in
                    """
                    <li><a href="/thu-tuc/\(e(procedure.code))">\(e(procedure.name))</a>
                    <span class="level l\(procedure.level)">\(e(ServiceLevel(rawValue: procedure.level).portalName))</span></li>
                    """
                }.joined(separator: "\n")
                var more = ""
                if !found.nextPageToken.isEmpty {
                    var next = filters
                    next.page = found.nextPageToken
                    more = "<p><a href=\"/thu-tuc?\(e(next.query(encode: Self.formEncode)))\">Trang sau</a></p>"
                }
                let heading = filters.query.isEmpty ? "Thủ tục\(options?.agencyName(filters.agency).map { " của \($0)" } ?? "")"
                    : "Kết quả cho “\(filters.query)”"
                return PortalPage.response(title: "Kết quả tìm kiếm", body: """
                    <h1>\(e(heading))</h1>
                    \(Self.searchForm(filters, options: options))
                    <p>\(found.total) thủ tục.</p>
                    <ul>\(items)</ul>
                    \(more)
                    """)
            } catch let error as RPCError {
                let message = error.code == .invalidArgument || error.code == .notFound
                    ? "Hãy nhập từ khóa (tối đa 256 ký tự) hoặc chọn cơ quan, lĩnh vực." : "Hệ thống đang bận, vui lòng thử lại."
                return PortalPage.response(title: "Tìm kiếm", body: """
                    <h1>Tìm kiếm</h1>\(Self.searchForm(filters, options: options))
                    <p class="error" role="alert">\(e(message))</p>
                    """, status: error.code == .invalidArgument || error.code == .notFound ? .badRequest : .serviceUnavailable)
            }
        }
        router.get("/bieu-mau/:procedure/:form") { request, context -> Response in
            try await download(procedure: context.parameters.get("procedure") ?? "", form: context.parameters.get("form") ?? "",
                               agency: FormData.parse(request.uri.query)["co_quan"] ?? "")
        }
        router.get("/thu-tuc/:code") { _, context -> Response in
            do {
                let code = context.parameters.get("code") ?? ""
                let key = ByteBuffer(string: code)
                if let page = pages.answer(path: "/thu-tuc", body: key) {
                    return Response(status: .ok, headers: PortalPage.securityHeaders, body: .init(byteBuffer: page))
                }
                let found = try await catalog.procedure(code)
                let page = PortalPage.page(title: found.procedure?.name ?? "Thủ tục", body: Self.procedurePage(found))
                pages.keep(page, path: "/thu-tuc", body: key)
                return Response(status: .ok, headers: PortalPage.securityHeaders, body: .init(byteBuffer: page))
            } catch let error as RPCError where error.code == .notFound || error.code == .invalidArgument {
                return PortalPage.response(title: "Không tìm thấy",
                                           body: "<h1>Không tìm thấy thủ tục</h1><p><a href=\"/\">Về trang tra cứu</a></p>",
                                           status: .notFound)
            }
        }
    }

    /// A form template's file, through the gateway's DownloadForm (level 2 or more at the agency).
    func download(procedure: String, form: String, agency: String) async throws -> Response {
        var request = GatewayV1.DownloadFormRequest()
        request.procedureCode = procedure
        request.formId = form
        request.agencyCode = agency
        do {
            let found = try await gateway.call(GatewayV1.PublicService.downloadForm, request, as: .anonymous)
            let template = found.form ?? .init()
            let ext = template.mediaType == "application/pdf" ? "pdf" : "bin"
            return Response(status: .ok, headers: [
                .contentType: template.mediaType.isEmpty ? "application/octet-stream" : template.mediaType,
                .contentDisposition: PortalDownload.disposition(filename: "\(template.id).\(ext)"),
            ], body: .init(byteBuffer: ByteBuffer(bytes: found.content)))
        } catch let error as RPCError where error.code == .notFound || error.code == .invalidArgument || error.code == .failedPrecondition
            || error.code == .permissionDenied {
            return PortalPage.response(title: "Không tải được biểu mẫu", body: """
                <h1>Không tải được biểu mẫu</h1><p>\(PortalPage.escape(PortalMessages.refusal(error)))</p>
                <p><a href="/thu-tuc/\(PortalPage.escape(procedure))">Về trang thủ tục</a></p>
                """, status: error.code == .notFound ? .notFound : .forbidden)
        }
    }

    /// The forms of a procedure to download at an agency offering level 2 or more.
    static func formsList(_ procedure: CatalogV1.Procedure, agencyCode: String, level: UInt32) -> String {
        guard level >= 2, !procedure.forms.isEmpty else { return "" }
        let e = PortalPage.escape
        let items = procedure.forms.map { form in
            "<li><a href=\"/bieu-mau/\(e(procedure.code))/\(e(form.id))?co_quan=\(e(formEncode(agencyCode)))\" download>\(e(form.name))</a> (\(e(PortalFormat.size(form.sizeBytes))))</li>"
        }.joined()
        return "<h2>Biểu mẫu</h2><ul class=\"forms\">\(items)</ul>"
    }

    static func searchForm(_ filters: SearchFilters, options: SearchFilters.Options?) -> String {
        """
        <form class="search" method="get" action="/thu-tuc" role="search">
        <label for="q" hidden>Tên thủ tục</label>
        <input id="q" name="q" type="search" value="\(PortalPage.escape(filters.query))" placeholder="Ví dụ: đăng ký khai sinh" maxlength="256">
        <button type="submit">Tìm kiếm</button>
        \(options.map { filters.controls($0) } ?? "")
        </form>
        """
    }

    static func procedurePage(_ found: CatalogV1.GetProcedureResponse) -> String {
        let procedure = found.procedure ?? CatalogV1.Procedure()
        let e = PortalPage.escape
        let steps = procedure.steps.map { "<li>\(e($0))</li>" }.joined()
        let documents = procedure.documents.map { "<li>\(e($0.name))</li>" }.joined()
        let fees = procedure.fees.map { fee in
            "<li>\(fee.category.isEmpty ? "" : "<i>\(e(fee.category))</i>: ")\(e(fee.description)): \(fee.amountVnd == 0 ? "miễn phí" : PortalFormat.money(fee.amountVnd))\(fee.condition.isEmpty ? "" : " — \(e(fee.condition))")\(fee.legalBasis.isEmpty ? "" : " (\(e(fee.legalBasis)))")</li>"
        }.joined()
        let days = procedure.processingWorkingDays
        let time = days > 0 ? "\(days) ngày làm việc" : "\(procedure.processingWorkingHours) giờ làm việc"
        let levels = found.levels.sorted { $0.level > $1.level }.map { level in
            let agency = e(formEncode(level.agencyCode))
            var actions: [String] = []
            if level.level >= 3 {
                actions.append("<a class=\"button\" href=\"/nop-ho-so/\(e(procedure.code))?co_quan=\(agency)\">Nộp hồ sơ trực tuyến</a>")
            }
            if level.level >= 2, let form = procedure.forms.first {
                let more = procedure.forms.count > 1 ? " (\(procedure.forms.count) mẫu)" : ""
                actions.append("<a href=\"/bieu-mau/\(e(procedure.code))/\(e(form.id))?co_quan=\(agency)\" download>Tải biểu mẫu</a>\(more)")
            }
            return """
                <tr data-agency="\(e(level.agencyCode))"><td>\(e(level.agencyName))</td><td><span class="level l\(level.level)">\(e(ServiceLevel(rawValue: level.level).portalName))</span></td>\
                <td>\(e(PortalPage.levelMeaning(level.level)))<br>\(actions.joined(separator: " · "))</td></tr>
                """
        }.joined()
        let offersForms = found.levels.contains { $0.level >= 2 }
        let forms = offersForms && !procedure.forms.isEmpty
            ? "<h2>Biểu mẫu</h2><ul class=\"forms\">" + procedure.forms.map { "<li>\(e($0.name))</li>" }.joined() + "</ul><p>Tải biểu mẫu tại dòng của cơ quan có mức độ 2 trở lên.</p>"
            : ""
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
            \(forms)
            <h2>Căn cứ pháp lý</h2><p>\(e(procedure.legalBasis))</p>
            """
    }

    static func formEncode(_ text: String) -> String {
        PercentEncoding.encode(text, keeping: "-_.")
    }
}
