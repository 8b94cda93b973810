import ArgumentParser
import Foundation
import DVCProto

/// `dvcctl catalog set-level AGENCY PROCEDURE LEVEL`.
struct CatalogSetLevel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-level",
        abstract: "Set the level (1-4) an agency offers a procedure at; 0 withdraws it.",
        discussion: "The server refuses a level above the agency's ceiling."
    )

    @Argument(help: "The agency's code.")
    var agency: String

    @Argument(help: "The procedure's code.")
    var procedure: String

    @Argument(help: "0 to 4.")
    var level: UInt32

    @OptionGroup var options: CatalogOptions

    func validate() throws {
        if level > 4 { throw ValidationError("LEVEL must be 0 (withdraw) or 1 to 4, not \(level)") }
    }

    func run() async throws {
        try await reportingFailures {
            var request = CatalogV1.SetLevelRequest()
            request.agencyCode = agency
            request.procedureCode = procedure
            request.level = level
            let response = try await options.call(CatalogV1.CatalogService.setLevel, request, admin: true)
            if options.json { return options.printJSON(response) }
            let what = level == 0 ? "withdrew \(procedure) from \(agency)" : "\(agency) offers \(procedure) at level \(level)"
            Console.print("\(what); catalog version \(response.version)")
        }
    }
}

/// `dvcctl catalog calendar list|set|remove`: the yearly overrides of the working-time calendar.
struct CatalogCalendar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar",
        abstract: "List holidays; set or remove the government's yearly day swaps.",
        subcommands: [ListHolidays.self, SetOverride.self, RemoveOverride.self]
    )

    struct ListHolidays: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List a year's holidays and make-up working days."
        )

        @Argument(help: "The year, e.g. 2025.")
        var year: UInt32

        @OptionGroup var options: CatalogOptions

        func validate() throws {
            if !(1900...2200).contains(year) { throw ValidationError("YEAR \(year) is out of range (1900-2200)") }
        }

        func run() async throws {
            try await reportingFailures {
                var request = CatalogV1.ListHolidaysRequest()
                request.year = year
                let response = try await options.call(CatalogV1.CatalogService.listHolidays, request)
                if options.json { return options.printJSON(response) }
                var rows = [["DATE", "KIND", "SOURCE", "NAME"]]
                for holiday in response.holidays {
                    rows.append([holiday.date, "day off", holiday.source, holiday.name])
                }
                for entry in response.workingOverrides {
                    rows.append([entry.date, entry.working ? "working" : "day off", "override", entry.reason])
                }
                rows[1...].sort { $0[0] < $1[0] }
                for line in Console.table(rows) { Console.print(line) }
            }
        }
    }

    struct SetOverride: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set",
            abstract: "Make a date a working day (--working) or a day off (--day-off)."
        )

        @Argument(help: "The date, yyyy-MM-dd.")
        var date: String

        @Flag(exclusivity: .exclusive, help: "What the date becomes.")
        var kind: Kind

        @Option(name: .long, help: "Why, e.g. the announcement that decided it.")
        var reason: String

        @OptionGroup var options: CatalogOptions

        enum Kind: String, EnumerableFlag {
            case working
            case dayOff

            static func help(for value: Kind) -> ArgumentHelp? {
                value == .working ? "A working day (e.g. a Saturday that makes up a bridge day)." : "A day off."
            }
        }

        func validate() throws {
            if !LocalTime.isDate(date) { throw ValidationError("DATE '\(date)' is not a date written yyyy-MM-dd") }
            if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty") }
        }

        func run() async throws {
            try await reportingFailures {
                var request = CatalogV1.SetCalendarOverrideRequest()
                var entry = CatalogV1.CalendarOverride()
                entry.date = date
                entry.working = kind == .working
                entry.reason = reason
                request.entry = entry
                let response = try await options.call(CatalogV1.CatalogService.setCalendarOverride, request, admin: true)
                if options.json { return options.printJSON(response) }
                Console.print("\(date) is now \(kind == .working ? "a working day" : "a day off"); catalog version \(response.version)")
            }
        }
    }

    struct RemoveOverride: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract: "Remove the override of a date (the usual rules apply again)."
        )

        @Argument(help: "The date, yyyy-MM-dd.")
        var date: String

        @OptionGroup var options: CatalogOptions

        func validate() throws {
            if !LocalTime.isDate(date) { throw ValidationError("DATE '\(date)' is not a date written yyyy-MM-dd") }
        }

        func run() async throws {
            try await reportingFailures {
                var request = CatalogV1.SetCalendarOverrideRequest()
                var entry = CatalogV1.CalendarOverride()
                entry.date = date
                request.entry = entry
                request.remove = true
                let response = try await options.call(CatalogV1.CatalogService.setCalendarOverride, request, admin: true)
                if options.json { return options.printJSON(response) }
                Console.print("removed the override of \(date); catalog version \(response.version)")
            }
        }
    }
}
