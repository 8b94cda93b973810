import DVCProto
import Foundation
import Logging
@testable import PaymentService
import RPCCore
import Storage
import StorageTestKit

/// What the ledger's store tests share: a migrated payment database on either backend, a
/// pending payment ready to store, the ledger over that database, and callbacks signed as the
/// provider signs them.
enum PaymentStoreFixtures {
    static let agency = "SOTP"
    static let secret = "bi-mat-thu-cua-nha-cung-cap"
    static let provider = VNPayProvider(configuration: .init(
        terminalCode: "DVCTEST01", hashSecret: secret, payURL: "https://pay.example/vpcpay.html", apiURL: "https://pay.example/api"))

    static func database(_ backend: SQLBackend) throws -> ServiceDatabase {
        try TestDatabases.make(backend, name: "payment", migrations: PaymentServiceApp.migrations)
    }

    /// The ledger over `database`. Its dossier-svc and catalog-svc are empty in-process routers:
    /// callbacks, refunds of counter payments, receipts, expiry and listing never call them
    /// (creating does, so creation is tested through ``PaymentStore`` itself).
    static func ledger(_ database: ServiceDatabase) -> PaymentLedger {
        PaymentLedger(database: database, dossiers: InProcessClient(router: RPCRouter()), catalog: InProcessClient(router: RPCRouter()),
                      providers: PaymentProviders(standard: provider),
                      settings: .init(defaultReturnURL: "http://gateway.example/payment/vnpay/return"),
                      logger: .init(label: "payment-store-tests"))
    }

    /// A pending online payment of `amount` đồng for `dossier`, not yet stored.
    static func pending(dossier: String = "hs-1", amount: Int64 = 3000, applicant: String = "001090000001",
                        createdAtMs: Int64 = UnixMillis.now()) -> PaymentV1.Payment {
        var payment = PaymentV1.Payment()
        payment.id = UUID().uuidString.lowercased()
        payment.orderId = PaymentLedger.orderID(now: Date())
        payment.dossierId = dossier
        payment.agencyCode = agency
        payment.procedureCode = "LLTP-01"
        payment.applicantId = applicant
        payment.amountVnd = amount
        payment.state = .pending
        payment.provider = provider.name
        payment.createdAtUnixMs = createdAtMs
        return payment
    }

    /// Stores `payment` (pending, expiring in 15 minutes) under `key`; what the store answered.
    static func create(_ payment: PaymentV1.Payment, key: String = UUID().uuidString, in database: ServiceDatabase,
                       nowMs: Int64 = UnixMillis.now()) async throws -> PaymentV1.Payment {
        try await database.write { db in
            try PaymentStore.create(payment, idempotencyKey: key, expiresAtMs: nowMs + 900_000, nowMs: nowMs, db)
        }
    }

    /// A fee paid (or, at 0 đồng, exempt) at the counter, not yet stored.
    static func counter(dossier: String, amount: Int64, officer: String = "cb-01") -> PaymentV1.Payment {
        var payment = pending(dossier: dossier, amount: amount)
        payment.orderId = "QUAY" + payment.orderId.dropFirst(3)
        payment.provider = PaymentLedger.counterProvider
        payment.recordedBy = "officer:\(officer)"
        payment.paidAtUnixMs = payment.createdAtUnixMs
        payment.state = amount > 0 ? .paid : .exempt
        if amount == 0 { payment.category = "Người có công với cách mạng" }
        return payment
    }

    static func recordCounter(_ payment: PaymentV1.Payment, key: String = UUID().uuidString,
                              in database: ServiceDatabase) async throws -> PaymentV1.Payment {
        let storedKey = "officer:cb-01:\(key)"
        return try await database.write { db in
            try PaymentStore.recordCounter(payment, storedKey: storedKey, nowMs: payment.createdAtUnixMs, db)
        }
    }

    /// The provider's notification (or the browser's return) for `order`, signed with `secret`.
    static func callback(order: String, amount: Int64, code: String = "00", transaction: String = "14000001",
                         kind: PaymentV1.ProviderCallbackRequest.Kind = .notification, secret: String = secret) -> PaymentV1.ProviderCallbackRequest {
        let parameters = [
            ("vnp_TmnCode", "DVCTEST01"), ("vnp_Amount", String(amount * 100)), ("vnp_TxnRef", order),
            ("vnp_ResponseCode", code), ("vnp_TransactionStatus", code), ("vnp_TransactionNo", transaction),
            ("vnp_BankCode", "NCB"), ("vnp_PayDate", "20261207094500"),
        ]
        let text = VNPayProvider.signedText(parameters)
        var request = PaymentV1.ProviderCallbackRequest()
        request.provider = provider.name
        request.kind = kind
        request.query = text + "&vnp_SecureHash=" + VNPayProvider.hmac(text, secret: secret)
        return request
    }

    /// The provider's answer code (`RspCode`) in a notification's answer.
    static func answerCode(_ response: PaymentV1.ProviderCallbackResponse) -> String {
        guard let range = response.body.range(of: "\"RspCode\":\"") else { return "" }
        return String(response.body[range.upperBound...].prefix(2))
    }

    /// The outbox's events as "type → destination", in commit order.
    static func events(_ database: ServiceDatabase) async throws -> [String] {
        try await database.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT type, destination FROM outbox ORDER BY seq").map {
                "\($0["type"] as String) → \($0["destination"] as String)"
            }
        }
    }

    static func count(_ sql: String, _ arguments: SQLArguments = [], in database: ServiceDatabase) async throws -> Int64 {
        try await database.read { db in try Int64.fetchOne(db, sql: sql, arguments: arguments) ?? -1 }
    }
}
