@testable import DossierService
import Foundation
import Storage
import StorageTestKit
import Testing

/// The dossier database's schema is the same on both backends once migrated: the same tables
/// and columns, the same indexes and the same triggers, by name (the PostgreSQL forms of the
/// migrations are written beside the SQLite ones, and a difference is a bug in one of them).
@Suite struct DossierSchemaBackendsTests {
    /// What a schema holds, by name: "table.column", "index:name", "trigger:name".
    static func shape(_ database: ServiceDatabase) throws -> Set<String> {
        try database.read { db in
            var names = Set<String>()
            switch db.backend {
            case .sqlite:
                let tables = try String.fetchAll(db, sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table'
                    AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations'
                    """)
                for table in tables {
                    for column in try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]) {
                        names.insert("\(table).\(column)")
                    }
                }
                for row in try SQLRow.fetchAll(db, sql: """
                    SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') AND name NOT LIKE 'sqlite_autoindex%'
                    """) {
                    names.insert("\(row["type"] as String):\(row["name"] as String)")
                }
            case .postgres:
                for row in try SQLRow.fetchAll(db, sql: """
                    SELECT table_name, column_name FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name != 'schema_migrations'
                    """) {
                    names.insert("\(row["table_name"] as String).\(row["column_name"] as String)")
                }
                // Indexes made by a PRIMARY KEY or UNIQUE constraint are SQLite's autoindexes.
                for name in try String.fetchAll(db, sql: """
                    SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                    JOIN pg_namespace n ON n.oid = i.relnamespace
                    WHERE n.nspname = current_schema()
                    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
                    """) {
                    names.insert("index:\(name)")
                }
                for name in try String.fetchAll(db, sql: "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal") {
                    names.insert("trigger:\(name)")
                }
            }
            return names
        }
    }

    @Test("after every migration, PostgreSQL has SQLite's tables, columns, indexes and triggers")
    func sameShape() throws {
        let migrations = DossierTestDatabases.migrations(for: .postgres)
        let sqlite = try Self.shape(TestDatabases.make(.sqlite, name: "dossier", migrations: migrations))
        let postgres = try Self.shape(TestDatabases.make(.postgres, name: "dossier", migrations: migrations))
        #expect(sqlite.subtracting(postgres).sorted() == [], "missing in PostgreSQL")
        #expect(postgres.subtracting(sqlite).sorted() == [], "only in PostgreSQL")
        #expect(sqlite.contains("dossier.change_seq") && sqlite.contains("trigger:dossier_month_statistics_update"))
    }
}
