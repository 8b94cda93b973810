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
