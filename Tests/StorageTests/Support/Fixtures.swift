import DVCProto
import Foundation
import GRDB
import Storage

/// Schema and values shared by the tests: a tiny "dossier" service.
enum Fixtures {
    static func migrations() -> Migrations {
        var migrations = Migrations()
        migrations.register("test.v1.create-dossier", postgres: .sql("CREATE TABLE dossier (id TEXT PRIMARY KEY, status BIGINT NOT NULL)")) { db in
            try db.execute(sql: "CREATE TABLE dossier (id TEXT PRIMARY KEY, status INTEGER NOT NULL) STRICT")
        }
        return migrations
    }

    static func event(type: String = "dossier.received", aggregate: String, payload: [UInt8] = []) -> EventsV1.Event {
        var event = EventsV1.Event()
        event.type = type
        event.aggregateId = aggregate
        event.source = "test-svc"
        event.payload = Data(payload)
        return event
    }

    /// Inserts a dossier and its event in one transaction, as a service would.
    @discardableResult
    static func submit(_ id: String, to destination: String = "notify-svc", in database: ServiceDatabase) async throws
        -> EventsV1.Event
    {
        try await database.write { db in
            try db.execute(sql: "INSERT INTO dossier (id, status) VALUES (?, 1)", arguments: [id])
            return try Outbox.enqueue(event(aggregate: id), to: destination, in: db)
        }
    }
}
