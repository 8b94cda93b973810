import DVCProto
import Foundation
import RPCCore
import RPCNIO
import TestKit
import Testing

/// payment-svc keeps every provider callback in `callback_log`, refused ones too, and anyone on
/// the internet can send refused ones to the gateway's IPN address. The real payment-svc,
/// called as the gateway forwards callbacks: a huge forged callback is stored cut to a few KiB,
/// and a flood of them neither grows the table without bound nor writes more than the minute's
/// budget.
@Suite(.serialized, .timeLimit(.minutes(2))) struct PaymentCallbackLogTests {
    static let secret = "kiem-thu-bi-mat-callback-log"

    /// payment-svc alone: forged callbacks never reach its peers (unreachable addresses).
    func withPayment(_ config: [String: String], _ body: (RPCClient, URL) async throws -> Void) async throws {
        let folder = try makeTemporaryFolder("payment-callbacks")
        let file = folder.appendingPathComponent("payment.env")
        let lines = [
            "vnpay_tmn_code": "DVCTEST01", "vnpay_hash_secret": Self.secret,
            "vnpay_pay_url": "http://127.0.0.1:9/paymentv2/vpcpay.html", "vnpay_api_url": "http://127.0.0.1:9/api",
        ].merging(config) { $1 }
        try lines.map { "\($0.key)=\($0.value)" }.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        try await withService("payment-svc", extraArguments: [
            "--catalog", "127.0.0.1:9", "--dossier", "127.0.0.1:9", "--config", file.path,
        ]) { process in
            let data = try #require(process.dataDirectory)
            try await withClient(process) { client in
                try await body(client, data.appendingPathComponent("payment.sqlite"))
            }
        }
    }

    func forge(_ client: RPCClient, _ query: String) async throws -> PaymentV1.ProviderCallbackResponse {
        var request = PaymentV1.ProviderCallbackRequest()
        request.kind = .notification
        request.query = query
        var options = CallOptions(timeout: .seconds(10))
        options.metadata[CallerIdentity.metadataKey] = "system:gateway"
        return try await client.unary(PaymentV1.PaymentService.handleProviderCallback, request, options: options)
    }

    @Test("a huge forged callback is stored cut to a few KiB, whatever its characters")
    func hugeForgedCallback() async throws {
        try await withPayment([:]) { client, database in
            // One letter and 400,000 combining accents: one Character, 800 KB. Cut by
            // characters, it was stored whole.
            let accents = "vnp_TxnRef=DVC-" + "a" + String(repeating: "\u{0301}", count: 400_000) + "&vnp_SecureHash=00"
            let plain = "vnp_TxnRef=DVC-" + String(repeating: "x", count: 1_000_000) + "&vnp_SecureHash=00"
            for query in [accents, plain] {
                let answer = try await forge(client, query)
                #expect(!answer.accepted)
                #expect(answer.body.contains("\"RspCode\":\"97\""), "\(answer.body)")
            }
            let rows = try await BackupRestoreTests.sqlite(database.path, "SELECT COUNT(*) FROM callback_log")
            #expect(rows == "2")
            let longest = try await BackupRestoreTests.sqlite(
                database.path, "SELECT MAX(length(CAST(query AS BLOB)) + length(CAST(outcome AS BLOB)) + length(CAST(order_id AS BLOB))) FROM callback_log")
            #expect((Int(longest) ?? .max) <= 4096, "the largest row keeps \(longest) bytes")
        }
    }

    @Test("a flood of forged callbacks: at most the minute's budget is written, and only the newest are kept")
    func floodOfForgedCallbacks() async throws {
        try await withPayment(["refused_callbacks_per_minute": "80", "refused_callbacks_kept": "50"]) { client, database in
            for n in 0..<120 {
                let answer = try await forge(client, "vnp_TxnRef=DVC-GIA-\(n)&vnp_Amount=100&vnp_SecureHash=\(n)")
                #expect(!answer.accepted)
            }
            let kept = try await BackupRestoreTests.sqlite(database.path, "SELECT COUNT(*) FROM callback_log")
            #expect(kept == "50", "callback_log holds \(kept) rows after 120 forged callbacks")
            // The newest written ones stay: the 80th (n = 79) is the last within the budget.
            let newest = try await BackupRestoreTests.sqlite(database.path, "SELECT query FROM callback_log ORDER BY id DESC LIMIT 1")
            #expect(newest.contains("DVC-GIA-79&"), "\(newest)")
        }
    }
}
