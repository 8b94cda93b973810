/// Which engine holds a service's data (docs/storage-backends.md).
public enum SQLBackend: String, Sendable, CaseIterable {
    /// One file beside the service: the embedded default.
    case sqlite
    /// A PostgreSQL cluster, possibly a primary with a synchronous standby.
    case postgres
}

/// One connection inside one transaction, as the stores see it: statements with `?`
/// placeholders, rows back. Both backends implement it, so a store is written once; the few
/// statements the two dialects spell differently ask ``backend``.
///
/// Store code receives it from ``ServiceDatabase/write(_:)`` or ``ServiceDatabase/read(_:)``
/// and never keeps it beyond the closure.
public protocol SQLConnection: AnyObject {
    var backend: SQLBackend { get }

    /// Runs one statement (or, without arguments, several separated by semicolons).
    func execute(sql: String, arguments: SQLArguments) throws

    /// The rows of one statement.
    func fetchRows(sql: String, arguments: SQLArguments) throws -> [SQLRow]

    /// Rows changed by the last `execute`.
    var changesCount: Int { get }

    /// Whether a transaction is open (it always is inside `write` and `read`, unless an error
    /// aborted it).
    var isInsideTransaction: Bool { get }

    /// Runs `body` in a savepoint: released when it returns, rolled back (alone) when it throws.
    func inSavepoint(_ body: () throws -> Void) throws
}

extension SQLConnection {
    public func execute(sql: String) throws {
        try execute(sql: sql, arguments: [])
    }

    /// `sqlite` on SQLite, `postgres` on PostgreSQL: for the rare statement the dialects
    /// spell differently.
    public func dialect<T>(sqlite: @autoclosure () -> T, postgres: @autoclosure () -> T) -> T {
        backend == .sqlite ? sqlite() : postgres()
    }
}

extension SQLRow {
    public static func fetchAll(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> [SQLRow] {
        try db.fetchRows(sql: sql, arguments: arguments)
    }

    public static func fetchOne(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try db.fetchRows(sql: sql, arguments: arguments).first
    }
}

extension SQLValueConvertible {
    /// The first column of the first row; nil when there is no row or it is NULL.
    public static func fetchOne(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> Self? {
        guard let row = try db.fetchRows(sql: sql, arguments: arguments).first, row.count > 0 else { return nil }
        return row[0] as Self?
    }

    /// The first column of every row (NULLs skipped).
    public static func fetchAll(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try db.fetchRows(sql: sql, arguments: arguments).compactMap { $0.count > 0 ? ($0[0] as Self?) : nil }
    }

    public static func fetchSet(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> Set<Self>
    where Self: Hashable {
        Set(try fetchAll(db, sql: sql, arguments: arguments))
    }
}

/// A type read from a row, like GRDB's `FetchableRecord`.
public protocol SQLRecord {
    init(row: SQLRow) throws
}

extension SQLRecord {
    public static func fetchAll(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> [Self] {
        try db.fetchRows(sql: sql, arguments: arguments).map(Self.init(row:))
    }

    public static func fetchOne(_ db: any SQLConnection, sql: String, arguments: SQLArguments = []) throws -> Self? {
        try db.fetchRows(sql: sql, arguments: arguments).first.map(Self.init(row:))
    }
}
