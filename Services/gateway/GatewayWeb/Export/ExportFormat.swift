import RPCCore

/// What an export is written as: CSV with a header line (for a spreadsheet or a warehouse), or
/// a JSON array of the records in protobuf's JSON mapping, as the JSON API answers them.
enum ExportFormat: String, Sendable {
    case csv
    case json

    init(_ text: String?) throws {
        guard let text, !text.isEmpty else {
            self = .csv
            return
        }
        guard let format = ExportFormat(rawValue: text) else {
            throw RPCError.invalidArgument(field: "format", "csv or json")
        }
        self = format
    }

    var contentType: String {
        switch self {
        case .csv: "text/csv; charset=utf-8"
        case .json: "application/json; charset=utf-8"
        }
    }
}
