import Foundation
import GRDB
import Logging

/// A service's own database, migrated before anything else touches it: by default one SQLite
/// file under the service's data directory, opened once per process; or, when configured with
/// a `postgres://` URL, a PostgreSQL database (docs/storage-backends.md).
///
/// ```swift
/// let database = try ServiceDatabase(directory: dataDir, name: "dossier", migrations: migrations)
/// let id = try await database.write { db in
///     try db.execute(sql: "INSERT INTO dossier ...")
///     try Outbox.enqueue(event, to: "notify-svc", in: db)   // same transaction
///     return db.lastInsertedRowID
/// }
/// ```
///
/// Stores are written once for both, against ``SQLConnection`` (`write` and `read`). On
/// SQLite, connections run in WAL mode (readers never block the writer nor each other), with foreign
/// keys enforced, a busy timeout, and `synchronous=FULL` unless configured otherwise, so a
/// commit that returned is on the disk. Each `write` is one immediate transaction: it commits
/// when the closure returns and rolls back entirely when it throws.
///
/// Open each file once per process (two pools on one file would fight over the write lock);
/// share the value instead, it is cheap to copy.
public struct ServiceDatabase: Sendable {
    enum Engine: Sendable {
        case sqlite(any DatabaseWriter)
        case postgres(PostgresPool)
    }

    let engine: Engine
    /// The database file; nil for an in-memory database and for PostgreSQL.
    public let path: String?
    private let migrations: Migrations

    /// Which engine holds the data.
    public var backend: SQLBackend {
        if case .postgres = engine { return .postgres }
        return .sqlite
    }

    /// The underlying GRDB writer, for what only SQLite has (transaction observers, file
    /// backups). Prefer `write` and `read`.
    /// - Precondition: the database is SQLite (check ``backend``).
    public var writer: any DatabaseWriter {
        guard case .sqlite(let writer) = engine else {
            preconditionFailure("ServiceDatabase.writer is SQLite's; this database is in PostgreSQL")
        }
        return writer
    }

    /// Opens (creating if needed) `directory/name.sqlite`, then applies pending migrations.
    ///
    /// - Parameters:
    ///   - directory: The service's data directory (`--data-dir`); created if missing.
    ///   - name: The file's base name, e.g. `"dossier"`.
    ///   - migrations: Every migration this binary knows, in order.
    ///   - configuration: Connection settings; the defaults are production's.
    /// - Throws: ``StorageError/databaseIsNewer(path:unknownMigrations:)`` when a newer binary
    ///   migrated the file; ``StorageError/invalidDatabaseName(_:)``; SQLite and file errors.
    public init(
        directory: String,
        name: String,
        migrations: Migrations,
        configuration: Configuration = Configuration()
    ) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !name.isEmpty, !name.hasPrefix("."), name.allSatisfy(allowed.contains) else {
            throw StorageError.invalidDatabaseName(name)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = URL(fileURLWithPath: directory).appendingPathComponent("\(name).sqlite").path
        let pool = try DatabasePool(path: path, configuration: configuration.grdb(label: name))
        try pool.writeWithoutTransaction { db in try db.execute(sql: configuration.synchronousPragma) }
        try migrations.apply(to: pool, path: path)
        self.engine = .sqlite(pool)
        self.path = path
        self.migrations = migrations
    }

