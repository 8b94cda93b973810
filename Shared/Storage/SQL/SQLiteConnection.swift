import GRDB

/// ``SQLConnection`` over a GRDB connection, for the duration of one of its transactions.
/// Statements are prepared once per connection and kept (GRDB's statement cache).
final class SQLiteConnection: SQLConnection {
    let db: Database
    var backend: SQLBackend { .sqlite }

    init(_ db: Database) { self.db = db }

    func execute(sql: String, arguments: SQLArguments) throws {
        if arguments.isEmpty {
            try db.execute(sql: sql)
        } else {
            try db.cachedStatement(sql: sql).execute(arguments: Self.grdb(arguments))
        }
    }

    func fetchRows(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLRow.Columns(statement.columnNames)
        return try Row.fetchAll(statement, arguments: Self.grdb(arguments)).map { row in
            SQLRow(columns: columns, values: row.databaseValues.map(Self.value))
        }
    }

    var changesCount: Int { db.changesCount }
    var isInsideTransaction: Bool { db.isInsideTransaction }

    func inSavepoint(_ body: () throws -> Void) throws {
        try db.inSavepoint {
            try body()
            return .commit
        }
    }

    static func grdb(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.values.map { value -> DatabaseValue in
            switch value {
            case .null: .null
            case .integer(let v): v.databaseValue
            case .real(let v): v.databaseValue
            case .text(let v): v.databaseValue
            case .blob(let v): v.databaseValue
            }
        })
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let v): .integer(v)
        case .double(let v): .real(v)
        case .string(let v): .text(v)
        case .blob(let v): .blob(v)
        }
    }
}

extension SQLConnection {
    /// GRDB's own connection under this one, for code not yet written against
    /// ``SQLConnection``; throws ``StorageError/sqliteOnly(_:)`` on PostgreSQL.
    public func sqlite<T>(_ body: (Database) throws -> T) throws -> T {
        guard let connection = self as? SQLiteConnection else { throw StorageError.sqliteOnly("this statement") }
        return try body(connection.db)
    }
}
