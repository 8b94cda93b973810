import Foundation
import GRDB
import Storage
import Synchronization
import Testing

/// Concurrent writers share transactions, each keeps its own outcome, and nobody is answered
/// before the commit that makes their work durable.
@Suite struct GroupCommitTests {
    /// Counts the commits of a database connection.
    final class CommitCounter: TransactionObserver, @unchecked Sendable {
        let commits = Mutex(0)
        func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
        func databaseDidChange(with event: DatabaseEvent) {}
        func databaseDidCommit(_ db: Database) { commits.withLock { $0 += 1 } }
        func databaseDidRollback(_ db: Database) {}
    }

    static func database(_ directory: borrowing TemporaryDirectory) throws -> ServiceDatabase {
        var migrations = Migrations()
        migrations.register("t") { db in
            try db.execute(sql: "CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT")
        }
        return try ServiceDatabase(directory: directory.path, name: "group", migrations: migrations)
    }

    @Test func concurrentWritersShareCommitsAndGetTheirOwnResults() async throws {
        let directory = try TemporaryDirectory()
        let database = try Self.database(directory)
        let counter = CommitCounter()
        try await database.writer.writeWithoutTransaction { db in db.add(transactionObserver: counter, extent: .databaseLifetime) }
        let group = GroupCommit(database: database)
        let ids = try await withThrowingTaskGroup(of: (Int, Int64).self) { tasks in
            for index in 0..<200 {
                tasks.addTask {
                    let id = try await group.write { db in
                        try Int64.fetchOne(db, sql: "INSERT INTO item (name) VALUES (?) RETURNING id", arguments: ["n\(index)"])!
                    }
                    return (index, id)
                }
            }
            return try await tasks.reduce(into: [Int: Int64]()) { $0[$1.0] = $1.1 }
        }
        #expect(ids.count == 200 && Set(ids.values).count == 200)
        // Each caller got the id of its own row.
        let names = try await database.sqliteRead { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT id, name FROM item").map {
                ($0["id"] as Int64, $0["name"] as String)
            })
        }
        for (index, id) in ids { #expect(names[id] == "n\(index)") }
        let commits = counter.commits.withLock { $0 }
        #expect(commits >= 1 && commits < 200, "\(commits) commits for 200 writers: nothing was grouped")
    }

    @Test func aFailingWriterLosesOnlyItsOwnWork() async throws {
        let directory = try TemporaryDirectory()
        let database = try Self.database(directory)
        let group = GroupCommit(database: database)
        struct Refused: Error {}
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { tasks in
            for index in 0..<40 {
                tasks.addTask {
                    do {
                        try await group.write { db in
                            try db.execute(sql: "INSERT INTO item (name) VALUES (?)", arguments: ["n\(index)"])
                            // Every third writer fails after writing: its row must vanish.
                            if index % 3 == 0 { throw Refused() }
                        }
                        return (index, true)
                    } catch {
                        #expect(error is Refused)
                        return (index, false)
                    }
                }
            }
            return await tasks.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        let stored = try await database.sqliteRead { db in try Set(String.fetchAll(db, sql: "SELECT name FROM item")) }
        for (index, succeeded) in outcomes {
            #expect(succeeded == (index % 3 != 0))
            #expect(stored.contains("n\(index)") == succeeded, "n\(index)")
        }
    }

    @Test func answeredOnlyOnceCommittedAndVisibleToOthers() async throws {
        let directory = try TemporaryDirectory()
        let database = try Self.database(directory)
        let group = GroupCommit(database: database)
        for index in 0..<5 {
            try await group.write { db in try db.execute(sql: "INSERT INTO item (name) VALUES (?)", arguments: ["n\(index)"]) }
            // Another connection (a fresh one on the same file) sees it at once.
            let other = try DatabaseQueue(path: directory.path + "/group.sqlite")
            #expect(try await other.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM item") } == index + 1)
        }
    }

    @Test func aFailedCommitFailsEveryoneInTheBatch() async throws {
        let directory = try TemporaryDirectory()
        let database = try Self.database(directory)
        let group = GroupCommit(database: database)
        // A deferred foreign-key-like failure at COMMIT: a constraint SQLite checks only then.
        try await database.sqliteWrite { db in
            try db.execute(sql: "CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT")
            try db.execute(sql: """
                CREATE TABLE child (id INTEGER PRIMARY KEY,
                    parent INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED) STRICT
                """)
        }
        let failures = await withTaskGroup(of: Bool.self) { tasks in
            for index in 0..<10 {
                tasks.addTask {
                    do {
                        try await group.write { db in
                            try db.execute(sql: "INSERT INTO item (name) VALUES (?)", arguments: ["n\(index)"])
                            // Writer 0 leaves a dangling reference: the COMMIT of its batch fails.
                            if index == 0 { try db.execute(sql: "INSERT INTO child (parent) VALUES (42)") }
                        }
                        return false
                    } catch {
                        return true
                    }
                }
            }
            return await tasks.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        let stored = try await database.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM item") ?? -1 }
        // Whoever shared the failed batch failed and wrote nothing; the others committed.
        #expect(failures >= 1)
        #expect(stored == 10 - failures)
        #expect(try await database.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM child") } == 0)
    }

    /// SQLite answers some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) by rolling back the
    /// whole transaction, not just the failing statement: the savepoints of the writers before
    /// in the batch are gone with it, and writers after must not go on outside the batch.
    /// Whatever the batch: a writer told OK has its row, a writer told an error has none.
    @Test func aTransactionRolledBackBySQLiteFailsTheRestOfTheBatch() async throws {
        let directory = try TemporaryDirectory()
        let database = try Self.database(directory)
        try await database.sqliteWrite { db in try db.execute(sql: "CREATE TABLE blob (name TEXT NOT NULL, data BLOB NOT NULL) STRICT") }
        let group = GroupCommit(database: database)
        // Room for about three of the writers' blobs: the database is "full" after them.
        let pages = try await database.sqliteRead { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try await database.sqliteWrite { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages + 30)") }
        let blob = Data(repeating: 1, count: 9 * 4096)
        // The writer is held so that the writers queue up and share batches.
        let hold = DispatchSemaphore(value: 0)
        let held = DispatchSemaphore(value: 0)
        let holder = Task { try await database.sqliteWrite { _ in held.signal(); hold.wait() } }
        held.wait()
        let outcomes = await withTaskGroup(of: (String, Bool).self) { tasks in
            for index in 0..<8 {
                tasks.addTask {
                    do {
                        try await group.write { db in
                            try db.execute(sql: "INSERT INTO blob (name, data) VALUES (?, ?)", arguments: ["w\(index)", blob])
                        }
                        return ("w\(index)", true)
                    } catch {
                        #expect(StorageError.diskFull(in: error) != nil, "w\(index): \(error)")
                        return ("w\(index)", false)
                    }
                }
            }
            // Nothing tells when the writers have queued; a tenth of a second is ample, and
            // fewer queued only makes the batches smaller.
            try? await Task.sleep(for: .milliseconds(100))
            hold.signal()
            return await tasks.reduce(into: [String: Bool]()) { $0[$1.0] = $1.1 }
        }
        try await holder.value
        let stored = Set(try await database.sqliteRead { db in try String.fetchAll(db, sql: "SELECT name FROM blob") })
        let acknowledged = Set(outcomes.filter(\.value).keys)
        #expect(stored == acknowledged, "rows \(stored.sorted()), acknowledged \(acknowledged.sorted())")
        #expect(outcomes.values.contains(false), "the database never filled up")
    }
}
