@testable import DossierService
import Foundation
@testable import Storage
import StorageTestKit

/// Dossier databases for the tests that run once per backend.
enum DossierTestDatabases {
    /// The dossier migrations a backend runs: all of them; on PostgreSQL, up to the last one
    /// that has its PostgreSQL form, while later ones are still being written for it.
    static func migrations(for backend: SQLBackend) -> Migrations {
        let all = DossierSchema.migrations
        guard backend == .postgres, let firstMissing = all.missingPostgres.first,
              let index = all.names.firstIndex(of: firstMissing), index > 0 else { return all }
        return DossierSchema.migrations(through: all.names[index - 1])
    }

    /// A fresh, migrated dossier database.
    static func make(_ backend: SQLBackend) throws -> ServiceDatabase {
        try TestDatabases.make(backend, name: "dossier", migrations: migrations(for: backend))
    }
}

/// Where a dossier database lives, to open it again with other migrations: the migration tests
/// store rows as an earlier release did, close it, and open it with the current list.
struct DossierTestPlace {
    let backend: SQLBackend
    let folder: String
    let postgres: String?

    init(_ backend: SQLBackend) throws {
        self.backend = backend
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("dossier-\(UUID().uuidString)").path
        postgres = backend == .postgres ? try TestDatabases.makePostgresDatabase() : nil
    }

    func open(_ migrations: Migrations) throws -> ServiceDatabase {
        if let postgres { return try ServiceDatabase(postgres: postgres, migrations: migrations) }
        return try ServiceDatabase(directory: folder, name: "dossier", migrations: migrations)
    }

    /// Every migration this backend runs today.
    func openCurrent() throws -> ServiceDatabase { try open(DossierTestDatabases.migrations(for: backend)) }
}

extension DossierTestDatabases {
    /// The tables of the database, on either backend.
    static func tables(_ db: any SQLConnection) throws -> [String] {
        try String.fetchAll(db, sql: db.dialect(
            sqlite: "SELECT name FROM sqlite_master WHERE type = 'table'",
            postgres: "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"))
    }

    /// The indexes of one table, on either backend.
    static func indexes(on table: String, _ db: any SQLConnection) throws -> [String] {
        try String.fetchAll(db, sql: db.dialect(
            sqlite: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?",
            postgres: "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = ?"), arguments: [table])
    }
}
