import GRDB

/// A statement PostgreSQL refused. (SQLite's refusals stay GRDB's `DatabaseError`; code that
/// must tell a kind of refusal apart asks ``SQLError/isUniqueViolation(_:)``, which knows both.)
public struct SQLError: Error, CustomStringConvertible, Sendable {
    /// PostgreSQL's five-character SQLSTATE, e.g. `23505` for a unique violation.
    public var sqlState: String
    public var message: String
    public var sql: String

    public var description: String { "PostgreSQL error \(sqlState): \(message) (in: \(sql.prefix(200)))" }

    /// Whether `error` is a UNIQUE or PRIMARY KEY constraint refusing a duplicate, on either backend.
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLError { return error.sqlState == "23505" }
        if let error = error as? DatabaseError {
            return error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
                || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
        }
        return false
    }

    /// Whether `error` is any constraint refusing a row (unique, foreign key, check, not null).
    public static func isConstraintViolation(_ error: any Error) -> Bool {
        if let error = error as? SQLError { return error.sqlState.hasPrefix("23") }
        if let error = error as? DatabaseError { return error.resultCode == .SQLITE_CONSTRAINT }
        return false
    }
}

/// The connection to PostgreSQL broke (the server stopped, the network was cut, a failover
/// demoted it). What the transaction did is gone unless it had sent COMMIT; see
/// ``StorageError/commitOutcomeUnknown``.
struct PostgresConnectionLost: Error, CustomStringConvertible {
    var message: String
    var duringCommit: Bool
    var description: String { "connection to PostgreSQL lost\(duringCommit ? " during COMMIT" : ""): \(message)" }
}
