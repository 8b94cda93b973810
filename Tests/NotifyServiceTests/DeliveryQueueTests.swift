import DVCProto
import Foundation
import GRDB
import Logging
import Storage
import Testing

@testable import NotifyService

/// The queue's states: claimed rows are `sending` and not claimed twice; rows left `sending`
/// by a dead process come back; unconfigured channels wait without crowding others out;
/// failures retry, then fail for good, each with a log line.
@Suite struct DeliveryQueueTests {
    func queued(_ count: Int) async throws -> ServiceDatabase {
        let database = try ServiceDatabase.inMemory(migrations: NotifyServiceApp.migrations)
        try TemplateStore(database: database).seedDefaults()
        // Mail and texts go only to the contacts the citizen set in their account.
        var preference = NotifyV1.SetContactPreferencesRequest()
        preference.email = "binh@example.vn"
        preference.phone = "0912345678"
        preference.channels = .both
        _ = try await ContactPreferenceStore(database: database).set(citizenID: EventIntakeTests.citizen, preference)
        let intake = EventIntake(database: database, logger: Logger(label: "test"), queued: {})
        for n in 0..<count {
            _ = try await intake.accept(EventIntakeTests.dossierEvent("dossier.received", dossierID: "d-\(n)"))
        }
        return database
    }

    func states(_ database: ServiceDatabase, _ channel: NotifyV1.Channel) async throws -> [Int64] {
        try await database.sqliteRead { db in
            try Int64.fetchAll(db, sql: "SELECT state FROM delivery WHERE channel = ? ORDER BY created_at",
                               arguments: [Int64(channel.rawValue)])
        }
    }

    @Test func claimsOnlyConfiguredChannelsAndNeverTwice() async throws {
        let database = try await queued(20)
        let now = UnixMillis.now() + 1
        let first = try await database.sqliteWrite { db in try DeliveryQueue.claimDue(now: now, limit: 16, channels: [.email], db) }
        #expect(first.count == 16 && first.allSatisfy { $0.channel == .email })
        let second = try await database.sqliteWrite { db in try DeliveryQueue.claimDue(now: now, limit: 16, channels: [.email], db) }
        #expect(second.count == 4, "the 20 SMS rows, older or not, do not crowd the emails out")
        #expect(Set(first.map(\.id)).isDisjoint(with: second.map(\.id)))
        #expect(try await states(database, .sms).allSatisfy { $0 == 1 }, "SMS rows wait, untouched")
    }

    @Test func rowsLeftSendingAreSentAgainAfterARestart() async throws {
        let database = try await queued(2)
        let now = UnixMillis.now() + 1
        let claimed = try await database.sqliteWrite { db in try DeliveryQueue.claimDue(now: now, limit: 16, channels: [.email], db) }
        try await database.sqliteWrite { db in try DeliveryQueue.markSent(claimed[0].id, providerID: "<a@b>", detail: "250", now: now, db) }
        // The process dies here: claimed[1] stays `sending`.
        #expect(try await database.sqliteWrite { db in try DeliveryQueue.recoverInterrupted(now: now, db) } == 1)
        #expect(try await states(database, .email).sorted() == [1, 3])
        let again = try await database.sqliteWrite { db in try DeliveryQueue.claimDue(now: now, limit: 16, channels: [.email], db) }
        #expect(again.map(\.id) == [claimed[1].id])
    }

    @Test func failuresRetryThenFailForGoodWithALogLine() async throws {
        let database = try await queued(1)
        let now = UnixMillis.now() + 1
        let job = try #require(try await database.sqliteWrite { db in try DeliveryQueue.claimDue(now: now, limit: 1, channels: [.email], db) }.first)
        try await database.sqliteWrite { db in try DeliveryQueue.markFailed(job.id, error: "421 busy", retryAt: now + 500, now: now, db) }
        #expect(try await database.sqliteWrite { db in try DeliveryQueue.claimDue(now: now, limit: 1, channels: [.email], db) }.isEmpty,
                "not due before its backoff")
        let retried = try await database.sqliteWrite { db in try DeliveryQueue.claimDue(now: now + 500, limit: 1, channels: [.email], db) }
        #expect(retried.first?.attempts == 1)
        try await database.sqliteWrite { db in try DeliveryQueue.markFailed(job.id, error: "550 no such user", retryAt: nil, now: now, db) }
        let delivery = try #require(try await database.sqliteRead { db in try DeliveryQueue.list(dossierID: "d-0", citizenID: "", db) }
            .first { $0.channel == .email })
        #expect(delivery.state == .failed && delivery.attempts == 2 && delivery.lastError == "550 no such user")
        #expect(delivery.log.map(\.result) == ["retry", "failed"])
    }
}