    /// Connects to a PostgreSQL database and applies pending migrations.
    ///
    /// - Parameters:
    ///   - postgres: A libpq connection string or `postgres://` URL; several hosts
    ///     (`postgres://h1,h2/dvc_dossier?target_session_attrs=read-write`) make the service
    ///     find whichever of them is the primary. Missing timeouts get the defaults of
    ///     ``PostgresURL``.
    /// - Throws: ``StorageError/databaseIsNewer(path:unknownMigrations:)``,
    ///   ``StorageError/sqliteOnly(_:)`` when a migration has no PostgreSQL form, or
    ///   ``StorageError/databaseUnavailable(_:)`` when no host answers.
    public init(
        postgres url: String,
        migrations: Migrations,
        configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "dvc.storage.postgres")
    ) throws {
        let conninfo = PostgresURL.withDefaults(url)
        let pool: PostgresPool
        do {
            pool = try PostgresPool(
                settings: .init(conninfo: conninfo, maximumReaderCount: configuration.maximumReaderCount,
                                reconnectWindow: configuration.reconnectWindow),
                logger: logger)
        } catch let lost as PostgresConnectionLost {
            throw StorageError.databaseUnavailable(lost.message)
        }
        try migrations.apply(to: pool, target: PostgresURL.redacted(url))
        self.engine = .postgres(pool)
        self.path = nil
        self.migrations = migrations
    }

    /// The database a service's settings name: PostgreSQL when `database` is a `postgres://`
    /// (or `postgresql://`) URL, else `directory/name.sqlite`.
    public static func open(
        database: String?, directory: String, name: String, migrations: Migrations,
        configuration: Configuration = Configuration(), logger: Logger = Logger(label: "dvc.storage.postgres")
    ) throws -> ServiceDatabase {
        if let database, PostgresURL.isPostgres(database) {
            return try ServiceDatabase(postgres: database, migrations: migrations, configuration: configuration, logger: logger)
        }
        return try ServiceDatabase(directory: directory, name: name, migrations: migrations, configuration: configuration)
    }

    /// A private in-memory database with the same schema, for tests that need no file. It has
    /// no WAL and no durability; tests about either open a real file in a temporary directory.
    public static func inMemory(migrations: Migrations = Migrations()) throws -> ServiceDatabase {
        var config = Configuration().grdb(label: "in-memory")
        config.journalMode = .default
        let queue = try DatabaseQueue(configuration: config)
        try migrations.apply(to: queue, path: ":memory:")
        return ServiceDatabase(engine: .sqlite(queue), path: nil, migrations: migrations)
    }

    private init(engine: Engine, path: String?, migrations: Migrations) {
        self.engine = engine
        self.path = path
        self.migrations = migrations
    }

    // MARK: Transactions, on either backend

    /// Runs `updates` in one transaction and commits; rolls back everything if it throws.
    /// On SQLite the transaction is `IMMEDIATE`, so it never fails half-way to upgrade to a
    /// write lock; on PostgreSQL it takes the database's write lock first (``PostgresPool``).
    public func write<T: Sendable>(_ updates: @Sendable (any SQLConnection) throws -> T) async throws -> T {
        switch engine {
        case .sqlite(let writer): try await writer.write { db in try updates(SQLiteConnection(db)) }
        case .postgres(let pool): try await pool.write(updates)
        }
    }

    /// The blocking form of `write`, for start-up code and tools. Avoid it in async code: it
    /// blocks the thread until the writer is free.
    @_disfavoredOverload
    public func write<T>(_ updates: (any SQLConnection) throws -> T) throws -> T {
        switch engine {
        case .sqlite(let writer): try writer.write { db in try updates(SQLiteConnection(db)) }
        case .postgres(let pool): try pool.writeSync(updates)
        }
    }

    /// Runs `value` in a read-only transaction: it sees one consistent snapshot, and does not
    /// wait for writes in progress.
    public func read<T: Sendable>(_ value: @Sendable (any SQLConnection) throws -> T) async throws -> T {
        switch engine {
        case .sqlite(let writer): try await writer.read { db in try value(SQLiteConnection(db)) }
        case .postgres(let pool): try await pool.read(value)
        }
    }

    /// The blocking form of `read`.
    @_disfavoredOverload
    public func read<T>(_ value: (any SQLConnection) throws -> T) throws -> T {
        switch engine {
        case .sqlite(let writer): try writer.read { db in try value(SQLiteConnection(db)) }
        case .postgres(let pool): try pool.readSync(value)
        }
    }

    // MARK: SQLite's own connection

    /// `write` with GRDB's own connection, for code not yet written against ``SQLConnection``
    /// and for what only SQLite has. Throws ``StorageError/sqliteOnly(_:)`` on PostgreSQL.
    public func sqliteWrite<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        guard case .sqlite(let writer) = engine else { throw StorageError.sqliteOnly("this write") }
        return try await writer.write(updates)
    }

    @_disfavoredOverload
    public func sqliteWrite<T>(_ updates: (Database) throws -> T) throws -> T {
        guard case .sqlite(let writer) = engine else { throw StorageError.sqliteOnly("this write") }
        return try writer.write(updates)
    }

    /// `read` with GRDB's own connection; see ``sqliteWrite(_:)``.
    public func sqliteRead<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        guard case .sqlite(let writer) = engine else { throw StorageError.sqliteOnly("this read") }
        return try await writer.read(value)
    }

    @_disfavoredOverload
    public func sqliteRead<T>(_ value: (Database) throws -> T) throws -> T {
        guard case .sqlite(let writer) = engine else { throw StorageError.sqliteOnly("this read") }
        return try writer.read(value)
    }

    // MARK: Administration

    /// Calls `listener` after each commit of this process's writes on PostgreSQL (SQLite
    /// users observe GRDB's transactions instead).
    func onPostgresCommit(_ listener: @escaping @Sendable () -> Void) {
        if case .postgres(let pool) = engine { pool.onCommit(listener) }
    }

    /// The names of the migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try read { db in try migrations.applied(in: db) }
    }

    /// Closes the connections now rather than when the last copy of this value goes away.
    /// Any later access throws.
    public func close() throws {
        switch engine {
        case .sqlite(let writer): try writer.close()
        case .postgres(let pool): pool.close()
        }
    }
}
