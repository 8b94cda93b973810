import Foundation
import GRDB

/// A service's own SQLite database: one file under the service's data directory, opened once
/// per process, migrated before anything else touches it.
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
/// Connections run in WAL mode (readers never block the writer nor each other), with foreign
/// keys enforced, a busy timeout, and `synchronous=FULL` unless configured otherwise, so a
/// commit that returned is on the disk. Each `write` is one immediate transaction: it commits
/// when the closure returns and rolls back entirely when it throws.
///
/// Open each file once per process (two pools on one file would fight over the write lock);
/// share the value instead, it is cheap to copy.
public struct ServiceDatabase: Sendable {
    /// The underlying GRDB writer, for what the helpers here don't cover (observations,
    /// backups). Prefer `write` and `read`.
    public let writer: any DatabaseWriter
    /// The database file; nil for an in-memory database.
    public let path: String?
    private let migrations: Migrations

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
        self.writer = pool
        self.path = path
        self.migrations = migrations
    }

    /// A private in-memory database with the same schema, for tests that need no file. It has
    /// no WAL and no durability; tests about either open a real file in a temporary directory.
    public static func inMemory(migrations: Migrations = Migrations()) throws -> ServiceDatabase {
        var config = Configuration().grdb(label: "in-memory")
        config.journalMode = .default
        let queue = try DatabaseQueue(configuration: config)
        try migrations.apply(to: queue, path: ":memory:")
        return ServiceDatabase(writer: queue, path: nil, migrations: migrations)
    }

    private init(writer: any DatabaseWriter, path: String?, migrations: Migrations) {
        self.writer = writer
        self.path = path
        self.migrations = migrations
    }

    /// Runs `updates` in one transaction and commits; rolls back everything if it throws.
    /// The transaction is `IMMEDIATE`, so it never fails half-way to upgrade to a write lock.
    public func write<T: Sendable>(_ updates: @Sendable (Database) throws -> T) async throws -> T {
        try await writer.write(updates)
    }

    /// The blocking form of `write`, for start-up code and tools. Avoid it in async code: it
    /// blocks the thread until the writer is free.
    @_disfavoredOverload
    public func write<T>(_ updates: (Database) throws -> T) throws -> T {
        try writer.write(updates)
    }

    /// Runs `value` in a read-only transaction: it sees one consistent snapshot, and does not
    /// wait for writes in progress.
    public func read<T: Sendable>(_ value: @Sendable (Database) throws -> T) async throws -> T {
        try await writer.read(value)
    }

    /// The blocking form of `read`.
    @_disfavoredOverload
    public func read<T>(_ value: (Database) throws -> T) throws -> T {
        try writer.read(value)
    }

    /// The names of the migrations applied to this database, in order.
    public func appliedMigrations() throws -> [String] {
        try writer.read { db in try migrations.applied(in: db) }
    }

    /// Closes the connections now rather than when the last copy of this value goes away.
    /// Any later access throws.
    public func close() throws {
        try writer.close()
    }
}
