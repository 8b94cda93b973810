import DVCProto
import Foundation
@testable import PaymentService
import RPCCore
import Storage
import StorageTestKit
import Testing

/// The provider's callbacks through the ledger, on both backends: a notification is applied
/// exactly once however often, late or concurrently it comes; refused callbacks change nothing
/// and are logged as refused.
@Suite struct PaymentCallbackStoreTests {
    typealias F = PaymentStoreFixtures

    @Test(arguments: TestDatabases.backends) func aPaidNotificationIsAppliedOnceAndItsDuplicateAcknowledged(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ledger = F.ledger(database)
        let payment = try await F.create(F.pending(), in: database)
        let notification = F.callback(order: payment.orderId, amount: 3000)

        let first = try await ledger.handleCallback(notification)
        #expect(F.answerCode(first) == "00" && first.accepted)
        #expect(first.payment?.state == .paid && first.payment?.providerTransactionId == "14000001")
        #expect(first.payment?.receiptNumber == "BL/\(ElectronicReceipt.year(of: Date()))/SOTP-1")
        let duplicate = try await ledger.handleCallback(notification)
        #expect(F.answerCode(duplicate) == "02" && duplicate.accepted)
        #expect(duplicate.payment?.receiptNumber == first.payment?.receiptNumber)

        let stored = try await ledger.get(id: payment.id, identity: .system(service: "dossier-svc"))
        #expect(stored.state == .paid && stored.paidAtUnixMs == first.payment?.paidAtUnixMs)
        #expect(try await F.events(database) == [
            "payment.created → dossier-svc", "payment.created → notify-svc",
            "payment.paid → dossier-svc", "payment.paid → notify-svc",
        ])
        #expect(try await F.count("SELECT COUNT(*) FROM receipt", in: database) == 1)
        #expect(try await F.count("SELECT last FROM receipt_sequence", in: database) == 1)
        let log = try await database.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT kind, order_id, outcome, refused FROM callback_log ORDER BY id")
        }
        #expect(log.map { $0["outcome"] as String } == ["paid", "already paid"])
        #expect(log.allSatisfy { $0["order_id"] as String == payment.orderId && $0["refused"] as Int64 == 0 })
    }

    @Test(arguments: TestDatabases.backends) func twentyConcurrentNotificationsPayOnce(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ledger = F.ledger(database)
        let payment = try await F.create(F.pending(), in: database)
        let notification = F.callback(order: payment.orderId, amount: 3000)
        let codes = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { F.answerCode(try await ledger.handleCallback(notification)) } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(codes.filter { $0 == "00" }.count == 1)
        #expect(codes.filter { $0 == "02" }.count == 19)
        #expect(try await F.count("SELECT COUNT(*) FROM outbox WHERE type = 'payment.paid'", in: database) == 2)
        #expect(try await F.count("SELECT COUNT(*) FROM receipt", in: database) == 1)
        #expect(try await F.count("SELECT COUNT(*) FROM callback_log", in: database) == 20)
    }

    @Test(arguments: TestDatabases.backends) func lateAndReplayedCallbacksChangeNothing(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ledger = F.ledger(database)
        let payment = try await F.create(F.pending(), in: database)
        // Declined first, then paid after all: the money was taken, the payment is paid.
        let declined = try await ledger.handleCallback(F.callback(order: payment.orderId, amount: 3000, code: "24"))
        #expect(F.answerCode(declined) == "00" && declined.payment?.state == .failed)
        #expect(declined.payment?.reason == "Mã phản hồi 24 từ vnpay")
        #expect(F.answerCode(try await ledger.handleCallback(F.callback(order: payment.orderId, amount: 3000, code: "24"))) == "02")
        let paid = try await ledger.handleCallback(F.callback(order: payment.orderId, amount: 3000, transaction: "14000002"))
        #expect(paid.payment?.state == .paid && paid.payment?.providerTransactionId == "14000002")
        // A late failure, a replay of the decline, the browser's return: nothing changes.
        for late in [F.callback(order: payment.orderId, amount: 3000, code: "51"),
                     F.callback(order: payment.orderId, amount: 3000, code: "24")] {
            let answer = try await ledger.handleCallback(late)
            #expect(F.answerCode(answer) == "02" && answer.payment?.state == .paid)
        }
        let back = try await ledger.handleCallback(F.callback(order: payment.orderId, amount: 3000, kind: .return))
        #expect(back.accepted && back.payment?.state == .paid)
        #expect(try await ledger.get(id: payment.id, identity: .system(service: "notify-svc")).providerTransactionId == "14000002")
        #expect(try await F.count("SELECT COUNT(*) FROM outbox WHERE type = 'payment.failed'", in: database) == 2)
        #expect(try await F.count("SELECT COUNT(*) FROM outbox WHERE type = 'payment.paid'", in: database) == 2)
    }

    @Test(arguments: TestDatabases.backends) func unknownOrdersWrongAmountsAndForgeriesAreRefused(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ledger = F.ledger(database)
        let payment = try await F.create(F.pending(), in: database)
        let unknown = try await ledger.handleCallback(F.callback(order: "DVC20261207FFFFFFFFFFFFFFFFFFFF", amount: 3000))
        #expect(F.answerCode(unknown) == "01" && !unknown.accepted)
        let wrongAmount = try await ledger.handleCallback(F.callback(order: payment.orderId, amount: 300))
        #expect(F.answerCode(wrongAmount) == "04" && !wrongAmount.accepted)
        let forged = try await ledger.handleCallback(F.callback(order: payment.orderId, amount: 3000, secret: "doan-mo-bi-mat"))
        #expect(F.answerCode(forged) == "97" && !forged.accepted)

        #expect(try await ledger.get(id: payment.id, identity: .system(service: "dossier-svc")).state == .pending)
        #expect(try await F.count("SELECT COUNT(*) FROM outbox WHERE type <> 'payment.created'", in: database) == 0)
        let outcomes = try await database.read { db in
            try String.fetchAll(db, sql: "SELECT outcome FROM callback_log WHERE refused = 1 ORDER BY id")
        }
        #expect(outcomes.count == 3)
        #expect(outcomes[0] == "unknown order" && outcomes[1] == "amount 300 ≠ 3000" && outcomes[2].hasPrefix("refused: "))
    }

    @Test(arguments: TestDatabases.backends) func onlyTheNewestRefusedCallbacksAreKept(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        for index in 0..<5 {
            try await database.write { db in
                try PaymentStore.logCallback(atMs: Int64(index), provider: "vnpay", kind: "notification", orderID: "X\(index)",
                                             query: "q", outcome: "unknown order", refused: true, refusedKept: 3, db)
            }
        }
        try await database.write { db in
            try PaymentStore.logCallback(atMs: 9, provider: "vnpay", kind: "notification", orderID: "A", query: "q", outcome: "paid",
                                         refused: false, refusedKept: 3, db)
        }
        let orders = try await database.read { db in try String.fetchAll(db, sql: "SELECT order_id FROM callback_log ORDER BY id") }
        #expect(orders == ["X2", "X3", "X4", "A"])
    }

    @Test(arguments: TestDatabases.backends) func anExpiredPaymentIsClosedOnceAndMayStillBePaid(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ledger = F.ledger(database)
        let payment = try await F.create(F.pending(), in: database)
        let later = UnixMillis.now() + 1_000_000
        #expect(try await ledger.expireDue(nowMs: later - 200_000) == 0)
        #expect(try await ledger.expireDue(nowMs: later) == 1)
        #expect(try await ledger.expireDue(nowMs: later) == 0)
        let expired = try await ledger.get(id: payment.id, identity: .system(service: "dossier-svc"))
        #expect(expired.state == .expired && expired.reason == "Hết thời gian thanh toán")
        let paid = try await ledger.handleCallback(F.callback(order: payment.orderId, amount: 3000))
        #expect(F.answerCode(paid) == "00" && paid.payment?.state == .paid)
        #expect(try await F.count("SELECT COUNT(*) FROM outbox WHERE type = 'payment.expired'", in: database) == 2)
    }
}
