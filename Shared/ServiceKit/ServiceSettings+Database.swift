import Logging
import Storage

extension ServiceSettings {
    /// Where the service keeps its data (`database` in the config file, `DVC_DATABASE`): a
    /// `postgres://` URL (several hosts allowed) for PostgreSQL, or nil (or `sqlite`) for the
    /// embedded default, a SQLite file in the data directory. docs/storage-backends.md.
    public var database: String? {
        guard let value = extra["database"], !value.isEmpty, value != "sqlite" else { return nil }
        return value
    }

    /// Opens the service's database as ``database`` says, migrated.
    /// - Parameter postgres: whether this service can keep its data in PostgreSQL; a service
    ///   that cannot refuses a `postgres://` setting rather than silently using SQLite.
    public func openDatabase(name: String, migrations: Migrations, postgres: Bool, logger: Logger) throws -> ServiceDatabase {
        if let database {
            guard PostgresURL.isPostgres(database) else {
                throw InvalidSetting(description: "database / DVC_DATABASE: '\(PostgresURL.redacted(database))' is neither sqlite nor a postgres:// URL")
            }
            guard postgres else {
                throw InvalidSetting(description: "database / DVC_DATABASE: \(serviceName) keeps its data in SQLite only; remove the setting for it")
            }
        }
        return try ServiceDatabase.open(database: database, directory: dataDirectory, name: name, migrations: migrations, logger: logger)
    }
}
