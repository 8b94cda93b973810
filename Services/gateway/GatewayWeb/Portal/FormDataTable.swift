import DVCProto

/// A dossier's form data as a table, for the citizen's page and the officer's alike: in the
/// form's own order with the catalog's labels; fields the form does not declare (or all of them,
/// when the catalog could not be reached) last, under their names. Dates are written as
/// Vietnamese write them (dd/MM/yyyy), not as a date input sends them.
enum FormDataTable {
    static func html(_ formData: [String: String], procedure: CatalogV1.Procedure?) -> String {
        let e = PortalPage.escape
        let fields = procedure?.forms.flatMap(\.fields) ?? []
        let order = Dictionary(fields.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        let labels = Dictionary(fields.map { ($0.name, $0.label) }, uniquingKeysWith: { first, _ in first })
        let rows = formData.sorted { (order[$0.key] ?? Int.max, $0.key) < (order[$1.key] ?? Int.max, $1.key) }
            .map { "<tr><th>\(e(labels[$0.key] ?? $0.key))</th><td>\(e(PortalFormat.formValue($0.value)))</td></tr>" }
        return "<div class=\"table-wrap\"><table>\(rows.joined(separator: "\n"))</table></div>"
    }
}
