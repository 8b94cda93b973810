/// Why the storage kit refused to do something. SQLite's own failures stay GRDB's
/// `DatabaseError`; these are the kit's rules.
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

    public var description: String {
        switch self {
        case .databaseIsNewer(let path, let unknown):
            return "database \(path) was migrated by a newer version of this service "
                + "(unknown migrations: \(unknown.joined(separator: ", "))); refusing to open it"
        case .invalidDatabaseName(let name):
            return "invalid database name \(String(reflecting: name)): use letters, digits, '-', '_' or '.'"
        case .invalidEvent(let reason):
            return "invalid event: \(reason)"
        }
    }
}
