import ArgumentParser
import Foundation
import DVCProto

/// `dvcctl catalog list-agencies [--parent CODE]`.
struct CatalogListAgencies: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-agencies",
        abstract: "List the root agencies, or the children of --parent."
    )

    @Option(name: .long, help: "The parent agency's code; the roots when left out.")
    var parent: String = ""

    @OptionGroup var options: CatalogOptions

    func run() async throws {
        try await reportingFailures {
            var request = CatalogV1.ListAgenciesRequest()
            request.parentCode = parent
            let response = try await options.call(CatalogV1.CatalogService.listAgencies, request)
            if options.json { return options.printJSON(response) }
            var rows = [["CODE", "KIND", "CEILING", "NAME"]]
            for agency in response.agencies {
                rows.append([agency.code, Self.kind(agency.kind), String(agency.levelCeiling), agency.name])
            }
            for line in Console.table(rows) { Console.print(line) }
        }
    }

    static func kind(_ kind: CatalogV1.AgencyKind) -> String {
        switch kind {
        case .city: "city"
        case .district: "district"
        case .wardCommune: "ward-commune"
        case .department: "department"
        case .serviceCentre: "service-centre"
        case .police: "police"
        case .socialInsurance: "social-insurance"
        case .unspecified: "-"
        case .unrecognized(let value): "kind \(value)"
        }
    }
}

/// `dvcctl catalog search QUERY [filters]`.
struct CatalogSearch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search procedures (diacritics and case do not matter).",
        discussion: "Prints the page's procedures, best first, and the --page-token of the next page."
    )

    @Argument(help: "Free text, e.g. \"giay phep xay dung\".")
    var query: String

    @Option(name: .long, help: "Only procedures offered by this agency (its code).")
    var agency: String = ""

    @Option(name: .long, help: "Only procedures of this field (its code).")
    var field: String = ""

    @Option(name: .customLong("min-level"), help: "Only procedures offered at this level (1-4) or above.")
    var minLevel: UInt32 = 0

    @Option(name: .customLong("page-size"), help: "1-100 (the server's default when left out).")
    var pageSize: UInt32 = 0

    @Option(name: .customLong("page-token"), help: "The token a previous page printed.")
    var pageToken: String = ""

    @OptionGroup var options: CatalogOptions

    func validate() throws {
        if minLevel > 4 { throw ValidationError("--min-level must be 1 to 4, not \(minLevel)") }
        if pageSize > 100 { throw ValidationError("--page-size must be 1 to 100, not \(pageSize)") }
    }

    func run() async throws {
        try await reportingFailures {
            var request = CatalogV1.SearchProceduresRequest()
            request.query = query
            request.agencyCode = agency
            request.fieldCode = field
            request.minLevel = minLevel
            request.pageSize = pageSize
            request.pageToken = pageToken
            let response = try await options.call(CatalogV1.CatalogService.searchProcedures, request)
            if options.json { return options.printJSON(response) }
            var rows = [["CODE", "LEVEL", "FIELD", "SCORE", "NAME"]]
            for procedure in response.procedures {
                rows.append([procedure.code, String(procedure.level), procedure.fieldCode,
                             String(format: "%.2f", procedure.score), procedure.name])
            }
            for line in Console.table(rows) { Console.print(line) }
            var footer = "\(response.procedures.count) shown, \(response.total) found"
            if !response.nextPageToken.isEmpty { footer += "; next page: --page-token \(response.nextPageToken)" }
            Console.print(footer)
        }
    }
}

/// `dvcctl catalog get CODE`: a procedure with everything it holds, as JSON.
struct CatalogGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Print a procedure (documents, fees, forms, levels at agencies) as JSON."
    )

    @Argument(help: "The procedure's code.")
    var code: String

    @OptionGroup var options: CatalogOptions

    func run() async throws {
        try await reportingFailures {
            var request = CatalogV1.GetProcedureRequest()
            request.code = code
            options.printJSON(try await options.call(CatalogV1.CatalogService.getProcedure, request))
        }
    }
}

/// `dvcctl catalog audit`: the newest changes first.
struct CatalogAudit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "List the audit log of catalog changes, newest first.",
        discussion: "--json prints every entry with its before and after records."
    )

    @Option(name: .customLong("page-size"), help: "How many entries (the server's default when left out).")
    var pageSize: UInt32 = 0

    @Option(name: .customLong("before-id"), help: "Only entries older than this id (to page back).")
    var beforeID: UInt64 = 0

    @OptionGroup var options: CatalogOptions

    func run() async throws {
        try await reportingFailures {
            var request = CatalogV1.ListAuditRequest()
            request.pageSize = pageSize
            request.beforeId = beforeID
            let response = try await options.call(CatalogV1.CatalogService.listAudit, request)
            if options.json { return options.printJSON(response) }
            var rows = [["ID", "AT (UTC+7)", "ACTOR", "ACTION", "SUBJECT"]]
            for entry in response.entries {
                rows.append([String(entry.id), LocalTime.format(unixMilliseconds: entry.atUnixMs), entry.actor,
                             entry.action, entry.subject])
            }
            for line in Console.table(rows) { Console.print(line) }
            if let last = response.entries.last, last.id > 1 {
                Console.print("older entries: --before-id \(last.id)")
            }
        }
    }
}
