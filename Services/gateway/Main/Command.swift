import ArgumentParser
import BackupCommands
import GatewayDoor
import GatewayWeb
import ServiceKit

/// `gateway [flags]` runs the gateway; `gateway api-key ...` manages agency systems' keys.
@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: GatewayServiceApp.executableName,
        abstract: "the platform's door for citizens and agency systems: routing, level, identity and permission checks.",
        subcommands: [APIKeyCommand.self, OfficerCommand.self] + DataCommands.subcommands(GatewayServiceApp.self)
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(GatewayServiceApp.self, options: options)
    }
}
