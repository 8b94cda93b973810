import ArgumentParser
import Foundation
import Hummingbird
import Logging
import NIOCore

/// A VNPay-style payment gateway for tests and demos, as a separate process on loopback. It
/// speaks the provider's protocol (payment API 2.1.0) with its own implementation of the
/// signatures, so the platform's adapter is checked against an independent one:
///
/// - `GET /paymentv2/vpcpay.html?…` — the citizen's browser arrives with a signed order; the
///   sandbox checks the terminal code and the HMAC-SHA512, "pays" as told by the current
///   behaviour, notifies the merchant (IPN) and sends the browser back to `vnp_ReturnUrl`.
/// - `POST /merchant_webapi/api/transaction` — refunds (JSON, fields joined with '|', signed).
/// - `GET /sandbox/behaviour?outcome=approve|decline|timeout&ipn=once|twice|none|late|fail-after-success&ipn_url=…`
///   — what the next payments do (a test's remote control); `GET /sandbox/ipn-log` — every IPN
///   sent and the merchant's answer; `GET /sandbox/ipn-pending` — how many unconfirmed IPNs are
///   still being sent again (`{"pending":"n"}`); `GET /sandbox/settlement?date=yyyyMMdd` — the day's
///   settlement file (CSV) for reconciliation.
@main
struct PaymentSandbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payment-sandbox",
        abstract: "A VNPay-style payment gateway on loopback, for tests and demos (never for real money).")

    @Option(help: "HTTP listen address HOST:PORT (port 0 picks one; the address is printed).")
    var listen = "127.0.0.1:0"

    @Option(help: "The merchant's terminal code.")
    var terminalCode = "DVCSANDBX"

    @Option(help: "The merchant's IPN URL (the platform's gateway: http://HOST:PORT/payment/vnpay/ipn); also settable with /sandbox/behaviour?ipn_url=.")
    var ipnURL = ""

    @Option(help: "Send an unconfirmed IPN again for this many seconds (default: 10 tries over about 16 s).")
    var ipnRetrySeconds: Int?

    @Option(help: "Env SANDBOX_HASH_SECRET holds the shared secret; this names another variable.")
    var secretVariable = "SANDBOX_HASH_SECRET"

    func run() async throws {
        guard let secret = ProcessInfo.processInfo.environment[secretVariable], !secret.isEmpty else {
            throw ValidationError("set \(secretVariable) to the shared secret")
        }
        let parts = listen.split(separator: ":")
        guard parts.count == 2, let port = Int(parts[1]) else { throw ValidationError("--listen must be HOST:PORT") }
        if let ipnRetrySeconds, ipnRetrySeconds <= 0 { throw ValidationError("--ipn-retry-seconds must be positive") }
        let state = SandboxState(terminalCode: terminalCode, secret: secret, ipnURL: ipnURL,
                                 ipnRetryWindow: ipnRetrySeconds.map { .seconds($0) })
        let router = Router()
        SandboxRoutes(state: state).add(to: router)
        var logger = Logger(label: "payment-sandbox")
        logger.logLevel = .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(String(parts[0]), port: port)),
            onServerRunning: { channel in
                if let address = channel.localAddress, let ip = address.ipAddress, let port = address.port {
                    FileHandle.standardOutput.write(Data("listening on \(ip):\(port)\n".utf8))

                }
            },
            logger: logger)
        try await app.runService()
    }
}
