import DVCProto
@testable import DossierService
import Foundation
import OneStop
import RPCCore
import Storage
import StorageTestKit
import Testing

/// The change feed's positions (migration dossier.v10.change-feed): every insert and every
/// change of a dossier takes the next number, whichever path wrote it; a database an earlier
/// release left gets its dossiers in the order they were written; the feed's query reads them
/// after a cursor, the agency's own and those it received as a centre.
@Suite struct ChangeFeedTests {
    static let agency = "000.00.07.H26"
    static let centre = "000.00.99.H26"

    static func row(_ id: String, agency: String = agency, receivingAgency: String? = nil, submittedAtMs: Int64 = 1_000) -> DossierRow {
        DossierRow(id: id, agencyCode: agency, procedureCode: "P", applicantID: "001099012345", channel: .online,
                   pinSalt: Data([1]), pinHash: Data([2]), submittedAtMs: submittedAtMs, idempotencyKey: "k-\(id)",
                   details: .init(), receivingAgency: receivingAgency)
    }

    static func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("change-feed-\(UUID().uuidString)").path
    }

    static func sequence(_ id: String, _ db: any SQLConnection) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT change_seq FROM dossier WHERE id = ?", arguments: [id]) ?? -1
    }

    static func feed(after cursor: DossierQueries.Cursor?, agency: String = agency, limit: Int = 10, _ db: any SQLConnection) throws -> [String] {
        try DossierQueries.queue(.init(agency: agency, state: nil, assignee: nil, dueBeforeMs: nil, overdueOnly: false, order: .changed),
                                 after: cursor, limit: limit, db).map(\.id)
    }

    @Test("inserts, new versions, the overdue mark and the receipt code each move a dossier to the end of the feed", arguments: TestDatabases.backends)
    func everyWriteTakesTheNextNumber(backend: SQLBackend) throws {
        let database = try DossierTestDatabases.make(backend)
        try database.write { db in
            try Self.row("a").insertAll(db)
            try Self.row("b").insertAll(db)
            try Self.row("c").insertAll(db)
        }
        #expect(try database.read { db in try ["a", "b", "c"].map { try Self.sequence($0, db) } } == [1, 2, 3])
        #expect(try database.read { db in try Self.feed(after: nil, db) } == ["a", "b", "c"])
        try database.write { db in
            var a = try #require(try DossierRow.fetch(id: "a", db))
            a.state = .received
            #expect(try a.update(expectedVersion: 1, db))
        }
        #expect(try database.read { db in try Self.feed(after: nil, db) } == ["b", "c", "a"])
        try database.write { db in try db.execute(sql: "UPDATE dossier SET overdue = 1 WHERE id = 'b'") }
        #expect(try database.read { db in try Self.feed(after: nil, db) } == ["c", "a", "b"])
        try database.write { db in try db.execute(sql: "UPDATE dossier SET receipt_code = 'X-1' WHERE id = 'c'") }
        // A write that changes nothing the feed reports (the searchable name) leaves the order.
        try database.write { db in try db.execute(sql: "UPDATE dossier SET applicant_name = 'x' WHERE id = 'a'") }
        #expect(try database.read { db in try Self.feed(after: nil, db) } == ["a", "b", "c"])
        let a = try #require(try database.read { db in try DossierRow.fetch(id: "a", db) })
        #expect(try database.read { db in try Self.feed(after: DossierQueries.cursor(after: a, order: .changed), db) } == ["b", "c"])
        #expect(try database.read { db in try Self.sequence("c", db) } == 6)
    }

    @Test("a centre's feed has the dossiers it received for another agency, merged in the order of changes", arguments: TestDatabases.backends)
    func centreFeed(backend: SQLBackend) throws {
        let database = try DossierTestDatabases.make(backend)
        try database.write { db in
            try Self.row("own-1", agency: Self.centre).insertAll(db)
            try Self.row("for-other", receivingAgency: Self.centre).insertAll(db)
            try Self.row("own-2", agency: Self.centre).insertAll(db)
            try Self.row("elsewhere").insertAll(db)
        }
        #expect(try database.read { db in try Self.feed(after: nil, agency: Self.centre, db) } == ["own-1", "for-other", "own-2"])
        #expect(try database.read { db in try Self.feed(after: nil, db) } == ["for-other", "elsewhere"])
        let first = try #require(try database.read { db in try DossierRow.fetch(id: "own-1", db) })
        let cursor = DossierQueries.cursor(after: first, order: .changed)
        #expect(try database.read { db in try Self.feed(after: cursor, agency: Self.centre, limit: 1, db) } == ["for-other"])
    }

    @Test("a database of an earlier release gets its dossiers in the order written, and the counter goes on after them", arguments: TestDatabases.backends)
    func migration(backend: SQLBackend) throws {
        let place = try DossierTestPlace(backend)
        defer { try? FileManager.default.removeItem(atPath: place.folder) }
        let earlier = try place.open(DossierSchema.migrations(through: "dossier.v9.form-circular"))
        try earlier.write { db in
            for id in ["z", "y", "x"] { try Self.row(id).insert(db) }
        }
        try earlier.close()
        let database = try place.openCurrent()
        #expect(try database.read { db in try Self.feed(after: nil, db) } == ["z", "y", "x"])
        try database.write { db in try Self.row("w").insertAll(db) }
        #expect(try database.read { db in try Self.feed(after: nil, db) } == ["z", "y", "x", "w"])
        #expect(try database.read { db in try Self.sequence("w", db) } == 4)
    }

    @Test("the feed reads its index in order from the cursor, for the agency and as a centre: no sort", arguments: TestDatabases.backends)
    func plans(backend: SQLBackend) throws {
        let database = try DossierTestDatabases.make(backend)
        let filter = DossierQueries.QueueFilter(agency: Self.agency, state: nil, assignee: nil, dueBeforeMs: nil, overdueOnly: false,
                                                order: .changed)
        for column in ["agency_code", "receiving_agency"] {
            for cursor in [nil, DossierQueries.Cursor(order: .changed, key: 7, id: "d")] {
                let (sql, arguments) = DossierQueries.queueSQL(filter, after: cursor, limit: 101, column: column, backend: backend)
                let plan = try database.read { db in try QueryPlans.plan(sql, arguments: arguments, db) }
                switch backend {
                case .sqlite:
                    #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(column): \(plan)")
                    #expect(plan.contains { $0.contains("USING INDEX dossier_changes") }, "\(column): \(plan)")
                    if cursor != nil { #expect(plan.contains { $0.contains("change_seq>?") }, "\(column): \(plan)") }
                case .postgres:
                    #expect(!plan.contains { $0.contains("Sort") }, "\(column): \(plan)")
                    #expect(plan.contains { $0.contains("Index Scan using dossier_changes") }, "\(column): \(plan)")
                    if cursor != nil { #expect(plan.contains { $0.contains("Index Cond") && $0.contains("change_seq >=") }, "\(column): \(plan)") }
                }
            }
        }
    }

    @Test("the cursor of the feed round-trips and is told apart from the other orders' tokens")
    func cursors() throws {
        let cursor = DossierQueries.Cursor(order: .changed, key: 42, id: "d|1")
        #expect(DossierQueries.Cursor(cursor.token) == cursor)
        #expect(DossierQueries.Cursor(cursor.token)?.order == .changed)
        #expect(DossierQueries.Cursor(DossierQueries.Cursor(order: .submittedOldest, key: 42, id: "d").token)?.order == .submittedOldest)
        #expect(DossierQueries.Cursor(Data("q2|4|1|d".utf8).base64EncodedString()) == nil)
    }

    @Test("periods are checked: no negative instant, the end after the start; an unbounded side is no condition")
    func periods() throws {
        var request = DossierV1.ListDossiersRequest()
        request.receivedFromUnixMs = 5
        #expect(try DossierBook.periods(request) == [.init(instant: .received, from: 5, to: nil)])
        request.decidedToUnixMs = 9
        #expect(try DossierBook.periods(request).count == 2)
        request.submittedFromUnixMs = 10
        request.submittedToUnixMs = 10
        let equal = #expect(throws: RPCError.self) { try DossierBook.periods(request) }
        #expect(equal?.violations.map(\.field) == ["submitted_to_unix_ms"])
        request.submittedToUnixMs = 0
        request.decidedFromUnixMs = -1
        let negative = #expect(throws: RPCError.self) { try DossierBook.periods(request) }
        #expect(negative?.violations.map(\.field) == ["decided_from_unix_ms"])
    }
}
