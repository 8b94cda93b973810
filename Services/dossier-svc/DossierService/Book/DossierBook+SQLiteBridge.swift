import DVCProto
import Foundation
import GRDB
import OneStop
import Storage

// A temporary bridge while the dossier store moves onto the backend-neutral SQL layer in two
// halves: the core (submission, actions, queries) is written against `any SQLConnection`; the
// drafts, documents, signatures, ratings and renditions still take GRDB's `Database`. Each side
// reaches the other through the overloads below, so both compile and run on SQLite meanwhile.
// Once those parts take `any SQLConnection` too, this file is deleted whole: every overload
// here then has a twin with the same signature (or is no longer called).

// MARK: - Core code calling the parts still on GRDB (SQLite only until they are ported)

extension DossierBook {
    func issueDocument(for action: DossierV1.Action, row: DossierRow, actor: DossierActor,
                       context: DocumentContext, atMs: Int64, previousAppointmentMs: Int64? = nil,
                       _ db: any SQLConnection) throws {
        try db.sqlite { db in
            try issueDocument(for: action, row: row, actor: actor, context: context, atMs: atMs,
                              previousAppointmentMs: previousAppointmentMs, db)
        }
    }

    func signIssued(_ document: inout DossierV1.DossierDocument, row: DossierRow, issuer: OneStopDocuments.Agency,
                    atMs: Int64, _ db: any SQLConnection) throws {
        var signed = document
        try db.sqlite { db in try signIssued(&signed, row: row, issuer: issuer, atMs: atMs, db) }
        document = signed
    }
}

extension DocumentSignatures {
    @discardableResult
    func signResult(_ bytes: Data, file: DossierV1.Attachment, dossierID: String, receiptCode: String, issuer: Issuer,
                    atMs: Int64, _ db: any SQLConnection) throws -> String {
        try db.sqlite { db in
            try signResult(bytes, file: file, dossierID: dossierID, receiptCode: receiptCode, issuer: issuer, atMs: atMs, db)
        }
    }
}

extension DossierRatings {
    static func monthlyCounts(agency: String, months: ClosedRange<Int>?,
                              _ db: any SQLConnection) throws -> [Int: (ratings: UInt64, dissatisfied: UInt64)] {
        try db.sqlite { db in try monthlyCounts(agency: agency, months: months, db) }
    }
}

extension DraftRow {
    static func delete(id: String, _ db: any SQLConnection) throws -> [String] {
        try db.sqlite { db in try delete(id: id, db) }
    }
}

// MARK: - Code still on GRDB calling the core

extension DossierRow {
    static func fetch(id: String, _ db: Database) throws -> DossierRow? {
        try fetch(id: id, GRDBBridgeConnection(db))
    }

    func insert(_ db: Database) throws { try insert(GRDBBridgeConnection(db)) }

    func insertAll(_ db: Database) throws { try insertAll(GRDBBridgeConnection(db)) }
}

extension Sequences {
    static func nextDocument(agency: String, form: String, year: Int, _ db: Database) throws -> Int {
        try nextDocument(agency: agency, form: form, year: year, GRDBBridgeConnection(db))
    }
}

extension DossierBook {
    static func attachments(of id: String, _ db: Database) throws -> [DossierV1.Attachment] {
        try attachments(of: id, GRDBBridgeConnection(db))
    }

    static func insertAttachment(_ file: DossierV1.Attachment, dossier: String, position: Int, _ db: Database) throws {
        try insertAttachment(file, dossier: dossier, position: position, GRDBBridgeConnection(db))
    }
}

/// The neutral connection over a GRDB connection, for the overloads above.
private final class GRDBBridgeConnection: SQLConnection {
    let db: Database
    var backend: SQLBackend { .sqlite }

    init(_ db: Database) { self.db = db }

    func execute(sql: String, arguments: SQLArguments) throws {
        try db.execute(sql: sql, arguments: Self.grdb(arguments))
    }

    func fetchRows(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLRow.Columns(statement.columnNames)
        return try Row.fetchAll(statement, arguments: Self.grdb(arguments)).map { row in
            SQLRow(columns: columns, values: row.databaseValues.map(Self.value))
        }
    }

    var changesCount: Int { db.changesCount }
    var isInsideTransaction: Bool { db.isInsideTransaction }

    func inSavepoint(_ body: () throws -> Void) throws {
        try db.inSavepoint {
            try body()
            return .commit
        }
    }

    static func grdb(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.values.map { value -> DatabaseValue in
            switch value {
            case .null: .null
            case .integer(let v): v.databaseValue
            case .real(let v): v.databaseValue
            case .text(let v): v.databaseValue
            case .blob(let v): v.databaseValue
            }
        })
    }

    static func value(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let v): .integer(v)
        case .double(let v): .real(v)
        case .string(let v): .text(v)
        case .blob(let v): .blob(v)
        }
    }
}
