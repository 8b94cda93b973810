import ArgumentParser
import ServiceKit
import Storage

/// The subcommands every service with a database shares: `backup` and `restore`.
///
/// ```swift
/// static let configuration = CommandConfiguration(
///     commandName: "dossier-svc", subcommands: DataCommands.subcommands(DossierServiceApp.self))
/// ```
public enum DataCommands {
    public static func subcommands<S: PlatformService>(_ service: S.Type) -> [any ParsableCommand.Type] {
        [BackupCommand<S>.self, RestoreCommand<S>.self]
    }

    static func layout<S: PlatformService>(_ service: S.Type) throws -> BackupLayout {
        guard let layout = S.backupLayout else {
            throw ValidationError("\(S.executableName) keeps no database to back up or restore")
        }
        return layout
    }
}

/// `<service> backup --data-dir DIR --to FILE`: an online, consistent copy of the service's
/// database (SQLite's backup API, one snapshot while the service keeps running), written to a
/// temporary file, fsynced and renamed; prints the file, its size and SHA-256. dossier-svc's
/// attachments the backup's dossiers reference are copied, when missing, to `FILE.attachments`
/// (or `--attachments DIR`). See docs/operations.md.
public struct BackupCommand<S: PlatformService>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "backup",
            abstract: "Copy this service's database (and dossier-svc's attachments) while it runs: a consistent snapshot.")
    }

    @OptionGroup public var options: ServiceOptions

    @Option(help: "The backup file to write (must not exist); FILE.sha256 is written beside it.")
    public var to: String

    @Option(help: "dossier-svc: the folder for the attachments the backup references (content-addressed; copied when missing, so backups may share one). Default: FILE.attachments.")
    public var attachments: String?

    public init() {}

    /// These commands copy SQLite files. A database in PostgreSQL is backed up by the
    /// cluster's own tools (docs/operations.md), so they refuse rather than copy an empty
    /// SQLite file beside it.
    static func refusePostgres(_ settings: ServiceSettings) throws {
        guard let database = settings.database else { return }
        throw ServiceSettings.InvalidSetting(description:
            "database / DVC_DATABASE is \(PostgresURL.redacted(database)): this service's data is in PostgreSQL; back it up and restore it with the cluster's tools (pg_basebackup and WAL archiving, docs/operations.md), not with backup/restore")
    }

    public func run() throws {
        let settings = try ServiceSettings(serviceName: S.executableName, options: options)
        try Self.refusePostgres(settings)
        let layout = try DataCommands.layout(S.self)
        let report = try DatabaseBackup.backup(
            dataDirectory: settings.dataDirectory, layout: layout, to: to, filesFolder: attachments)
        print(report)
    }
}

/// `<service> restore --data-dir DIR --from FILE [--force]`: checks the backup
/// (`integrity_check`, its checksum line, that it is this service's database, that its files
/// are at hand), refuses while the service (or anything) has the database open, and without
/// `--force` when a database is there (with it, the old files are moved to
/// `DIR/replaced-<time>/`).
public struct RestoreCommand<S: PlatformService>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "restore",
            abstract: "Put a backup in place of this service's database; the service must be stopped.")
    }

    @OptionGroup public var options: ServiceOptions

    @Option(help: "The backup file (written by `backup`).")
    public var from: String

    @Option(help: "dossier-svc: the folder holding the backup's attachments. Default: FILE.attachments.")
    public var attachments: String?

    @Flag(help: "Replace a database that is there (moved to DIR/replaced-<time>/, not deleted).")
    public var force = false

    public init() {}

    public func run() throws {
        let settings = try ServiceSettings(serviceName: S.executableName, options: options)
        try BackupCommand<S>.refusePostgres(settings)
        let layout = try DataCommands.layout(S.self)
        let report = try DatabaseBackup.restore(
            dataDirectory: settings.dataDirectory, layout: layout, from: from, filesFolder: attachments, force: force)
        print(report)
    }
}
