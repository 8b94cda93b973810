import DVCProto
import Foundation
import GRDB
import Storage
import Testing

@Suite struct OutboxTests {
    @Test func enqueueWritesOneRowWithTheEncodedEvent() async throws {
        let dir = try TemporaryDirectory()
        let database = try ServiceDatabase(directory: dir.path, name: "svc", migrations: Fixtures.migrations())
        let before = Int64(Date().timeIntervalSince1970 * 1000)

        let stored = try await Fixtures.submit("d1", in: database)

        #expect(UUID(uuidString: stored.id) != nil)
        #expect(stored.occurredAtUnixMs >= before)
        let rowRow = try database.read { db in try Row.fetchOne(db, sql: "SELECT * FROM outbox") }
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

    @Test func aGivenIdAndTimeAreKept() async throws {
        let database = try ServiceDatabase.inMemory(migrations: Fixtures.migrations())
        var event = Fixtures.event(aggregate: "d1")
        event.id = "0b0e3a36-6d0f-4a53-9d6f-1f5b2b8f2d11"
        event.occurredAtUnixMs = 1_700_000_000_000
        let given = event
        let stored = try await database.write { db in try Outbox.enqueue(given, to: "notify-svc", in: db) }
        #expect(stored == given)
    }

    @Test func fanOutMakesOneRowPerDestinationWithOneEventID() async throws {
        let database = try ServiceDatabase.inMemory(migrations: Fixtures.migrations())
        let event = try await database.write { db in
            try Outbox.enqueue(Fixtures.event(aggregate: "d1"), to: ["notify-svc", "payment-svc"], in: db)
        }
        let rows = try database.read { db in
            try Row.fetchAll(db, sql: "SELECT event_id, destination FROM outbox ORDER BY seq")
        }
        #expect(rows.map { $0["event_id"] as String } == [event.id, event.id])
        #expect(rows.map { $0["destination"] as String } == ["notify-svc", "payment-svc"])
        #expect(try await database.read { db in try Outbox.backlogByDestination(in: db) }
            == ["notify-svc": 1, "payment-svc": 1])
    }

    @Test func aFailedTransactionRollsBackBothTheStateChangeAndTheEvent() async throws {
        struct Refused: Error {}
        let dir = try TemporaryDirectory()
        let database = try ServiceDatabase(directory: dir.path, name: "svc", migrations: Fixtures.migrations())
        await #expect(throws: Refused.self) {
            try await database.write { db in
                try db.execute(sql: "INSERT INTO dossier (id, status) VALUES ('d1', 1)")
                try Outbox.enqueue(Fixtures.event(aggregate: "d1"), to: "notify-svc", in: db)
                throw Refused()
            }
        }
        // A constraint failure after the enqueue rolls back just the same.
        try await Fixtures.submit("d2", in: database)
        await #expect(throws: DatabaseError.self) { try await Fixtures.submit("d2", in: database) }

        let (dossiers, events) = try await database.read { db in
            (try String.fetchAll(db, sql: "SELECT id FROM dossier"),
             try String.fetchAll(db, sql: "SELECT aggregate_id FROM outbox"))
        }
        #expect(dossiers == ["d2"])
        #expect(events == ["d2"])
    }

    @Test func eventsMissingWhatTheRelayNeedsAreRefused() async throws {
        let database = try ServiceDatabase.inMemory()
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

    @Test func backlogCountsUndeliveredRowsAndTheirAge() async throws {
        let database = try ServiceDatabase.inMemory(migrations: Fixtures.migrations())
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
