import DVCProto
import Foundation
@testable import PaymentService
import RPCCore
import Storage
import StorageTestKit
import Testing

/// Creating payments, online and at the counter, on both backends: one payment per key however
/// often and however concurrently it is sent, and the refusals of a settled fee.
@Suite struct PaymentCreationStoreTests {
    typealias F = PaymentStoreFixtures

    @Test(arguments: TestDatabases.backends) func theSameKeyTwiceGivesOnePayment(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let first = try await F.create(F.pending(), key: "k-1", in: database)
        // A retry prepares another payment (new id, new order); the stored one is the answer.
        let again = try await F.create(F.pending(), key: "k-1", in: database)
        #expect(again.id == first.id && again.orderId == first.orderId)
        #expect(again.state == .pending && again.amountVnd == 3000 && again.dossierId == "hs-1")
        #expect(try await F.count("SELECT COUNT(*) FROM payment", in: database) == 1)
        #expect(try await F.events(database) == ["payment.created → dossier-svc", "payment.created → notify-svc"])
    }

    @Test(arguments: TestDatabases.backends) func twentyConcurrentCreatesWithOneKeyGiveOnePayment(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ids = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 { group.addTask { try await F.create(F.pending(), key: "k-concurrent", in: database).id } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(ids.count == 1)
        #expect(try await F.count("SELECT COUNT(*) FROM payment", in: database) == 1)
        #expect(try await F.count("SELECT COUNT(*) FROM outbox WHERE type = 'payment.created'", in: database) == 2)
    }

    @Test(arguments: TestDatabases.backends) func anAttemptUnderWayIsTheAnswerAndASettledFeeIsRefused(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ledger = F.ledger(database)
        let first = try await F.create(F.pending(), key: "k-1", in: database)
        // Another key for the same dossier while the first attempt runs: that attempt.
        #expect(try await F.create(F.pending(), key: "k-2", in: database).id == first.id)
        // Once it has expired, a new attempt is made.
        let later = UnixMillis.now() + 1_000_000
        let second = try await F.create(F.pending(), key: "k-3", in: database, nowMs: later)
        #expect(second.id != first.id)
        _ = try await ledger.handleCallback(F.callback(order: second.orderId, amount: 3000))
        let refused = await #expect(throws: RPCError.self) { try await F.create(F.pending(), key: "k-4", in: database, nowMs: later) }
        #expect(refused?.code == .failedPrecondition)
        #expect(refused?.message.contains("already settled") == true)
        #expect(try await F.count("SELECT COUNT(*) FROM payment", in: database) == 2)
    }

    @Test(arguments: TestDatabases.backends) func aCounterPaymentHasItsReceiptAndEventOnce(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let paid = try await F.recordCounter(F.counter(dossier: "hs-2", amount: 200_000), key: "q-1", in: database)
        #expect(paid.state == .paid && paid.provider == "counter" && paid.recordedBy == "officer:cb-01")
        #expect(paid.receiptNumber == "BL/\(ElectronicReceipt.year(of: Date()))/SOTP-1")
        // The officer's retry: the same record.
        let again = try await F.recordCounter(F.counter(dossier: "hs-2", amount: 200_000), key: "q-1", in: database)
        #expect(again.id == paid.id && again.receiptNumber == paid.receiptNumber)
        #expect(try await F.events(database) == ["payment.paid → dossier-svc", "payment.paid → notify-svc"])
        #expect(try await F.count("SELECT COUNT(*) FROM receipt", in: database) == 1)
        // Another key, the fee already settled: refused, nothing written.
        let refused = await #expect(throws: RPCError.self) {
            try await F.recordCounter(F.counter(dossier: "hs-2", amount: 200_000), key: "q-2", in: database)
        }
        #expect(refused?.code == .failedPrecondition)
        #expect(try await F.count("SELECT COUNT(*) FROM payment", in: database) == 1)
    }

    @Test(arguments: TestDatabases.backends) func anExemptionHasNoReceiptAndItsOwnEvent(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let exempt = try await F.recordCounter(F.counter(dossier: "hs-3", amount: 0), in: database)
        #expect(exempt.state == .exempt && exempt.amountVnd == 0 && exempt.receiptNumber.isEmpty)
        #expect(exempt.category == "Người có công với cách mạng")
        #expect(try await F.events(database) == ["payment.exempted → dossier-svc", "payment.exempted → notify-svc"])
        #expect(try await F.count("SELECT COUNT(*) FROM receipt", in: database) == 0)
    }

    @Test(arguments: TestDatabases.backends) func theCounterRefusesWhileAnOnlinePaymentIsUnderWay(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let online = try await F.create(F.pending(dossier: "hs-4"), in: database)
        let refused = await #expect(throws: RPCError.self) {
            try await F.recordCounter(F.counter(dossier: "hs-4", amount: 3000), in: database)
        }
        #expect(refused?.code == .failedPrecondition)
        #expect(refused?.message.contains(online.id) == true)
        #expect(try await F.count("SELECT COUNT(*) FROM payment", in: database) == 1)
    }

    @Test(arguments: TestDatabases.backends) func anAgencysPaymentsComeAPageAtATime(backend: SQLBackend) async throws {
        let database = try F.database(backend)
        let ledger = F.ledger(database)
        for index in 0..<5 {
            _ = try await F.create(F.pending(dossier: "hs-p\(index)", createdAtMs: 1_800_000_000_000 + Int64(index)), in: database)
        }
        var request = PaymentV1.ListPaymentsRequest()
        request.agencyCode = F.agency
        request.pageSize = 2
        request.state = .pending
        var seen: [String] = []
        repeat {
            let page = try await ledger.list(request, identity: .system(service: "dossier-svc"))
            seen += page.payments.map(\.dossierId)
            request.pageToken = page.nextPageToken
        } while !request.pageToken.isEmpty
        #expect(seen == ["hs-p0", "hs-p1", "hs-p2", "hs-p3", "hs-p4"])
        request.pageToken = ""
        request.state = .paid
        #expect(try await ledger.list(request, identity: .system(service: "dossier-svc")).payments.isEmpty)
    }
}
