import DVCProto
import OneStop

/// The search page's question: the words, and the filters a citizen may add (agency, field,
/// lowest level), read from and written back to the page's query string.
struct SearchFilters: Sendable {
    var query = ""
    var agency = ""
    var field = ""
    var minLevel: UInt32 = 0
    var page = ""

    init() {}

    init(_ form: [String: String]) {
        query = form["q"] ?? ""
        agency = form["co_quan"] ?? ""
        field = form["linh_vuc"] ?? ""
        minLevel = UInt32(form["muc_do"] ?? "").flatMap { (1...4).contains($0) ? $0 : nil } ?? 0
        page = form["trang"] ?? ""
    }

    /// The query string for these filters (the next page's link).
    func query(encode: (String) -> String) -> String {
        var parts = ["q=\(encode(query))"]
        if !agency.isEmpty { parts.append("co_quan=\(encode(agency))") }
        if !field.isEmpty { parts.append("linh_vuc=\(encode(field))") }
        if minLevel > 0 { parts.append("muc_do=\(minLevel)") }
        if !page.isEmpty { parts.append("trang=\(encode(page))") }
        return parts.joined(separator: "&")
    }

    /// What the filters' lists offer.
    struct Options: Sendable {
        var agencies: [AgencyDirectory.Entry]
        var fields: [CatalogV1.Field]

        func agencyName(_ code: String) -> String? { agencies.first { $0.agency.code == code }?.agency.name }
    }

    static func options(_ directory: AgencyDirectory) async throws -> Options {
        Options(agencies: try await directory.agencies(), fields: try await directory.fields())
    }

    /// The filters as form controls, folded away unless one is in use.
    func controls(_ options: Options) -> String {
        let e = PortalPage.escape
        let agencies = options.agencies.map { entry in
            let indent = String(repeating: "— ", count: entry.depth)
            return "<option value=\"\(e(entry.agency.code))\"\(entry.agency.code == agency ? " selected" : "")>\(indent)\(e(entry.agency.name))</option>"
        }.joined()
        let fields = options.fields.map {
            "<option value=\"\(e($0.code))\"\($0.code == field ? " selected" : "")>\(e($0.name))</option>"
        }.joined()
        let levels = (1...4).map { level in
            "<option value=\"\(level)\"\(UInt32(level) == minLevel ? " selected" : "")>Từ \(e(ServiceLevel(rawValue: UInt32(level)).portalName))</option>"
        }.joined()
        let open = !agency.isEmpty || !field.isEmpty || minLevel > 0
        return """
            <details class="filters"\(open ? " open" : "")><summary>Bộ lọc</summary>
            <div class="field"><label for="co_quan">Cơ quan</label><br><select id="co_quan" name="co_quan"><option value="">Tất cả cơ quan</option>\(agencies)</select></div>
            <div class="field"><label for="linh_vuc">Lĩnh vực</label><br><select id="linh_vuc" name="linh_vuc"><option value="">Tất cả lĩnh vực</option>\(fields)</select></div>
            <div class="field"><label for="muc_do">Mức độ</label><br><select id="muc_do" name="muc_do"><option value="">Mọi mức độ</option>\(levels)</select></div>
            </details>
            """
    }
}
