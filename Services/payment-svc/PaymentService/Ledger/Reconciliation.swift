import Foundation
import Logging
import ServiceKit
import Storage

/// The day's comparison of a provider's settlement file with the ledger: what the provider
/// says it settled against what payment-svc recorded as paid that local day (UTC+7).
///
/// The settlement file is CSV with a header line and the columns
/// `order_id,transaction_no,amount_vnd,pay_date` (pay_date "yyyyMMddHHmmss", Hà Nội time), the
/// shape of the sandbox's `/sandbox/settlement` and of what a gateway's merchant portal exports.
public enum Reconciliation {
    public struct Line: Sendable, Hashable {
        public var orderID: String
        public var transactionNo: String
        public var amountVnd: Int64
    }

    public enum Mismatch: Sendable, Hashable, CustomStringConvertible {
        /// Settled by the provider, not paid in the ledger (that day or at all).
        case missingInLedger(Line)
        /// Paid in the ledger, absent from the settlement.
        case missingInSettlement(Line)
        case amountDiffers(orderID: String, ledgerVnd: Int64, settlementVnd: Int64)

        public var description: String {
            switch self {
            case .missingInLedger(let line):
                "missing in ledger: order \(line.orderID) (transaction \(line.transactionNo), \(line.amountVnd) đồng)"
            case .missingInSettlement(let line):
                "missing in settlement: order \(line.orderID) (transaction \(line.transactionNo), \(line.amountVnd) đồng)"
            case .amountDiffers(let order, let ledger, let settlement):
                "amount differs: order \(order): ledger \(ledger) đồng, settlement \(settlement) đồng"
            }
        }
    }

    public struct InvalidFile: Error, CustomStringConvertible {
        public var description: String
    }

    /// Reads a settlement file; the line number of the first bad line in the error.
    public static func parse(_ text: String) throws -> [Line] {
        var lines: [Line] = []
        for (number, raw) in text.split(whereSeparator: \.isNewline).enumerated() {
            let fields = raw.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if number == 0, fields.first == "order_id" { continue }
            guard fields.count >= 3, !fields[0].isEmpty, let amount = Int64(fields[2]), amount >= 0 else {
                throw InvalidFile(description: "settlement line \(number + 1): expected order_id,transaction_no,amount_vnd[,pay_date]")
            }
            lines.append(Line(orderID: fields[0], transactionNo: fields[1], amountVnd: amount))
        }
        return lines
    }

    /// The ledger's payments paid on `day` (local) through the provider, as settlement lines
    /// (money taken at the counter never reaches the provider's settlement).
    public static func ledger(day: Date, _ db: any SQLConnection) throws -> [Line] {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 7 * 3600)!
        let start = calendar.startOfDay(for: day)
        let end = calendar.date(byAdding: .day, value: 1, to: start)!
        return try SQLRow.fetchAll(db, sql: """
            SELECT order_id, provider_transaction_id, amount_vnd FROM payment
            WHERE paid_at_ms >= ? AND paid_at_ms < ? AND state IN (2, 5, 6) AND provider <> 'counter'
            """, arguments: [Int64(start.timeIntervalSince1970 * 1000), Int64(end.timeIntervalSince1970 * 1000)]).map {
            Line(orderID: $0["order_id"], transactionNo: $0["provider_transaction_id"], amountVnd: $0["amount_vnd"])
        }
    }

    public static func compare(ledger: [Line], settlement: [Line]) -> [Mismatch] {
        let ours = Dictionary(ledger.map { ($0.orderID, $0) }, uniquingKeysWith: { first, _ in first })
        let theirs = Dictionary(settlement.map { ($0.orderID, $0) }, uniquingKeysWith: { first, _ in first })
        var mismatches: [Mismatch] = []
        for line in settlement.sorted(by: { $0.orderID < $1.orderID }) {
            guard let recorded = ours[line.orderID] else { mismatches.append(.missingInLedger(line)); continue }
            if recorded.amountVnd != line.amountVnd {
                mismatches.append(.amountDiffers(orderID: line.orderID, ledgerVnd: recorded.amountVnd, settlementVnd: line.amountVnd))
            }
        }
        for line in ledger.sorted(by: { $0.orderID < $1.orderID }) where theirs[line.orderID] == nil {
            mismatches.append(.missingInSettlement(line))
        }
        return mismatches
    }
}

extension PaymentServiceApp {
    /// The reconciliation of `day` in the database the settings name: how many payments the
    /// ledger holds for it, and every mismatch with `settlement`.
    public static func reconcile(settings: ServiceSettings, day: Date, settlement: [Reconciliation.Line]) throws
        -> (ledgerCount: Int, mismatches: [Reconciliation.Mismatch]) {
        let database = try database(settings, logger: Logger(label: "payment-svc.reconcile"))
        defer { try? database.close() }
        let ledger = try database.read { db in try Reconciliation.ledger(day: day, db) }
        return (ledger.count, Reconciliation.compare(ledger: ledger, settlement: settlement))
    }
}
