import Foundation
import Storage
import Synchronization

/// A fresh, empty, migrated database on either backend, for the store tests that run once per
/// backend (`@Test(arguments: SQLBackend.allCases)`): a SQLite file in a new temporary folder,
/// or a new database on ``TestPostgres``'s server.
public enum TestDatabases {
    private static let counter = Atomic<Int>(0)

    /// Both backends, for `@Test(arguments:)`.
    public static let backends: [SQLBackend] = [.sqlite, .postgres]

    public static func make(_ backend: SQLBackend, name: String = "svc", migrations: Migrations,
                            configuration: ServiceDatabase.Configuration = .init()) throws -> ServiceDatabase {
        switch backend {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dvc-test-\(UUID().uuidString)").path
            return try ServiceDatabase(directory: folder, name: name, migrations: migrations, configuration: configuration)
        case .postgres:
            return try ServiceDatabase(postgres: try makePostgresDatabase(), migrations: migrations, configuration: configuration)
        }
    }

    /// A new empty PostgreSQL database; its connection string.
    public static func makePostgresDatabase() throws -> String {
        let number = counter.add(1, ordering: .relaxed).newValue
        let name = "t\(getpid())_\(number)_\(UInt32.random(in: 0...UInt32.max))"
        return try PostgresAdministration.createDatabase(name, on: try TestPostgres.server)
    }
}

/// Where a test's databases live, so that a test can open "the same database" again (a
/// restarted service) on either backend: a folder for SQLite files, or PostgreSQL databases
/// made on first use, one per name.
public final class TestDatabasePlace: @unchecked Sendable {
    public let backend: SQLBackend
    public let directory: String
    private let urls = Mutex<[String: String]>([:])

    public init(_ backend: SQLBackend) {
        self.backend = backend
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("dvc-test-\(UUID().uuidString)").path
    }

    /// The connection string of database `name` (PostgreSQL), made on first use.
    public func url(_ name: String) throws -> String {
        if let url = urls.withLock({ $0[name] }) { return url }
        let url = try TestDatabases.makePostgresDatabase()
        urls.withLock { $0[name] = url }
        return url
    }

    /// What a ``StorageError/databaseIsNewer(path:unknownMigrations:)`` names for database `name`.
    public func target(_ name: String = "svc") throws -> String {
        backend == .sqlite ? directory + "/\(name).sqlite" : PostgresURL.redacted(try url(name))
    }

    public func open(name: String = "svc", migrations: Migrations,
                     configuration: ServiceDatabase.Configuration = .init()) throws -> ServiceDatabase {
        switch backend {
        case .sqlite: try ServiceDatabase(directory: directory, name: name, migrations: migrations, configuration: configuration)
        case .postgres: try ServiceDatabase(postgres: try url(name), migrations: migrations, configuration: configuration)
        }
    }
}
