import DVCProto
import Foundation
import Storage
import StorageTestKit
import Testing

@Suite struct OutboxTests {
    @Test(arguments: TestDatabases.backends) func enqueueWritesOneRowWithTheEncodedEvent(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Fixtures.migrations())
        let before = Int64(Date().timeIntervalSince1970 * 1000)

        let stored = try await Fixtures.submit("d1", in: database)

        #expect(UUID(uuidString: stored.id) != nil)
        #expect(stored.occurredAtUnixMs >= before)
        let rowRow = try await database.read { db in try SQLRow.fetchOne(db, sql: "SELECT * FROM outbox") }
        let row = try #require(rowRow)
        #expect(row["event_id"] as String == stored.id)
        #expect(row["type"] as String == "dossier.received")
        #expect(row["aggregate_id"] as String == "d1")
        #expect(row["destination"] as String == "notify-svc")
        #expect(try EventsV1.Event(protobuf: row["payload"] as Data) == stored)
        #expect(row["created_at"] as Int64 >= before)
        #expect(row["next_attempt_at"] as Int64 == row["created_at"] as Int64)
        #expect(row["attempts"] as Int == 0)
        #expect(row["delivered_at"] as Int64? == nil)
        #expect(row["last_error"] as String? == nil)
    }

    @Test(arguments: TestDatabases.backends) func aGivenIdAndTimeAreKept(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Fixtures.migrations())
        var event = Fixtures.event(aggregate: "d1")
        event.id = "0b0e3a36-6d0f-4a53-9d6f-1f5b2b8f2d11"
        event.occurredAtUnixMs = 1_700_000_000_000
        let given = event
        let stored = try await database.write { db in try Outbox.enqueue(given, to: "notify-svc", in: db) }
        #expect(stored == given)
    }

    @Test(arguments: TestDatabases.backends) func fanOutMakesOneRowPerDestinationWithOneEventID(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Fixtures.migrations())
        let event = try await database.write { db in
            try Outbox.enqueue(Fixtures.event(aggregate: "d1"), to: ["notify-svc", "payment-svc"], in: db)
        }
        let rows = try await database.read { db in
            try SQLRow.fetchAll(db, sql: "SELECT event_id, destination FROM outbox ORDER BY seq")
        }
        #expect(rows.map { $0["event_id"] as String } == [event.id, event.id])
        #expect(rows.map { $0["destination"] as String } == ["notify-svc", "payment-svc"])
        #expect(try await database.read { db in try Outbox.backlogByDestination(in: db) }
            == ["notify-svc": 1, "payment-svc": 1])
    }

    @Test(arguments: TestDatabases.backends) func aFailedTransactionRollsBackBothTheStateChangeAndTheEvent(backend: SQLBackend) async throws {
        struct Refused: Error {}
        let database = try TestDatabases.make(backend, migrations: Fixtures.migrations())
        await #expect(throws: Refused.self) {
            try await database.write { db in
                try db.execute(sql: "INSERT INTO dossier (id, status) VALUES ('d1', 1)")
                try Outbox.enqueue(Fixtures.event(aggregate: "d1"), to: "notify-svc", in: db)
                throw Refused()
            }
        }
        // A constraint failure after the enqueue rolls back just the same.
        try await Fixtures.submit("d2", in: database)
        let duplicate = await #expect(throws: (any Error).self) { try await Fixtures.submit("d2", in: database) }
        #expect(duplicate.map(SQLError.isUniqueViolation) == true)

        let (dossiers, events) = try await database.read { db in
            (try String.fetchAll(db, sql: "SELECT id FROM dossier"),
             try String.fetchAll(db, sql: "SELECT aggregate_id FROM outbox"))
        }
        #expect(dossiers == ["d2"])
        #expect(events == ["d2"])
    }

    @Test(arguments: TestDatabases.backends) func eventsMissingWhatTheRelayNeedsAreRefused(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Migrations())
        var untyped = Fixtures.event(aggregate: "d1")
        untyped.type = ""
        let event = untyped
        await #expect(throws: StorageError.invalidEvent("event has no type")) {
            try await database.write { db in try Outbox.enqueue(event, to: "notify-svc", in: db) }
        }
        await #expect(throws: StorageError.self) {
            try await database.write { db in try Outbox.enqueue(Fixtures.event(aggregate: ""), to: "notify-svc", in: db) }
        }
        await #expect(throws: StorageError.self) {
            try await database.write { db in try Outbox.enqueue(Fixtures.event(aggregate: "d1"), to: [], in: db) }
        }
        #expect(try await database.read { db in try Outbox.backlog(in: db) } == 0)
    }

    @Test(arguments: TestDatabases.backends) func backlogCountsUndeliveredRowsAndTheirAge(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Fixtures.migrations())
        #expect(try await database.read { db in try Outbox.oldestPendingCreatedAt(in: db) } == nil)
        for id in ["d1", "d2", "d3"] { try await Fixtures.submit(id, in: database) }
        try await database.write { db in try db.execute(sql: "UPDATE outbox SET delivered_at = 1 WHERE aggregate_id = 'd1'") }

        let (backlog, oldest) = try await database.read { db in
            (try Outbox.backlog(in: db), try Outbox.oldestPendingCreatedAt(in: db))
        }
        #expect(backlog == 2)
        let age = try #require(oldest).timeIntervalSinceNow
        #expect(age <= 0 && age > -60)
    }
}
