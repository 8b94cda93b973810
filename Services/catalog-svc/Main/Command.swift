import ArgumentParser
import BackupCommands
import CatalogService
import ServiceKit

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: CatalogServiceApp.executableName,
        abstract: "the agency tree, procedures, forms, fees, enabled levels and the working-time calendar.",
        subcommands: DataCommands.subcommands(CatalogServiceApp.self)
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(CatalogServiceApp.self, options: options)
    }
}
