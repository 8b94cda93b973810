import Crypto
import Foundation
import GRDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What of a service's data directory a backup holds: its SQLite file and, for a service that
/// keeps files beside it (dossier-svc's attachments), the files its rows reference.
public struct BackupLayout: Sendable {
    /// The database's base name: `<data-dir>/<databaseName>.sqlite`. Its migrations are named
    /// `<databaseName>.…`, which is how a restore recognises a backup of the right service.
    public var databaseName: String
    /// The files the database references, when the service keeps any.
    public var files: FileSet?

    /// Files under one folder of the data directory that the database's rows reference.
    public struct FileSet: Sendable {
        /// The folder under the data directory, e.g. `attachments`; also the suffix of the
        /// backup's side folder (`FILE.attachments`).
        public var folder: String
        /// The paths, relative to `folder`, of every file the database references; run on the
        /// backup's own snapshot, so the list matches the rows the backup holds.
        public var referenced: @Sendable (Database) throws -> [String]
        /// True when a file's name is the SHA-256 (hex) of its bytes: every copy is checked.
        public var contentAddressed: Bool

        public init(folder: String, contentAddressed: Bool, referenced: @escaping @Sendable (Database) throws -> [String]) {
            self.folder = folder
            self.contentAddressed = contentAddressed
            self.referenced = referenced
        }
    }

    public init(databaseName: String, files: FileSet? = nil) {
        self.databaseName = databaseName
        self.files = files
    }
}

/// A backup or restore that could not be done, in words an operator can act on. Nothing was
/// changed when it is thrown, except as the message says.
public struct BackupError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What `DatabaseBackup.backup` wrote.
public struct BackupReport: Sendable, CustomStringConvertible {
    public var file: String
    public var bytes: Int64
    public var sha256: String
    /// Where the referenced files went, nil for a service that keeps none.
    public var filesFolder: String?
    /// Files the backup's rows reference, how many of them were copied now (the others were
    /// already there), and the bytes copied.
    public var referencedFiles = 0
    public var copiedFiles = 0
    public var copiedBytes: Int64 = 0

    public var description: String {
        var text = "wrote \(file) (\(bytes) bytes, sha256 \(sha256))"
        if let filesFolder {
            text += "\nfiles: \(referencedFiles) referenced, \(copiedFiles) copied (\(copiedBytes) bytes), in \(filesFolder)"
        }
        return text
    }
}

/// What `DatabaseBackup.restore` did.
public struct RestoreReport: Sendable, CustomStringConvertible {
    public var database: String
    public var bytes: Int64
    public var sha256: String
    /// Where the database that was replaced went (`--force`), nil when there was none.
    public var replacedInto: String?
    public var referencedFiles = 0
    public var copiedFiles = 0

    public var description: String {
        var text = "restored \(database) (\(bytes) bytes, sha256 \(sha256))"
        if referencedFiles > 0 || copiedFiles > 0 {
            text += "\nfiles: \(referencedFiles) referenced, \(copiedFiles) copied"
        }
        if let replacedInto { text += "\nthe database it replaced was moved to \(replacedInto)" }
        return text
    }
}

/// Online backups and restores of a service's SQLite database with SQLite's backup API.
///
/// **Backup** (`backup(dataDirectory:layout:to:filesFolder:)`) works while the service runs:
/// one read transaction copies every page of the database as it was when the transaction
/// began (WAL mode lets the service keep committing meanwhile), into a temporary file beside
/// the target, in rollback-journal mode so the backup is one self-contained file. The copy is
/// fsynced, checked with `PRAGMA integrity_check`, then the files its rows reference are copied
/// (if missing) to the side folder, and only then is the temporary file renamed to its name and
/// the folder fsynced: a file with the backup's name is always a complete backup. A
/// `FILE.sha256` line (`sha256sum -c` format) is written beside it.
///
/// **Restore** (`restore(dataDirectory:layout:from:filesFolder:force:)`) checks the backup
/// first (its checksum line when present, `integrity_check`, that it is this service's
/// database, that every referenced file is at hand), refuses while any process has the target
/// database open, and refuses to replace an existing database without `force` (which moves the
/// old files aside, never deletes them). Files are copied before the database, and the
/// database arrives by rename.
public enum DatabaseBackup {
    // MARK: Backup

