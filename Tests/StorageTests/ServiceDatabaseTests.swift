import Foundation
import GRDB
import Storage
import Testing

@Suite struct ServiceDatabaseTests {
    static func pragmas(_ db: Database) throws -> [String] {
        try ["journal_mode", "foreign_keys", "busy_timeout", "synchronous"].map {
            try String.fetchOne(db, sql: "PRAGMA \($0)") ?? ""
        }
    }

    @Test func connectionsUseWALForeignKeysBusyTimeoutAndFullSync() async throws {
        let dir = try TemporaryDirectory()
        let database = try ServiceDatabase(directory: dir.path, name: "svc", migrations: Fixtures.migrations())

        // The writer connection and a reader connection both carry the settings.
        let writer = try await database.sqliteWrite { db in try Self.pragmas(db) }
        #expect(writer == ["wal", "1", "5000", "2"])
        let reader = try await database.sqliteRead { db in try Self.pragmas(db) }
        #expect(reader == ["wal", "1", "5000", "2"])
        #expect(database.path == dir.path + "/svc.sqlite")
        #expect(FileManager.default.fileExists(atPath: dir.path + "/svc.sqlite"))
    }

    @Test func synchronousAndBusyTimeoutAreConfigurable() throws {
        let dir = try TemporaryDirectory()
        var configuration = ServiceDatabase.Configuration()
        configuration.synchronous = .normal
        configuration.busyTimeout = .milliseconds(250)
        let database = try ServiceDatabase(
            directory: dir.path, name: "svc", migrations: Migrations(), configuration: configuration)
        let values = try database.sqliteWrite { db in
            [try Int.fetchOne(db, sql: "PRAGMA synchronous"), try Int.fetchOne(db, sql: "PRAGMA busy_timeout")]
        }
        #expect(values == [1, 250])
    }

    @Test func missingDataDirectoryIsCreated() throws {
        let dir = try TemporaryDirectory()
        let nested = dir.path + "/a/b"
        _ = try ServiceDatabase(directory: nested, name: "svc", migrations: Migrations())
        #expect(FileManager.default.fileExists(atPath: nested + "/svc.sqlite"))
    }

    @Test(arguments: ["", "../escape", "a/b", ".hidden", "dossier db"])
    func namesThatAreNotPlainFileNamesAreRefused(name: String) throws {
        let dir = try TemporaryDirectory()
        #expect(throws: StorageError.invalidDatabaseName(name)) {
            try ServiceDatabase(directory: dir.path, name: name, migrations: Migrations())
        }
    }

    @Test func foreignKeysAreEnforced() async throws {
        var migrations = Migrations()
        migrations.register("test.v1.parent-child") { db in
            try db.execute(sql: """
                CREATE TABLE parent (id INTEGER PRIMARY KEY);
                CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL REFERENCES parent(id));
                """)
        }
        let dir = try TemporaryDirectory()
        let database = try ServiceDatabase(directory: dir.path, name: "svc", migrations: migrations)
        await #expect(throws: DatabaseError.self) {
            try await database.sqliteWrite { db in try db.execute(sql: "INSERT INTO child (id, parent_id) VALUES (1, 42)") }
        }
    }

    @Test func aThrowingWriteLeavesNothingBehind() async throws {
        struct Refused: Error {}
        let dir = try TemporaryDirectory()
        let database = try ServiceDatabase(directory: dir.path, name: "svc", migrations: Fixtures.migrations())
        await #expect(throws: Refused.self) {
            try await database.sqliteWrite { db in
                try db.execute(sql: "INSERT INTO dossier (id, status) VALUES ('d1', 1)")
                throw Refused()
            }
        }
        #expect(try await database.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM dossier") } == 0)
    }

    @Test func blockingFormsWork() throws {
        let database = try ServiceDatabase.inMemory(migrations: Fixtures.migrations())
        try database.sqliteWrite { db in try db.execute(sql: "INSERT INTO dossier (id, status) VALUES ('d1', 1)") }
        #expect(try database.sqliteRead { db in try String.fetchAll(db, sql: "SELECT id FROM dossier") } == ["d1"])
    }

    @Test func inMemoryDatabaseHasTheKitTablesAndForeignKeys() async throws {
        let database = try ServiceDatabase.inMemory()
        #expect(database.path == nil)
        let (outbox, inbox, foreignKeys) = try await database.sqliteRead { db in
            (try db.tableExists("outbox"), try db.tableExists("processed_events"),
             try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(outbox && inbox && foreignKeys == 1)
    }

    @Test func committedWritesSurviveReopening() async throws {
        let dir = try TemporaryDirectory()
        do {
            let database = try ServiceDatabase(directory: dir.path, name: "svc", migrations: Fixtures.migrations())
            try await Fixtures.submit("d1", in: database)
            try database.close()
        }
        let reopened = try ServiceDatabase(directory: dir.path, name: "svc", migrations: Fixtures.migrations())
        #expect(try await reopened.sqliteRead { db in try String.fetchAll(db, sql: "SELECT id FROM dossier") } == ["d1"])
    }
}
