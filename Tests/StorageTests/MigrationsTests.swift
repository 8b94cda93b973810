import Foundation
import GRDB
import Storage
import Synchronization
import Testing

/// What the migrations of a test ran, in order.
final class RunLog: Sendable {
    private let names = Mutex<[String]>([])
    func append(_ name: String) { names.withLock { $0.append(name) } }
    var all: [String] { names.withLock { $0 } }
}

@Suite struct MigrationsTests {
    /// Migrations that log each run into a table, so a test sees what ran and in which order.
    static func logging(_ names: [String], runs: RunLog? = nil) -> Migrations {
        var migrations = Migrations()
        for (index, name) in names.enumerated() {
            migrations.register(name) { db in
                if index == 0 { try db.execute(sql: "CREATE TABLE migration_log (name TEXT NOT NULL) STRICT") }
                try db.execute(sql: "INSERT INTO migration_log (name) VALUES (?)", arguments: [name])
                runs?.append(name)
            }
        }
        return migrations
    }

    @Test func theKitsTablesComeFirst() {
        let migrations = Self.logging(["test.v1", "test.v2"])
        #expect(migrations.names.first?.hasPrefix("storage.") == true)
        #expect(Array(migrations.names.suffix(2)) == ["test.v1", "test.v2"])
    }

    @Test func migrationsApplyOnceAndInOrder() throws {
        let dir = try TemporaryDirectory()
        let runs = RunLog()
        let names = ["test.v1", "test.v2", "test.v3"]
        let migrations = Self.logging(names, runs: runs)

        let first = try ServiceDatabase(directory: dir.path, name: "svc", migrations: migrations)
        #expect(try first.sqliteRead { db in try String.fetchAll(db, sql: "SELECT name FROM migration_log ORDER BY rowid") } == names)
        #expect(try first.appliedMigrations() == migrations.names)
        try first.close()

        // Opening again runs nothing.
        let second = try ServiceDatabase(directory: dir.path, name: "svc", migrations: migrations)
        #expect(runs.all == names)
        #expect(try second.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM migration_log") } == 3)
    }

    @Test func aNewBinaryRunsOnlyItsNewMigrations() throws {
        let dir = try TemporaryDirectory()
        try ServiceDatabase(directory: dir.path, name: "svc", migrations: Self.logging(["test.v1"])).close()

        let runs = RunLog()
        let upgraded = try ServiceDatabase(
            directory: dir.path, name: "svc", migrations: Self.logging(["test.v1", "test.v2"], runs: runs))
        #expect(runs.all == ["test.v2"])
        #expect(try upgraded.sqliteRead { db in try String.fetchAll(db, sql: "SELECT name FROM migration_log ORDER BY rowid") }
            == ["test.v1", "test.v2"])
    }

    @Test func anOlderBinaryRefusesANewerDatabaseAndTouchesNothing() throws {
        let dir = try TemporaryDirectory()
        try ServiceDatabase(directory: dir.path, name: "svc", migrations: Self.logging(["test.v1", "test.v2"])).close()

        let runs = RunLog()
        // The old binary also has a migration the new one dropped from its list: it must not run.
        let old = Self.logging(["test.v1", "test.old-only"], runs: runs)
        let path = dir.path + "/svc.sqlite"
        #expect(throws: StorageError.databaseIsNewer(path: path, unknownMigrations: ["test.v2"])) {
            try ServiceDatabase(directory: dir.path, name: "svc", migrations: old)
        }
        #expect(runs.all.isEmpty)
        let error = StorageError.databaseIsNewer(path: path, unknownMigrations: ["test.v2"])
        #expect(error.description.contains("newer version"))
        #expect(error.description.contains("test.v2"))
    }

    @Test func aFailingMigrationLeavesTheDatabaseAsBefore() throws {
        struct Broken: Error {}
        let dir = try TemporaryDirectory()
        var migrations = Self.logging(["test.v1"])
        migrations.register("test.v2-broken") { db in
            try db.execute(sql: "CREATE TABLE half_done (id INTEGER)")
            throw Broken()
        }
        #expect(throws: Broken.self) {
            try ServiceDatabase(directory: dir.path, name: "svc", migrations: migrations)
        }
        let fixed = try ServiceDatabase(directory: dir.path, name: "svc", migrations: Self.logging(["test.v1"]))
        #expect(try fixed.sqliteRead { db in try db.tableExists("half_done") } == false)
        #expect(try fixed.appliedMigrations().last == "test.v1")
    }
}
