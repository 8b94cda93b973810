import GRDB

/// The ordered list of schema migrations of one service's database.
///
/// A service builds one at start-up, registering each migration under a name, in the order
/// they were written:
///
/// ```swift
/// var migrations = Migrations()
/// migrations.register("dossier.v1.create-dossiers") { db in
///     try db.execute(sql: "CREATE TABLE dossier (id TEXT PRIMARY KEY, ...) STRICT")
/// }
/// migrations.register("dossier.v2.add-channel") { db in ... }
/// let database = try ServiceDatabase(directory: dataDir, name: "dossier", migrations: migrations)
/// ```
///
/// **A migration that has shipped is never edited, renamed, reordered or removed.** Databases
/// in the field have already run it and recorded its name; changing its body changes nothing for
/// them and silently diverges their schema from a fresh install's. A fix is a new migration
/// appended at the end. Migrations use plain SQL, never the service's current Swift types, so
/// that they keep meaning what they meant when they shipped.
///
/// Each migration runs in its own transaction: a crash in the middle of one leaves the database
/// as it was before it, and the migration runs again at the next start.
///
/// The storage kit's own tables (the outbox and the processed-events inbox) come first, as
/// migrations named `storage.*`; `Migrations()` registers them, so services never do.
public struct Migrations: Sendable {
    /// A migration's PostgreSQL form: its SQL, or code over the neutral connection (a data fix).
    public enum Postgres: Sendable {
        case sql(String)
        case code(@Sendable (any SQLConnection) throws -> Void)
    }

    private var migrator = DatabaseMigrator()
    /// Each migration's PostgreSQL form, by name; a migration without one is SQLite's only,
    /// and a database in PostgreSQL refuses to open with a list holding it.
    private var postgres: [String: Postgres] = [:]

    /// Migrations holding only the storage kit's tables.
    public init() {
        for (name, migrate, postgres) in StorageSchema.migrations {
            migrator.registerMigration(name, migrate: migrate)
            self.postgres[name] = .sql(postgres)
        }
    }

    /// The names of every registered migration, the kit's first, in the order they apply.
    public var names: [String] { migrator.migrations }

    /// Appends a migration.
    ///
    /// - Parameters:
    ///   - name: Unique and permanent; prefix it with the service (`"catalog.v3.fold-names"`).
    ///     The `storage.` prefix is the kit's.
    ///   - migrate: Schema changes and data fixes, in plain SQL. It runs inside a transaction
    ///     with foreign-key checks deferred to its commit, so tables may be rebuilt.
    /// - Precondition: no migration with the same name is registered.
    ///   - postgres: The same change in PostgreSQL's dialect (docs/storage-backends.md,
    ///     "Writing a migration"); nil for a service that runs only on SQLite.
    public mutating func register(_ name: String, postgres: Postgres? = nil, migrate: @escaping @Sendable (Database) throws -> Void) {
        precondition(!name.hasPrefix(StorageSchema.prefix), "migration names starting with \(StorageSchema.prefix) are the storage kit's")
        precondition(!names.contains(name), "migration \(String(reflecting: name)) is registered twice")
        migrator.registerMigration(name, migrate: migrate)
        if let postgres { self.postgres[name] = postgres }
    }

    /// Appends a migration written once for both backends: SQL in the subset both dialects
    /// read the same (docs/storage-backends.md, "Writing a migration").
    public mutating func register(_ name: String, sql: String) {
        register(name, postgres: .sql(sql)) { db in try db.execute(sql: sql) }
    }

    /// Migrations that have no PostgreSQL form.
    var missingPostgres: [String] { names.filter { postgres[$0] == nil } }

    /// Brings a PostgreSQL database up to date: each pending migration in its own transaction,
    /// all under an advisory lock so that two processes starting together (two gateways)
    /// migrate once.
    func apply(to pool: PostgresPool, target: String) throws {
        let missing = missingPostgres
        guard missing.isEmpty else { throw StorageError.sqliteOnly("migrations \(missing.joined(separator: ", "))") }
        try pool.writeSync { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name TEXT PRIMARY KEY,
                    applied_at BIGINT NOT NULL
                )
                """)
        }
        let applied = try pool.readSync { db in Set(try String.fetchAll(db, sql: "SELECT name FROM schema_migrations")) }
        let unknown = applied.subtracting(names)
        guard unknown.isEmpty else { throw StorageError.databaseIsNewer(path: target, unknownMigrations: unknown.sorted()) }
        for name in names where !applied.contains(name) {
            try pool.writeSync { db in
                // Another process may have run it while this one waited for the write lock.
                guard try String.fetchOne(db, sql: "SELECT name FROM schema_migrations WHERE name = ?", arguments: [name]) == nil
                else { return }
                switch postgres[name]! {
                case .sql(let sql): try db.execute(sql: sql)
                case .code(let migrate): try migrate(db)
                }
                try db.execute(sql: "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                               arguments: [name, UnixMillis.now()])
            }
        }
    }

    /// The names of the migrations a PostgreSQL database has applied, in registration order.
    func applied(in db: any SQLConnection) throws -> [String] {
        guard db.backend == .postgres else { return try migrator.appliedMigrations((db as! SQLiteConnection).db) }
        let applied = Set(try String.fetchAll(db, sql: "SELECT name FROM schema_migrations"))
        return names.filter(applied.contains)
    }

    /// Brings the database's schema up to date, after checking that it was not migrated by a
    /// newer binary.
    ///
    /// - Throws: ``StorageError/databaseIsNewer(path:unknownMigrations:)`` when the database
    ///   records migrations absent from this list; any SQLite error.
    func apply(to writer: any DatabaseWriter, path: String) throws {
        // Checked before migrating so that an old binary started by mistake after an upgrade
        // touches nothing; GRDB alone would happily run its older migrations beside the newer
        // ones it does not know.
        let known = Set(names)
        let applied = try writer.read { db in try migrator.appliedIdentifiers(db) }
        let unknown = applied.subtracting(known)
        guard unknown.isEmpty else {
            throw StorageError.databaseIsNewer(path: path, unknownMigrations: unknown.sorted())
        }
        try migrator.migrate(writer)
    }


}
