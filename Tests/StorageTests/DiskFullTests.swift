import Foundation
import GRDB
import Storage
import Testing

/// `StorageError.diskFull(in:)` tells a full disk from every other failure, whichever layer
/// reported it, and a database that filled up takes writes again once there is room.
@Suite struct DiskFullTests {
    @Test func sqliteRunningOutOfRoomIsDiskFullAndWritesResumeWhenThereIsRoom() async throws {
        let dir = try TemporaryDirectory()
        let database = try ServiceDatabase(directory: dir.path, name: "svc", migrations: Fixtures.migrations())
        try await database.sqliteWrite { db in try db.execute(sql: "CREATE TABLE blob (data BLOB NOT NULL) STRICT") }
        // A page limit just above the current size: SQLite answers SQLITE_FULL as on a full disk.
        let pages = try await database.sqliteRead { db in try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0 }
        try await database.sqliteWrite { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages + 2)") }
        let big = Data(repeating: 7, count: 64 * 1024)
        var failure: (any Error)?
        do {
            try await database.sqliteWrite { db in try db.execute(sql: "INSERT INTO blob (data) VALUES (?)", arguments: [big]) }
        } catch {
            failure = error
        }
        let error = try #require(failure)
        #expect(StorageError.diskFull(in: error) != nil, "\(error)")
        #expect(StorageError.diskFull(in: error)?.description.hasPrefix("the disk of the data folder is full") == true)
        // Nothing of the refused write is there; with room again, the same write succeeds.
        #expect(try await database.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM blob") } == 0)
        try await database.sqliteWrite { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = 1000000") }
        try await database.sqliteWrite { db in try db.execute(sql: "INSERT INTO blob (data) VALUES (?)", arguments: [big]) }
        #expect(try await database.sqliteRead { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM blob") } == 1)
    }

    @Test func fileSystemErrorsOfEveryLayer() {
        #expect(StorageError.diskFull(in: POSIXError(.ENOSPC)) != nil)
        #expect(StorageError.diskFull(in: POSIXError(.EDQUOT)) != nil)
        #expect(StorageError.diskFull(in: NSError(domain: NSPOSIXErrorDomain, code: Int(ENOSPC))) != nil)
        #expect(StorageError.diskFull(in: CocoaError(.fileWriteOutOfSpace)) != nil)
        #expect(StorageError.diskFull(in: CocoaError(.fileWriteUnknown, userInfo: [NSUnderlyingErrorKey: POSIXError(.ENOSPC)])) != nil)
        #expect(StorageError.diskFull(in: StorageError.diskFull("x")) == .diskFull("x"))
        // Everything else is not a full disk.
        #expect(StorageError.diskFull(in: POSIXError(.EIO)) == nil)
        #expect(StorageError.diskFull(in: DatabaseError(resultCode: .SQLITE_CONSTRAINT)) == nil)
        #expect(StorageError.diskFull(in: StorageError.invalidEvent("x")) == nil)
        #expect(StorageError.diskFull(in: CancellationError()) == nil)
    }
}
