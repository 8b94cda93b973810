import ArgumentParser
import BackupCommands
import Logging
import NationalPortalSync
import ServiceKit

/// `national-portal-sync [flags]` runs the connector; `reports`, `retry` and `reconcile` are the
/// operator's commands on the same `--data-dir` / `--config` (docs/national-portal.md).
@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: NationalPortalSyncApp.executableName,
        abstract: "the connector to the national public-service portal: dossiers in, their progress out.",
        subcommands: [ReportsCommand.self, RetryCommand.self, ReconcileCommand.self] + DataCommands.subcommands(NationalPortalSyncApp.self)
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(NationalPortalSyncApp.self, options: options)
    }
}

/// Lists the reports the portal refused (kept, never dropped) and those still waiting.
struct ReportsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reports",
        abstract: "List reports to the national portal: refused and pending by default (id, state, portal id, dossier, seq, event, attempts, last answer).")

    @OptionGroup var options: ServiceOptions

    @Option(help: "Which states, comma-separated: pending, sent, refused, superseded.")
    var state = "refused,pending"

    func run() throws {
        let names = ["pending", "sent", "refused", "superseded"]
        let states = try state.split(separator: ",").map { name in
            guard let index = names.firstIndex(of: String(name)) else { throw ValidationError("--state: '\(name)' is not one of \(names.joined(separator: ", "))") }
            return index
        }
        let settings = try ServiceSettings(serviceName: NationalPortalSyncApp.executableName, options: options)
        let lines = try NationalPortalSyncApp.listReports(settings: settings, states: states)
        for line in lines { print(line) }
        print("\(lines.count) report(s)")
    }
}

/// Sends a refused report again, once its cause is fixed; the dossier's later reports follow it.
struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "retry", abstract: "Queue a refused report again (its id from `reports`).")

    @OptionGroup var options: ServiceOptions

    @Argument(help: "The report's id.")
    var id: Int64

    func run() throws {
        let settings = try ServiceSettings(serviceName: NationalPortalSyncApp.executableName, options: options)
        guard try NationalPortalSyncApp.retry(settings: settings, reportID: id) else {
            print("no refused report has id \(id)")
            throw ExitCode(1)
        }
        print("report \(id) queued again")
    }
}

/// Compares what the portal holds with the platform; exit status 1 when they differ.
struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare the national portal's dossiers and states with the platform's; one line per difference.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        let settings = try ServiceSettings(serviceName: NationalPortalSyncApp.executableName, options: options)
        var logger = Logger(label: "national-portal-sync.reconcile")
        logger.logLevel = .warning
        let (compared, differences) = try await NationalPortalSyncApp.reconcile(settings: settings, logger: logger)
        for difference in differences { print(difference) }
        print("\(compared) dossier(s) compared, \(differences.count) difference(s)")
        if !differences.isEmpty { throw ExitCode(1) }
    }
}
