import ArgumentParser
import Foundation
import PaymentService
import ServiceKit

/// `payment-svc reconcile --date yyyy-MM-dd --settlement FILE.csv`: one line per mismatch
/// between the provider's settlement of that local day and the ledger in the service's
/// database (`--data-dir`, `DVC_DATA_DIR` or `--config` as when serving); exit status 1 when
/// there is any, 0 when the day balances.
struct ReconcileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "Compare a provider's settlement file (CSV) with the ledger for a day.")

    @OptionGroup var options: ServiceOptions

    @Option(help: "The local day (UTC+7), yyyy-MM-dd.")
    var date: String

    @Option(help: "The settlement file: order_id,transaction_no,amount_vnd[,pay_date] with a header line.")
    var settlement: String

    func run() throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 7 * 3600)
        formatter.dateFormat = "yyyy-MM-dd"
        guard let day = formatter.date(from: date) else { throw ValidationError("--date: '\(date)' is not yyyy-MM-dd") }
        guard let text = try? String(contentsOfFile: settlement, encoding: .utf8) else {
            throw ValidationError("--settlement: cannot read '\(settlement)'")
        }
        let provider = try Reconciliation.parse(text)
        let settings = try ServiceSettings(serviceName: PaymentServiceApp.executableName, options: options)
        let (ledgerCount, mismatches) = try PaymentServiceApp.reconcile(settings: settings, day: day, settlement: provider)
        for mismatch in mismatches { print(mismatch) }
        print("\(date): \(ledgerCount) paid in the ledger, \(provider.count) in the settlement, \(mismatches.count) mismatches")
        if !mismatches.isEmpty { throw ExitCode(1) }
    }
}
