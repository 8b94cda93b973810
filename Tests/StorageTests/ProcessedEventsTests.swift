import DVCProto
import Foundation
import GRDB
import Storage
import Testing

@Suite struct ProcessedEventsTests {
    /// A receiver as services will write one: dedup and effect in one transaction.
    static func receive(_ event: EventsV1.Event, into database: ServiceDatabase) async throws -> Bool {
        try await database.sqliteWrite { db in
            guard try ProcessedEvents.processOnce(eventID: event.id, in: db) else { return false }
            try db.execute(sql: "INSERT INTO dossier (id, status) VALUES (?, 1)", arguments: [event.aggregateId + "/" + event.id])
            return true
        }
    }

    @Test func theSecondTimeAnIdIsSeenIsRefused() async throws {
        let database = try ServiceDatabase.inMemory()
        let results = try await database.sqliteWrite { db in
            [try ProcessedEvents.processOnce(eventID: "e1", in: db),
             try ProcessedEvents.processOnce(eventID: "e1", in: db),
             try ProcessedEvents.processOnce(eventID: "e2", in: db)]
        }
        #expect(results == [true, false, true])
        #expect(try await database.read { db in try ProcessedEvents.contains(eventID: "e1", in: db) })
        #expect(try await database.read { db in try ProcessedEvents.contains(eventID: "e3", in: db) } == false)
    }

    @Test func aRedeliveredEventChangesNothing() async throws {
        let dir = try TemporaryDirectory()
        let database = try ServiceDatabase(directory: dir.path, name: "receiver", migrations: Fixtures.migrations())
        var event = Fixtures.event(aggregate: "d1")
        event.id = "e1"

        #expect(try await Self.receive(event, into: database))
        #expect(try await Self.receive(event, into: database) == false)
        #expect(try await database.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossier") } == 1)
    }

    @Test func aFailedEffectForgetsTheIdSoTheRetryApplies() async throws {
        struct EffectFailed: Error {}
        let database = try ServiceDatabase.inMemory(migrations: Fixtures.migrations())
        await #expect(throws: EffectFailed.self) {
            try await database.sqliteWrite { db in
                _ = try ProcessedEvents.processOnce(eventID: "e1", in: db)
                throw EffectFailed()
            }
        }
        var event = Fixtures.event(aggregate: "d1")
        event.id = "e1"
        #expect(try await Self.receive(event, into: database))
    }

    @Test func anEmptyIdIsRefused() async throws {
        let database = try ServiceDatabase.inMemory()
        await #expect(throws: StorageError.invalidEvent("event has no id")) {
            try await database.write { db in try ProcessedEvents.processOnce(eventID: "", in: db) }
        }
    }

    @Test func pruneForgetsOnlyOlderIds() async throws {
        let database = try ServiceDatabase.inMemory()
        try await database.sqliteWrite { db in
            _ = try ProcessedEvents.processOnce(eventID: "old", in: db)
            try db.execute(sql: "UPDATE processed_events SET processed_at = 1000 WHERE event_id = 'old'")
            _ = try ProcessedEvents.processOnce(eventID: "new", in: db)
        }
        let pruned = try await database.write { db in
            try ProcessedEvents.prune(processedBefore: Date(timeIntervalSinceNow: -3600), in: db)
        }
        #expect(pruned == 1)
        #expect(try await database.sqliteRead { db in try String.fetchAll(db, sql: "SELECT event_id FROM processed_events") } == ["new"])
    }
}
