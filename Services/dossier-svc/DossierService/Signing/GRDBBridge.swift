import DVCProto
import Foundation
import GRDB
import Storage

/// A GRDB connection seen as an ``SQLConnection``: the passage from code of this service still
/// written against GRDB's `Database` (SQLite only) into code written against the neutral
/// connection. It goes when every caller hands an `any SQLConnection`.
final class GRDBBridge: SQLConnection {
    let db: Database
    var backend: SQLBackend { .sqlite }

    init(_ db: Database) { self.db = db }

    func execute(sql: String, arguments: SQLArguments) throws {
        if arguments.isEmpty { try db.execute(sql: sql) } else { try db.execute(sql: sql, arguments: Self.grdb(arguments)) }
    }

    func fetchRows(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLRow.Columns(statement.columnNames)
        return try Row.fetchAll(statement, arguments: Self.grdb(arguments)).map { row in
            SQLRow(columns: columns, values: row.databaseValues.map { value in
                switch value.storage {
                case .null: .null
                case .int64(let v): .integer(v)
                case .double(let v): .real(v)
                case .string(let v): .text(v)
                case .blob(let v): .blob(v)
                }
            })
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
}

// The entry points of this service's drafts, ratings and signatures that code still on GRDB's
// `Database` calls; each hands the bridge to the neutral form.

extension DossierRatings {
    static func monthlyCounts(agency: String, months: ClosedRange<Int>?, _ db: Database) throws -> [Int: (ratings: UInt64, dissatisfied: UInt64)] {
        try monthlyCounts(agency: agency, months: months, GRDBBridge(db))
    }
}

extension DocumentSignatures {
    @discardableResult
    func signResult(_ bytes: Data, file: DossierV1.Attachment, dossierID: String, receiptCode: String, issuer: Issuer,
                    atMs: Int64, _ db: Database) throws -> String {
        try signResult(bytes, file: file, dossierID: dossierID, receiptCode: receiptCode, issuer: issuer, atMs: atMs, GRDBBridge(db))
    }
}