    public static func backup(
        dataDirectory: String, layout: BackupLayout, to file: String, filesFolder: String? = nil
    ) throws -> BackupReport {
        let source = databasePath(dataDirectory, layout)
        guard FileManager.default.fileExists(atPath: source) else {
            throw BackupError("no database at \(source): nothing to back up (is --data-dir right?)")
        }
        let target = absolute(file)
        guard !FileManager.default.fileExists(atPath: target) else {
            throw BackupError("\(target) exists; a backup never overwrites one, choose a new name")
        }
        let folder = (target as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/." + (target as NSString).lastPathComponent + ".tmp-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: temporary) }

        do {
            var sourceConfiguration = Configuration()
            sourceConfiguration.busyMode = .timeout(5)
            sourceConfiguration.label = "backup-source"
            let reader = try DatabaseQueue(path: source, configuration: sourceConfiguration)
            var targetConfiguration = Configuration()
            targetConfiguration.label = "backup-target"
            let writer = try DatabaseQueue(path: temporary, configuration: targetConfiguration)
            // One step: the whole copy happens inside one read transaction of the source, a
            // consistent snapshot however many commits the running service makes meanwhile.
            try reader.backup(to: writer)
            try writer.writeWithoutTransaction { db in
                // The backup is one file: no -wal beside it to lose.
                _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            }
            try writer.close()
            try reader.close()
        } catch let error as DatabaseError {
            throw BackupError("cannot back up \(source): \(error.message ?? "\(error)")")
        }
        try DurableFiles.syncFile(temporary)

        let referenced = try check(databaseAt: temporary, layout: layout, describedAs: "the new backup \(target)")
        var report = BackupReport(file: target, bytes: 0, sha256: "")
        if let files = layout.files {
            let sideFolder = absolute(filesFolder ?? target + "." + files.folder)
            let from = (dataDirectory as NSString).appendingPathComponent(files.folder)
            report.filesFolder = sideFolder
            report.referencedFiles = referenced.count
            let missing = referenced.filter {
                !FileManager.default.fileExists(atPath: from + "/" + $0)
                    && !FileManager.default.fileExists(atPath: sideFolder + "/" + $0)
            }
            guard missing.isEmpty else {
                throw BackupError("\(missing.count) file(s) the database references are missing from \(from), e.g. \(missing[0]); no backup written")
            }
            let copied = try copyMissing(referenced, from: from, to: sideFolder, contentAddressed: files.contentAddressed)
            report.copiedFiles = copied.count
            report.copiedBytes = copied.bytes
        }

