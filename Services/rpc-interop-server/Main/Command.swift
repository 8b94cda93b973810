import ArgumentParser
import InteropService
import ServiceKit

/// Serves the interop TestService and Health (docs/protocol.md, "Interop test service").
@main
struct InteropServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: InteropServer.executableName,
        abstract: "Serves dvc.testing.v1.TestService and Health for interop tests and benchmarks."
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(InteropServer.self, options: options)
    }
}
