import ArgumentParser
import BackupCommands
import PaymentService
import ServiceKit

/// `payment-svc [flags]` runs the service; `payment-svc reconcile ...` compares a settlement
/// file with the ledger.
@main
struct Command: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: PaymentServiceApp.executableName,
        abstract: "fee payments of level-4 dossiers: the provider's callbacks, receipts, refunds, reconciliation.",
        subcommands: [ReconcileCommand.self] + DataCommands.subcommands(PaymentServiceApp.self)
    )

    @OptionGroup var options: ServiceOptions

    func run() async throws {
        try await ServiceRunner.run(PaymentServiceApp.self, options: options)
    }
}