        let (bytes, digest) = try hashFile(temporary)
        report.bytes = bytes
        report.sha256 = digest
        try DurableFiles.move(temporary, to: target)
        try writeDurably(target + ".sha256", "\(digest)  \((target as NSString).lastPathComponent)\n")
        try DurableFiles.syncDirectory(folder)
        return report
    }

    // MARK: Restore

    public static func restore(
        dataDirectory: String, layout: BackupLayout, from file: String, filesFolder: String? = nil, force: Bool
    ) throws -> RestoreReport {
        let backup = absolute(file)
        guard FileManager.default.fileExists(atPath: backup) else {
            throw BackupError("no backup at \(backup)")
        }
        let (bytes, digest) = try hashFile(backup)
        if let line = try? String(contentsOfFile: backup + ".sha256", encoding: .utf8),
           let recorded = line.split(separator: " ").first, String(recorded) != digest {
            throw BackupError("backup \(backup) is damaged: its SHA-256 is \(digest), \(backup).sha256 records \(recorded); nothing was restored")
        }
        let referenced: [String]
        do {
            referenced = try check(databaseAt: backup, layout: layout, describedAs: "backup \(backup)")
        } catch let error as BackupError {
            throw BackupError(error.description + "; nothing was restored")
        }

        let target = databasePath(dataDirectory, layout)
        var fileSource: String?
        var fileTarget: String?
        if let files = layout.files {
            let from = absolute(filesFolder ?? backup + "." + files.folder)
            let to = (dataDirectory as NSString).appendingPathComponent(files.folder)
            let missing = referenced.filter {
                !FileManager.default.fileExists(atPath: from + "/" + $0) && !FileManager.default.fileExists(atPath: to + "/" + $0)
            }
            guard missing.isEmpty else {
                throw BackupError("\(missing.count) file(s) the backup references are neither in \(from) nor in \(to), e.g. \(missing[0]); nothing was restored")
            }
            fileSource = from
            fileTarget = to
        }

        try refuseIfInUse(target)
        let existing = [target, target + "-wal", target + "-shm"].filter { FileManager.default.fileExists(atPath: $0) }
        if existing.contains(where: { !$0.hasSuffix("-shm") }) && !force {
            throw BackupError("a database exists at \(target); add --force to replace it (the old files are moved aside, not deleted)")
        }

        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        var report = RestoreReport(database: target, bytes: bytes, sha256: digest)
        if let fileSource, let fileTarget, let files = layout.files {
            report.referencedFiles = referenced.count
            report.copiedFiles = try copyMissing(referenced, from: fileSource, to: fileTarget,
                                                 contentAddressed: files.contentAddressed).count
        }

        let incoming = target + ".restoring-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: incoming) }
        let copied = try copyFile(backup, to: incoming)
        guard copied.sha256 == digest else {
            throw BackupError("the copy of \(backup) does not match it (read twice, two different contents); nothing was restored")
        }

        try refuseIfInUse(target)
        if !existing.isEmpty {
            let aside = (dataDirectory as NSString).appendingPathComponent("replaced-" + timestamp())
            try FileManager.default.createDirectory(atPath: aside, withIntermediateDirectories: true)
            for path in existing {
                let name = (path as NSString).lastPathComponent
                try DurableFiles.move(path, to: aside + "/" + name)
            }
            report.replacedInto = aside
        }
        try DurableFiles.move(incoming, to: target)
        try DurableFiles.syncDirectory(dataDirectory)
        return report
    }

    // MARK: Checks

    /// Opens a backup (or any copy of the database) read-only: `integrity_check` must say ok,
    /// and its migrations must be this service's. Returns the files its rows reference.
    public static func check(databaseAt path: String, layout: BackupLayout, describedAs what: String) throws -> [String] {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.label = "backup-check"
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                let problems = try String.fetchAll(db, sql: "PRAGMA integrity_check(20)")
                guard problems == ["ok"] else {
                    throw BackupError("\(what) is damaged: integrity_check found \(problems.prefix(5).joined(separator: "; "))")
                }
                let migrations = try db.tableExists("grdb_migrations")
                    ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
                guard migrations.contains(where: { $0.hasPrefix(layout.databaseName + ".") }) else {
                    throw BackupError("\(what) is not a backup of the \(layout.databaseName) database (its migrations: \(migrations.isEmpty ? "none" : migrations.joined(separator: ", ")))")
                }
                return try layout.files?.referenced(db) ?? []
            }
        } catch let error as DatabaseError {
            throw BackupError("\(what) is damaged or not an SQLite database: \(error.message ?? "\(error)")")
        }
    }

    /// True when some process has the SQLite database at `path` open in WAL mode (every
    /// service does while it runs): SQLite keeps a shared lock on the "dead man switch" byte of
    /// the `-shm` file for as long as a connection is open. Also true for a database opened by
    /// an operator's `sqlite3` shell.
    public static func isInUse(_ path: String) -> Bool {
        let shm = path + "-shm"
        let fd = open(shm, O_RDONLY)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        // SQLite's unix VFS: the shm locks start at byte 120, eight of them, then the DMS byte.
        lock.l_start = 128
        lock.l_len = 1
        guard fcntl(fd, F_GETLK, &lock) == 0 else { return false }
        return lock.l_type != Int16(F_UNLCK)
    }

    private static func refuseIfInUse(_ target: String) throws {
        if isInUse(target) {
            throw BackupError("\(target) is in use by a running process (is the service running? stop it first); nothing was restored")
        }
    }

    // MARK: Files

    static func databasePath(_ dataDirectory: String, _ layout: BackupLayout) -> String {
        (dataDirectory as NSString).appendingPathComponent(layout.databaseName + ".sqlite")
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    private static func timestamp() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: Date())
    }

    /// Copies each of `names` (relative paths) from `from` to `to` unless a file of the same
    /// size is already there (content-addressed names: same name, same bytes). Each copy goes
    /// to a temporary name, is checked against its name when content-addressed, fsynced and
    /// renamed; the folders are fsynced at the end.
    static func copyMissing(_ names: [String], from: String, to: String, contentAddressed: Bool) throws -> (count: Int, bytes: Int64) {
        var count = 0
        var bytes: Int64 = 0
        var folders = Set<String>()
        for name in Set(names).sorted() {
            guard !name.hasPrefix("/"), !name.split(separator: "/").contains("..") else {
                throw BackupError("refusing the referenced file name '\(name)'")
            }
            let source = from + "/" + name
            let destination = to + "/" + name
            if let existing = DurableFiles.status(destination)?.size {
                if let sourceSize = DurableFiles.status(source)?.size, sourceSize != existing {
                    throw BackupError("\(destination) exists with \(existing) bytes but \(source) has \(sourceSize); not overwriting")
                }
                continue
            }
            let folder = (destination as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let temporary = folder + "/.copy-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: temporary) }
            let copied = try copyFile(source, to: temporary)
            if contentAddressed, copied.sha256 != (name as NSString).lastPathComponent {
                throw BackupError("\(source) is damaged: its content's SHA-256 is \(copied.sha256), not its name")
            }
            try DurableFiles.move(temporary, to: destination)
            folders.insert(folder)
            count += 1
            bytes += copied.bytes
        }
        for folder in folders.sorted() { try DurableFiles.syncDirectory(folder) }
        if !folders.isEmpty { try DurableFiles.syncDirectory(to) }
        return (count, bytes)
    }

    /// Copies `source` to the new file `destination` (fsynced), hashing what it wrote.
    static func copyFile(_ source: String, to destination: String) throws -> (bytes: Int64, sha256: String) {
        guard let input = FileHandle(forReadingAtPath: source) else {
            throw BackupError("cannot read \(source)")
        }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil),
              let output = FileHandle(forWritingAtPath: destination) else {
            throw BackupError("cannot create \(destination)")
        }
        defer { try? output.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            try output.write(contentsOf: chunk)
            bytes += Int64(chunk.count)
        }
        try output.synchronize()
        return (bytes, hex(hasher.finalize()))
    }

    /// The size and SHA-256 (hex) of a file.
    public static func hashFile(_ path: String) throws -> (bytes: Int64, sha256: String) {
        guard let input = FileHandle(forReadingAtPath: path) else { throw BackupError("cannot read \(path)") }
        defer { try? input.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        return (bytes, hex(hasher.finalize()))
    }

    private static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    /// `text` in place of `path`: written to a new temporary file, fsynced, renamed over it.
    private static func writeDurably(_ path: String, _ text: String) throws {
        let temporary = path + ".tmp-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try DurableFiles.writeExclusively(Data(text.utf8), to: temporary)
        try DurableFiles.move(temporary, to: path)
    }
}
