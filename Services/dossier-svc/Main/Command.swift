import ArgumentParser
import BackupCommands
import DossierService
import ServiceKit

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: DossierServiceApp.executableName,
        abstract: "dossiers, attachments, workflow history, receipt codes and deadlines (the system of record).",
        subcommands: DataCommands.subcommands(DossierServiceApp.self) + [SigningCommand.self]
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(DossierServiceApp.self, options: options)
    }
}
