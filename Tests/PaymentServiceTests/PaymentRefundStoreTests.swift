import DVCProto
import Foundation
@testable import PaymentService
import RPCCore
import Storage
import StorageTestKit
import Testing

/// Refunds, receipts and the day's reconciliation, on both backends.
@Suite struct PaymentRefundStoreTests {
    typealias F = PaymentStoreFixtures
    static let approver = CallerIdentity.officer(id: "ld-01", agency: F.agency, roles: ["approver"])

    static func refund(_ paymentID: String, amount: Int64, reason: String = "Hồ sơ bị từ chối") -> PaymentV1.RefundRequest {
        var request = PaymentV1.RefundRequest()
        request.paymentId = paymentID
        request.amountVnd = amount
        request.reason = reason
        return request
    }

    @Test(arguments: TestDatabases.backends) func aPartThenTheRestIsRefunded(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ledger = F.ledger(database)
        let paid = try await F.recordCounter(F.counter(dossier: "hs-r1", amount: 200_000), in: database)

        let part = try await ledger.refund(Self.refund(paid.id, amount: 50_000), identity: Self.approver, apiKey: "key-1")
        #expect(part.state == .partiallyRefunded && part.refundedVnd == 50_000 && part.reason == "Hồ sơ bị từ chối")
        // More than what remains: refused naming the field, nothing written.
        let tooMuch = await #expect(throws: RPCError.self) { try await ledger.refund(Self.refund(paid.id, amount: 150_001), identity: Self.approver) }
        #expect(tooMuch?.code == .failedPrecondition)
        #expect(tooMuch?.violations.map(\.field) == ["amount_vnd"])
        let rest = try await ledger.refund(Self.refund(paid.id, amount: 0), identity: Self.approver)
        #expect(rest.state == .refunded && rest.refundedVnd == 200_000)
        let nothingLeft = await #expect(throws: RPCError.self) { try await ledger.refund(Self.refund(paid.id, amount: 0), identity: Self.approver) }
        #expect(nothingLeft?.code == .failedPrecondition)

        let refunds = try await database.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT amount_vnd, state, actor, api_key FROM refund ORDER BY requested_at_ms, amount_vnd")
        }
        #expect(refunds.map { $0["amount_vnd"] as Int64 }.sorted() == [50_000, 150_000])
        #expect(refunds.allSatisfy { $0["state"] as String == "done" && $0["actor"] as String == "officer:ld-01" })
        #expect(Set(refunds.map { $0["api_key"] as String }) == ["key-1", ""])
        #expect(try await F.count("SELECT COUNT(*) FROM outbox WHERE type = 'payment.refunded'", in: database) == 4)
        #expect(try await ledger.get(id: paid.id, identity: .system(service: "dossier-svc")).refundedVnd == 200_000)
    }

    @Test(arguments: TestDatabases.backends) func refundsOfUnknownOrUnpaidPaymentsAreRefused(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ledger = F.ledger(database)
        let unknown = await #expect(throws: RPCError.self) {
            try await ledger.refund(Self.refund("khong-co", amount: 0), identity: Self.approver)
        }
        #expect(unknown?.code == .notFound)
        let pending = try await F.create(F.pending(), in: database)
        let unpaid = await #expect(throws: RPCError.self) { try await ledger.refund(Self.refund(pending.id, amount: 0), identity: Self.approver) }
        #expect(unpaid?.code == .failedPrecondition)
        #expect(unpaid?.message.contains("was not paid") == true)
        // The store's own check, in the transaction, says the same of a payment gone meanwhile.
        let gone = await #expect(throws: RPCError.self) {
            try await database.write { db in
                try PaymentStore.requestRefund(id: "r-1", paymentID: "khong-co", amountVnd: 1, reason: "x", actor: "officer:ld-01",
                                               apiKey: "", nowMs: 0, db)
            }
        }
        #expect(gone?.code == .notFound)
        #expect(try await F.count("SELECT COUNT(*) FROM refund", in: database) == 0)
    }

    @Test(arguments: TestDatabases.backends) func aRequestedRefundCountsAgainstTheNextAndAFailedOneDoesNot(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let paid = try await F.recordCounter(F.counter(dossier: "hs-r2", amount: 10_000), in: database)
        func request(_ id: String, _ amount: Int64) async throws -> Int64 {
            try await database.write { db in
                try PaymentStore.requestRefund(id: id, paymentID: paid.id, amountVnd: amount, reason: "x", actor: "officer:ld-01",
                                               apiKey: "", nowMs: 1, db).1
            }
        }
        #expect(try await request("r-1", 6_000) == 6_000)
        // A second approver while the first is at the provider: only 4,000 remain.
        let refused = await #expect(throws: RPCError.self) { try await request("r-2", 5_000) }
        #expect(refused?.message.contains("6000 đồng are being refunded now") == true)
        try await database.write { db in try PaymentStore.failRefund(id: "r-1", message: "91 timeout", db) }
        #expect(try await request("r-3", 0) == 10_000)
        #expect(try await F.count("SELECT COUNT(*) FROM refund WHERE state = 'failed' AND provider_message = '91 timeout'", in: database) == 1)
    }

    @Test(arguments: TestDatabases.backends) func receiptsAreNumberedPerAgencyAndYearAndReadBack(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ledger = F.ledger(database)
        let online = try await F.create(F.pending(amount: 1_234_567), in: database)
        let paid = try #require(try await ledger.handleCallback(F.callback(order: online.orderId, amount: 1_234_567)).payment)
        let counter = try await F.recordCounter(F.counter(dossier: "hs-r3", amount: 3000), in: database)
        let year = ElectronicReceipt.year(of: Date())
        #expect([paid.receiptNumber, counter.receiptNumber] == ["BL/\(year)/SOTP-1", "BL/\(year)/SOTP-2"])

        let receipt = try await ledger.receipt(paymentID: paid.id, identity: .citizen(id: "001090000001"))
        #expect(receipt.number == paid.receiptNumber && receipt.paymentId == paid.id && receipt.mediaType == ElectronicReceipt.mediaType)
        let html = String(decoding: receipt.content, as: UTF8.self)
        #expect(html.contains("Số: BL/\(year)/SOTP-1") && html.contains("1.234.567 đồng") && html.contains("mã giao dịch 14000001"))
        #expect(receipt.issuedAtUnixMs == paid.paidAtUnixMs)

        let pending = try await F.create(F.pending(dossier: "hs-r4"), in: database)
        let none = await #expect(throws: RPCError.self) { try await ledger.receipt(paymentID: pending.id, identity: .system(service: "gateway")) }
        #expect(none?.code == .failedPrecondition)
        let stranger = await #expect(throws: RPCError.self) { try await ledger.receipt(paymentID: paid.id, identity: .citizen(id: "khac")) }
        #expect(stranger?.code == .notFound)
    }

    @Test(arguments: TestDatabases.backends) func theDaysProviderPaymentsAreReconciled(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        // 7 December 2026, 10:00 in Hà Nội (03:00 UTC), and the day after.
        let day = Date(timeIntervalSince1970: 1_796_612_400)
        let dayMs = Int64(day.timeIntervalSince1970 * 1000)
        var orders: [String] = []
        for (index, atMs) in [dayMs, dayMs + 3_600_000, dayMs + 86_400_000].enumerated() {
            let payment = try await F.create(F.pending(dossier: "hs-d\(index)", amount: 3000 * Int64(index + 1)), in: database)
            let callback = ProviderCallback(orderID: payment.orderId, amountVnd: payment.amountVnd, succeeded: true,
                                            transactionID: "T\(index)", responseCode: "00", bankCode: "NCB", paidAt: nil)
            let applied = try await database.write { db in
                try PaymentStore.applyCallback(callback, provider: "vnpay", notification: true, nowMs: atMs, db)
            }
            #expect(applied.outcome == .confirmed)
            orders.append(payment.orderId)
        }
        _ = try await F.recordCounter(F.counter(dossier: "hs-d9", amount: 5000), in: database)

        let ledger = try await database.read { db in try Reconciliation.ledger(day: day, db) }
        #expect(Set(ledger) == [Reconciliation.Line(orderID: orders[0], transactionNo: "T0", amountVnd: 3000),
                                Reconciliation.Line(orderID: orders[1], transactionNo: "T1", amountVnd: 6000)])
        let settlement = [Reconciliation.Line(orderID: orders[0], transactionNo: "T0", amountVnd: 3000)]
        #expect(Reconciliation.compare(ledger: ledger, settlement: settlement) == [.missingInSettlement(ledger.first { $0.orderID == orders[1] }!)])
    }
}
