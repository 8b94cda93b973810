import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import TestKit
import Testing

/// The bank sandbox's notifications to a merchant that does not answer: sent again for
/// `--ipn-retry-seconds`, then given up, with `/sandbox/ipn-pending` saying how many are still
/// being retried. The failover drill relies on both: the bank must outlast a failover, and the
/// drill's check must wait until it has (docs/postgres-cluster.md).
@Suite(.timeLimit(.minutes(2))) struct PaymentSandboxRetryTests {
    static let terminal = "DVCRETRY1"
    static let secret = "sandbox-retry-secret-0123456789"

    @Test("an unanswered IPN is sent again for the retry window, counted as pending until then, then given up")
    func retriesForTheWindow() async throws {
        let merchant = "http://127.0.0.1:\(try freeLoopbackPort())/payment/vnpay/ipn"  // nobody listens
        try await withService("payment-sandbox",
                              arguments: ["--listen", "127.0.0.1:0", "--terminal-code", Self.terminal, "--ipn-url", merchant,
                                          "--ipn-retry-seconds", "3"],
                              dataDirectory: try makeTemporaryFolder("sandbox-retry"),
                              environment: ["SANDBOX_HASH_SECRET": Self.secret]) { sandboxProcess in
            let sandbox = "http://\(sandboxProcess.address)"
            let session = URLSession(configuration: .ephemeral, delegate: PortalPagesTests.NoRedirects(), delegateQueue: nil)
            func get(_ url: String) async throws -> (Int, String) {
                let (data, response) = try await session.data(from: try #require(URL(string: url)))
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
            }
            #expect(try await get("\(sandbox)/sandbox/ipn-pending").1 == #"{"pending":"0"}"#)

            // The citizen pays: the sandbox approves and tries to tell the merchant, who is away.
            let order = PaymentFlowTests.vnpaySigned(["vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": Self.terminal,
                                     "vnp_Amount": "300000", "vnp_TxnRef": "DVC-RETRY-1", "vnp_OrderInfo": "Thu",
                                     "vnp_ReturnUrl": "http://127.0.0.1:9/ve"], secret: Self.secret)
            let (paid, _) = try await get("\(sandbox)/paymentv2/vpcpay.html?\(order)")
            #expect(paid == 302)
            #expect(try await get("\(sandbox)/sandbox/ipn-pending").1 == #"{"pending":"1"}"#)

            // Given up after the window (3 s, the last try up to its 5 s timeout), after several tries.
            var pending = ""
            for _ in 0..<60 {
                pending = try await get("\(sandbox)/sandbox/ipn-pending").1
                if pending == #"{"pending":"0"}"# { break }
                try await Task.sleep(for: .milliseconds(250))
            }
            #expect(pending == #"{"pending":"0"}"#)
            let log = try JSONSerialization.jsonObject(with: Data(try await get("\(sandbox)/sandbox/ipn-log").1.utf8)) as? [[String: Any]] ?? []
            let tries = log.filter { $0["orderID"] as? String == "DVC-RETRY-1" }
            #expect(tries.count >= 4, "\(tries.count) tries in a 3 s window with waits of 0.25, 0.5, 1 and 2 s")
            #expect(tries.allSatisfy { ($0["merchantAnswer"] as? String)?.hasPrefix("unreachable") == true })
        }
    }

    @Test("--ipn-retry-seconds must be positive")
    func refusesANonPositiveWindow() async throws {
        let finished = try await runToCompletion(try Executables.url("payment-sandbox"),
                                                 ["--listen", "127.0.0.1:0", "--ipn-retry-seconds", "0"],
                                                 environment: childEnvironment(["SANDBOX_HASH_SECRET": Self.secret]))
        #expect(finished.exited && finished.status != 0)
        #expect(finished.stderr.contains("--ipn-retry-seconds must be positive"), "\(finished.stderr)")
    }
}
