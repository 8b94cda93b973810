import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the storage kit refused to do something. SQLite's own failures stay GRDB's
/// `DatabaseError`; these are the kit's rules, plus the one failure of the file system that
/// callers must tell apart (`diskFull`, see `StorageError.diskFull(in:)`).
public enum StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The database records migrations this binary does not know: it was opened by a newer
    /// version of the service. Running older code on a newer schema could corrupt data the
    /// newer code relies on, so the service must not start; deploy the newer binary (or restore
    /// a backup taken before the upgrade).
    case databaseIsNewer(path: String, unknownMigrations: [String])
    /// A database name that is not a plain file name (it would escape the data directory or be
    /// ambiguous on disk).
    case invalidDatabaseName(String)
    /// An event that cannot be written to the outbox or recorded as processed.
    case invalidEvent(String)
    /// The file system under the data folder has no room left (ENOSPC, EDQUOT, SQLite's
    /// SQLITE_FULL): nothing of the write was kept, and the same write succeeds once space is
    /// freed, without a restart. `detail` says what could not be written.
    case diskFull(String)
    /// No PostgreSQL server that takes writes answered within the reconnect window (the
    /// primary is down and no standby was promoted yet). Nothing was written; the same
    /// request succeeds once a primary is back.
    case databaseUnavailable(String)
    /// The connection broke after COMMIT was sent and before its answer came: the write may
    /// or may not have been kept. The caller is told to retry with the same idempotency key,
    /// which makes the retry harmless either way.
    case commitOutcomeUnknown(String)
    /// A call that exists only for SQLite (GRDB's own connection, file backups) made on a
    /// database kept in PostgreSQL.
    case sqliteOnly(String)

    public var description: String {
        switch self {
        case .databaseIsNewer(let path, let unknown):
            return "database \(path) was migrated by a newer version of this service "
                + "(unknown migrations: \(unknown.joined(separator: ", "))); refusing to open it"
        case .invalidDatabaseName(let name):
            return "invalid database name \(String(reflecting: name)): use letters, digits, '-', '_' or '.'"
        case .invalidEvent(let reason):
            return "invalid event: \(reason)"
        case .diskFull(let detail):
            return "the disk of the data folder is full: \(detail)"
        case .databaseUnavailable(let detail):
            return "the database is unavailable: \(detail)"
        case .commitOutcomeUnknown(let detail):
            return "the database connection broke while committing; the write may or may not be kept: \(detail)"
        case .sqliteOnly(let what):
            return "\(what) works only on a SQLite database, and this one is in PostgreSQL"
        }
    }

    /// `error` as `diskFull` when it is the file system running out of space, whatever layer
    /// reported it: SQLite (SQLITE_FULL, or an I/O error whose errno is ENOSPC), a POSIX call,
    /// or Foundation; nil for anything else. Callers map it to a refusal that says so, instead
    /// of an internal error, so that a full disk is seen for what it is and fixed by freeing
    /// space rather than by restarting.
    public static func diskFull(in error: any Error) -> StorageError? {
        switch error {
        case let error as StorageError:
            if case .diskFull = error { return error }
            return nil
        case let error as DatabaseError:
            if error.resultCode == .SQLITE_FULL {
                return .diskFull("SQLite: \(error.message ?? "database or disk is full")")
            }
            return nil
        case let error as POSIXError:
            return isOutOfSpace(error.code.rawValue) ? .diskFull(error.localizedDescription) : nil
        default:
            let error = error as NSError
            if error.domain == NSCocoaErrorDomain && error.code == CocoaError.fileWriteOutOfSpace.rawValue {
                return .diskFull(error.localizedDescription)
            }
            if error.domain == NSPOSIXErrorDomain && isOutOfSpace(Int32(error.code)) {
                return .diskFull(error.localizedDescription)
            }
            if let underlying = error.userInfo[NSUnderlyingErrorKey] as? any Error {
                return diskFull(in: underlying)
            }
            return nil
        }
    }

    /// Whether a POSIX error number means the file system has no room: ENOSPC, or EDQUOT (the
    /// service's user is over its quota, which an operator fixes the same way).
    public static func isOutOfSpace(_ number: Int32) -> Bool {
        number == ENOSPC || number == EDQUOT
    }
}
