import ArgumentParser
import BackupCommands
import NotifyService
import ServiceKit

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: NotifyServiceApp.executableName,
        abstract: "notification templates, deliveries and the citizen inbox.",
        subcommands: DataCommands.subcommands(NotifyServiceApp.self)
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(NotifyServiceApp.self, options: options)
    }
}
