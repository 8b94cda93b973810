import Foundation
import GRDB
import Storage
import StorageTestKit
import Testing

/// The neutral SQL layer reads and writes the same values on both backends, refuses the same
/// things, and (on PostgreSQL) finds its way back after a connection is lost.
@Suite struct SQLConnectionTests {
    static var migrations: Migrations {
        var migrations = Migrations()
        migrations.register("test.v1-values", postgres: .sql("""
            CREATE TABLE value_row (id TEXT PRIMARY KEY, number BIGINT, ratio DOUBLE PRECISION, label TEXT, bytes BYTEA, flag BIGINT)
            """)) { db in
            try db.execute(sql: "CREATE TABLE value_row (id TEXT PRIMARY KEY, number INTEGER, ratio REAL, label TEXT, bytes BLOB, flag INTEGER) STRICT")
        }
        return migrations
    }

    @Test(arguments: TestDatabases.backends)
    func valuesComeBackAsTheyWent(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Self.migrations)
        let bytes = Data((0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }) + Data([0, 0, 255])
        let rows: [(String, Int64?, Double?, String?, Data?, Bool?)] = [
            ("max", Int64.max, 0.1, "Hồ sơ đăng ký khai sinh – ' \" ? ;", bytes, true),
            ("min", Int64.min, -1e300, "", Data(), false),
            ("nulls", nil, nil, nil, nil, nil),
        ]
        for row in rows {
            try await database.write { db in
                try db.execute(sql: "INSERT INTO value_row (id, number, ratio, label, bytes, flag) VALUES (?, ?, ?, ?, ?, ?)",
                               arguments: [row.0, row.1, row.2, row.3, row.4, row.5])
            }
        }
        for row in rows {
            let read = try await database.read { db in
                try SQLRow.fetchOne(db, sql: "SELECT * FROM value_row WHERE id = ?", arguments: [row.0])
            }
            let found = try #require(read)
            #expect(found["number"] as Int64? == row.1)
            #expect(found["ratio"] as Double? == row.2)
            #expect(found["label"] as String? == row.3)
            #expect(found["bytes"] as Data? == row.4)
            #expect(found["flag"] as Bool? == row.5)
        }
        // A question mark inside a literal is not a placeholder.
        let literal = try await database.read { db in
            try String.fetchOne(db, sql: "SELECT label FROM value_row WHERE label LIKE '%?%' AND id = ?", arguments: ["max"])
        }
        #expect(literal == rows[0].3)
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM value_row") } == 3)
        #expect(try await database.read { db in try Int64.fetchOne(db, sql: "SELECT SUM(flag) FROM value_row") } == 1)
    }

    @Test(arguments: TestDatabases.backends)
    func aDuplicateIsAUniqueViolationOnBoth(backend: SQLBackend) async throws {
        let database = try TestDatabases.make(backend, migrations: Self.migrations)
        try await database.write { db in try db.execute(sql: "INSERT INTO value_row (id) VALUES ('a')") }
        let error = await #expect(throws: (any Error).self) {
            try await database.write { db in try db.execute(sql: "INSERT INTO value_row (id) VALUES ('a')") }
        }
        #expect(error.map(SQLError.isUniqueViolation) == true)
        #expect(error.map(SQLError.isConstraintViolation) == true)
        // The refused write left the connection usable.
        try await database.write { db in
            try db.execute(sql: "INSERT INTO value_row (id) VALUES ('b') ON CONFLICT DO NOTHING")
            try db.execute(sql: "INSERT INTO value_row (id) VALUES ('a') ON CONFLICT DO NOTHING")
            #expect(db.changesCount == 0)
        }
        #expect(try await database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM value_row") } == 2)
    }

    @Test(arguments: TestDatabases.backends)
    func aSavepointRollsBackAloneAndTheTransactionGoesOn(backend: SQLBackend) async throws {
        struct Refused: Error {}
        let database = try TestDatabases.make(backend, migrations: Self.migrations)
        try await database.write { db in
            try db.execute(sql: "INSERT INTO value_row (id) VALUES ('kept')")
            try? db.inSavepoint {
                try db.execute(sql: "INSERT INTO value_row (id) VALUES ('undone')")
                throw Refused()
            }
            // A statement that failed inside a savepoint does not poison PostgreSQL's transaction.
            try? db.inSavepoint { try db.execute(sql: "INSERT INTO value_row (id) VALUES ('kept')") }
            try db.execute(sql: "INSERT INTO value_row (id) VALUES ('after')")
        }
        let ids = try await database.read { db in try String.fetchAll(db, sql: "SELECT id FROM value_row ORDER BY id") }
        #expect(ids == ["after", "kept"])
    }

    @Test func aServerThatDoesNotAnswerIsReportedAsUnavailable() throws {
        var configuration = ServiceDatabase.Configuration()
        configuration.reconnectWindow = .seconds(1)
        #expect(throws: StorageError.self) {
            try ServiceDatabase(postgres: "postgres://dvc@127.0.0.1:1/dvc_nothing?connect_timeout=1",
                                migrations: Self.migrations, configuration: configuration)
        }
    }

    @Test func sqliteOnlyCallsRefusePostgreSQL() async throws {
        let database = try TestDatabases.make(.postgres, migrations: Self.migrations)
        #expect(database.backend == .postgres)
        await #expect(throws: StorageError.sqliteOnly("this write")) {
            try await database.sqliteWrite { _ in }
        }
        await #expect(throws: StorageError.sqliteOnly("this statement")) {
            try await database.write { db in try db.sqlite { _ in } }
        }
    }

    /// A connection the server ends (a restart, a failover, an administrator) is replaced and
    /// the transaction that had not committed runs again: the caller sees nothing but success.
    @Test func aLostConnectionIsReplacedAndTheWriteRunsAgain() async throws {
        let url = try TestDatabases.makePostgresDatabase()
        let database = try ServiceDatabase(postgres: url, migrations: Self.migrations)
        try await database.write { db in try db.execute(sql: "INSERT INTO value_row (id) VALUES ('before')") }
        let name = try #require(try await database.read { db in try String.fetchOne(db, sql: "SELECT current_database()") })
        try PostgresAdministration.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(name)' AND pid <> pg_backend_pid()",
            on: try TestPostgres.server)
        try await database.write { db in try db.execute(sql: "INSERT INTO value_row (id) VALUES ('after')") }
        let ids = try await database.read { db in try String.fetchAll(db, sql: "SELECT id FROM value_row ORDER BY id") }
        #expect(ids == ["after", "before"])
    }

    @Test func connectionStringsGetTheFailoverDefaultsAndLoseTheirPassword() {
        let url = PostgresURL.withDefaults("postgres://dvc:s3cret@db1:5432,db2:5432/dvc_dossier")
        #expect(url.hasPrefix("postgres://dvc:s3cret@db1:5432,db2:5432/dvc_dossier?target_session_attrs=read-write&"))
        #expect(url.contains("tcp_user_timeout=10000"))
        let chosen = PostgresURL.withDefaults("postgres://db1/x?connect_timeout=2&target_session_attrs=any")
        #expect(chosen.contains("connect_timeout=2") && !chosen.contains("connect_timeout=5"))
        #expect(!chosen.contains("read-write"))
        #expect(PostgresURL.withDefaults("host=db1 dbname=x").hasPrefix("host=db1 dbname=x target_session_attrs=read-write"))
        #expect(PostgresURL.redacted("postgres://dvc:s3cret@db1/x") == "postgres://dvc:…@db1/x")
        #expect(PostgresURL.redacted("host=db1 password=s3cret dbname=x") == "host=db1 password=… dbname=x")
        #expect(PostgresURL.isPostgres("postgresql://db1/x") && !PostgresURL.isPostgres("sqlite"))
    }
}
