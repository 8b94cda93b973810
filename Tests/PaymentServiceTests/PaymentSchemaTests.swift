@testable import PaymentService
import Storage
import StorageTestKit
import Testing

/// The payment migrations' PostgreSQL forms give the schema SQLite's give.
@Suite struct PaymentSchemaTests {
    /// "table.column" of every column and the names of the indexes made by name, leaving out
    /// each backend's own bookkeeping (migration tables, the indexes behind PRIMARY KEY and UNIQUE).
    static func schema(_ database: ServiceDatabase) throws -> (columns: Set<String>, indexes: Set<String>) {
        let bookkeeping: Set<String> = ["grdb_migrations", "schema_migrations"]
        return try database.read { db in
            switch db.backend {
            case .sqlite:
                let columns = try SQLRow.fetchAll(db, sql: """
                    SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table'
                    """).map { "\($0["t"] as String).\($0["c"] as String)" }
                let indexes = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'index'")
                    .filter { !$0.hasPrefix("sqlite_autoindex_") }
                return (Set(columns.filter { !bookkeeping.contains(String($0.prefix { $0 != "." })) }), Set(indexes))
            case .postgres:
                let columns = try SQLRow.fetchAll(db, sql: """
                    SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'public'
                    """).map { "\($0["t"] as String).\($0["c"] as String)" }
                let automatic = Set(try String.fetchAll(db, sql: """
                    SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u') AND connamespace = 'public'::regnamespace
                    """))
                let indexes = try String.fetchAll(db, sql: "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")
                    .filter { !automatic.contains($0) }
                return (Set(columns.filter { !bookkeeping.contains(String($0.prefix { $0 != "." })) }), Set(indexes))
            }
        }
    }

    @Test func bothBackendsHaveTheSameTablesColumnsAndIndexes() throws {
        let sqlite = try Self.schema(TestDatabases.make(.sqlite, name: "payment", migrations: PaymentServiceApp.migrations))
        let postgres = try Self.schema(TestDatabases.make(.postgres, name: "payment", migrations: PaymentServiceApp.migrations))
        #expect(sqlite.columns.contains("payment.recorded_by") && sqlite.indexes.contains("payment_settled_once"))
        #expect(postgres.columns == sqlite.columns)
        #expect(postgres.indexes == sqlite.indexes)
    }
}
