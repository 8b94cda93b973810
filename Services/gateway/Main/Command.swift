import ArgumentParser
import GatewayService
import ServiceKit

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: GatewayServiceApp.executableName,
        abstract: "the platform's door for citizens and agency systems: routing, level, identity and permission checks.",
        subcommands: [Serve.self, APIKeyCommand.self],
        defaultSubcommand: Serve.self
    )
}

/// Runs the gateway (the default: `gateway --catalog ...` means `gateway serve --catalog ...`).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(GatewayServiceApp.self, options: options)
    }
}
