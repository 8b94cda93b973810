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
    private var migrator = DatabaseMigrator()

    /// Migrations holding only the storage kit's tables.
    public init() {
        for (name, migrate) in StorageSchema.migrations {
            migrator.registerMigration(name, migrate: migrate)
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
    public mutating func register(_ name: String, migrate: @escaping @Sendable (Database) throws -> Void) {
        precondition(!name.hasPrefix(StorageSchema.prefix), "migration names starting with \(StorageSchema.prefix) are the storage kit's")
        precondition(!names.contains(name), "migration \(String(reflecting: name)) is registered twice")
        migrator.registerMigration(name, migrate: migrate)
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

    /// The names of the migrations this database has applied, in registration order.
    func applied(in db: Database) throws -> [String] {
        try migrator.appliedMigrations(db)
    }
}
