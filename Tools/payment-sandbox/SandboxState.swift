import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import OutboundHTTP

/// The sandbox's memory: the orders it saw, the transactions it settled, the IPNs it sent, and
/// what the next payments should do.
actor SandboxState {
    enum Outcome: String { case approve, decline, timeout }
    enum IPNMode: String { case once, twice, none, late, failAfterSuccess = "fail-after-success" }

    struct Transaction {
        var orderID: String
        var transactionNo: String
        var amountHundredths: Int64
        var payDate: String
        var approved: Bool
        var refundedHundredths: Int64 = 0
    }

    struct IPNRecord: Codable {
        var orderID: String
        var responseCode: String
        var merchantStatus: Int
        var merchantAnswer: String
    }

    let terminalCode: String
    let secret: String
    var ipnURL: String
    var outcome: Outcome = .approve
    var ipnMode: IPNMode = .once
    var transactions: [String: Transaction] = [:]
    var ipnLog: [IPNRecord] = []
    /// How long an unsettled IPN keeps being sent again (`--ipn-retry-seconds`); nil for
    /// `ipnRetries` times, the tests' short schedule.
    let ipnRetryWindow: Duration?
    /// IPNs not settled yet that will be sent again.
    private(set) var pendingIPNs = 0
    private var nextTransaction = 14_000_000

    init(terminalCode: String, secret: String, ipnURL: String, ipnRetryWindow: Duration? = nil) {
        self.terminalCode = terminalCode
        self.secret = secret
        self.ipnURL = ipnURL
        self.ipnRetryWindow = ipnRetryWindow
    }

    func setBehaviour(outcome: Outcome?, ipn: IPNMode?, ipnURL: String? = nil) {
        if let ipnURL { self.ipnURL = ipnURL }
        if let outcome { self.outcome = outcome }
        if let ipn { self.ipnMode = ipn }
    }

    func behaviour() -> (Outcome, IPNMode) { (outcome, ipnMode) }

    /// Settles an order as the behaviour says: the transaction and the parameters the merchant
    /// will receive (signed), or nil for a payment left unfinished.
    func settle(order: [String: String]) -> (Transaction, [String: String])? {
        guard outcome != .timeout, let orderID = order["vnp_TxnRef"], let amount = Int64(order["vnp_Amount"] ?? "") else {
            return nil
        }
        nextTransaction += 1
        let approved = outcome == .approve
        let transaction = Transaction(orderID: orderID, transactionNo: String(nextTransaction), amountHundredths: amount,
                                      payDate: SandboxSigning.timestamp(), approved: approved)
        transactions[orderID] = transaction
        return (transaction, result(for: transaction, succeeded: approved, order: order))
    }

    /// The signed result parameters of a transaction (return and IPN carry the same).
    func result(for transaction: Transaction, succeeded: Bool, order: [String: String]) -> [String: String] {
        var parameters: [String: String] = [
            "vnp_TmnCode": terminalCode, "vnp_Amount": String(transaction.amountHundredths),
            "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP" + transaction.transactionNo, "vnp_CardType": "ATM",
            "vnp_OrderInfo": order["vnp_OrderInfo"] ?? "", "vnp_PayDate": transaction.payDate,
            "vnp_ResponseCode": succeeded ? "00" : "24", "vnp_TransactionNo": transaction.transactionNo,
            "vnp_TransactionStatus": succeeded ? "00" : "02", "vnp_TxnRef": transaction.orderID,
            "vnp_SecureHashType": "HmacSHA512",
        ]
        parameters["vnp_SecureHash"] = SandboxSigning.hmac(SandboxSigning.hashData(parameters), secret: secret)
        return parameters
    }

    /// The merchant's answers that settle an IPN: confirmed, already confirmed, and the
    /// refusals a repeat cannot change (unknown order, wrong amount, bad signature). Anything
    /// else (no answer, an HTTP error, `99`) is sent again, as the real provider does.
    static let settledAnswers: Set<String> = ["00", "02", "01", "04", "97"]
    /// How often an unsettled IPN is sent again, and the waits between: short, so that a
    /// merchant restarted in a second or two still hears of the payment within a test.
    static let ipnRetries = 10
    static let ipnRetryWaits: [Duration] = [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2)]

    /// Sends one IPN to the merchant and records its answer; when the merchant did not settle
    /// it (unreachable, down, or answering `99`), sends it again in the background, up to
    /// `ipnRetries` times or for `ipnRetryWindow` (a real provider keeps trying for much longer
    /// than a test can wait; the failover drill sets minutes).
    func sendIPN(_ parameters: [String: String]) async {
        if await sendIPNOnce(parameters) { return }
        pendingIPNs += 1
        let window = ipnRetryWindow
        Task {
            let clock = ContinuousClock()
            let start = clock.now
            var attempt = 0
            while window.map({ clock.now - start < $0 }) ?? (attempt < Self.ipnRetries) {
                try? await Task.sleep(for: Self.ipnRetryWaits[min(attempt, Self.ipnRetryWaits.count - 1)])
                attempt += 1
                if await self.sendIPNOnce(parameters) { break }
            }
            await self.retriesEnded()
        }
    }

    private func retriesEnded() { pendingIPNs -= 1 }

    /// One IPN and its recorded answer; true when the answer settles it.
    private func sendIPNOnce(_ parameters: [String: String]) async -> Bool {
        let query = SandboxSigning.hashData(parameters) + "&vnp_SecureHash=" + (parameters["vnp_SecureHash"] ?? "")
        var record = IPNRecord(orderID: parameters["vnp_TxnRef"] ?? "", responseCode: parameters["vnp_ResponseCode"] ?? "",
                               merchantStatus: 0, merchantAnswer: "")
        var settled = false
        if let url = URL(string: ipnURL + "?" + query) {
            do {
                // A merchant that hangs must not hold the notification for good.
                let (data, response) = try await OutboundHTTP.data(for: URLRequest(url: url, timeoutInterval: 5))
                record.merchantStatus = (response as? HTTPURLResponse)?.statusCode ?? 0
                record.merchantAnswer = String(decoding: data, as: UTF8.self)
                let answer = (try? JSONSerialization.jsonObject(with: data) as? [String: String])?["RspCode"]
                settled = record.merchantStatus == 200 && answer.map(Self.settledAnswers.contains) == true
            } catch {
                record.merchantAnswer = "unreachable: \(error)"
            }
        }
        ipnLog.append(record)
        return settled
    }

    func log() -> [IPNRecord] { ipnLog }

    /// A refund of the merchant API; nil for an unknown transaction.
    func refund(orderID: String, hundredths: Int64) -> (code: String, message: String, transaction: Transaction?) {
        guard var transaction = transactions[orderID], transaction.approved else { return ("91", "Transaction not found", nil) }
        guard hundredths > 0, transaction.refundedHundredths + hundredths <= transaction.amountHundredths else {
            return ("03", "Invalid amount", transaction)
        }
        transaction.refundedHundredths += hundredths
        transactions[orderID] = transaction
        return ("00", "Refund success", transaction)
    }

    /// The day's approved transactions, as a settlement CSV.
    func settlement(day: String) -> String {
        var lines = ["order_id,transaction_no,amount_vnd,pay_date"]
        for transaction in transactions.values.sorted(by: { $0.transactionNo < $1.transactionNo })
        where transaction.approved && transaction.payDate.hasPrefix(day) {
            lines.append("\(transaction.orderID),\(transaction.transactionNo),\(transaction.amountHundredths / 100),\(transaction.payDate)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
