import DVCProto
import Foundation
import Storage
import StorageTestKit
import Testing

@Suite struct ProcessedEventsTests {
    /// A receiver as services will write one: dedup and effect in one transaction.
    static func receive(_ event: EventsV1.Event, into database: ServiceDatabase) async throws -> Bool {
        try await database.write { db in
            guard try ProcessedEvents.processOnce(eventID: event.id, in: db) else { return false }
            try db.execute(sql: "INSERT INTO dossier (id, status) VALUES (?, 1)", arguments: [event.aggregateId + "/" + event.id])
            return true
        }
    }

    @Test(arguments: TestDatabases.backends) func theSecondTimeAnIdIsSeenIsRefused(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Migrations())
        let results = try await database.write { db in
            [try ProcessedEvents.processOnce(eventID: "e1", in: db),
             try ProcessedEvents.processOnce(eventID: "e1", in: db),
             try ProcessedEvents.processOnce(eventID: "e2", in: db)]
        }
        #expect(results == [true, false, true])
        #expect(try await database.read { db in try ProcessedEvents.contains(eventID: "e1", in: db) })
        #expect(try await database.read { db in try ProcessedEvents.contains(eventID: "e3", in: db) } == false)
    }

    @Test(arguments: TestDatabases.backends) func aRedeliveredEventChangesNothing(backend: SQLBackend) async throws {
        let place = TestDatabasePlace(backend)
        let database = try place.open(name: "receiver", migrations: Fixtures.migrations())
        var event = Fixtures.event(aggregate: "d1")
        event.id = "e1"

        #expect(try await Self.receive(event, into: database))
        #expect(try await Self.receive(event, into: database) == false)
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossier") } == 1)
    }

    @Test(arguments: TestDatabases.backends) func aFailedEffectForgetsTheIdSoTheRetryApplies(backend: SQLBackend) async throws {
        struct EffectFailed: Error {}
        let database = try TestDatabases.make(backend, migrations: Fixtures.migrations())
        await #expect(throws: EffectFailed.self) {
            try await database.write { db in
                _ = try ProcessedEvents.processOnce(eventID: "e1", in: db)
                throw EffectFailed()
            }
        }
        var event = Fixtures.event(aggregate: "d1")
        event.id = "e1"
        #expect(try await Self.receive(event, into: database))
    }

    @Test(arguments: TestDatabases.backends) func anEmptyIdIsRefused(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Migrations())
        await #expect(throws: StorageError.invalidEvent("event has no id")) {
            try await database.write { db in try ProcessedEvents.processOnce(eventID: "", in: db) }
        }
    }

    @Test(arguments: TestDatabases.backends) func pruneForgetsOnlyOlderIds(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Migrations())
        try await database.write { db in
            _ = try ProcessedEvents.processOnce(eventID: "old", in: db)
            try db.execute(sql: "UPDATE processed_events SET processed_at = 1000 WHERE event_id = 'old'")
            _ = try ProcessedEvents.processOnce(eventID: "new", in: db)
        }
        let pruned = try await database.write { db in
            try ProcessedEvents.prune(processedBefore: Date(timeIntervalSinceNow: -3600), in: db)
        }
        #expect(pruned == 1)
        #expect(try await database.read { db in try String.fetchAll(db, sql: "SELECT event_id FROM processed_events") } == ["new"])
    }
}
