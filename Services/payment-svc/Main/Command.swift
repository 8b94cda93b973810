import ArgumentParser
import PaymentService
import ServiceKit

@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: PaymentServiceApp.executableName,
        abstract: "fee payments, receipts and refunds."
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(PaymentServiceApp.self, options: options)
    }
}
