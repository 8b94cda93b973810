import DVCProto
import Foundation
import RPCCore
import Storage

/// The data tracker's table (`access_log`, append-only by trigger): recording the reads of
/// citizens' dossiers by officers and agency systems, and listing a citizen's own.
enum AccessLog {
    /// One row per dossier read; `file` for a file's bytes.
    static func record(_ reader: AccessReader, dossiers: [DossierV1.Dossier], file: DossierV1.File? = nil,
                       atMs: Int64, _ db: any SQLConnection) throws {
        let insert = """
            INSERT INTO access_log (at_ms, applicant_id, dossier_id, receipt_code, reader, agency_code, api_key_id,
                                    method, file_id, file_name)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        for dossier in dossiers {
            try db.execute(sql: insert, arguments: [atMs, dossier.applicantId, dossier.id, dossier.receiptCode, reader.name,
                                           reader.agencyCode, reader.apiKeyID, reader.method,
                                           file?.id ?? "", file?.name ?? ""])
        }
    }

    /// A citizen's entries, newest first, before `sequence` (the page token) if given.
    static func entries(applicant: String, before sequence: Int64?, limit: Int, _ db: any SQLConnection) throws -> [DossierV1.AccessEntry] {
        try SQLRow.fetchAll(db, sql: """
            SELECT sequence, at_ms, dossier_id, receipt_code, reader, agency_code, api_key_id, method, file_id, file_name
            FROM access_log WHERE applicant_id = ? AND sequence < ? ORDER BY sequence DESC LIMIT ?
            """, arguments: [applicant, sequence ?? Int64.max, limit]).map { row in
            var entry = DossierV1.AccessEntry()
            entry.sequence = UInt64(row["sequence"] as Int64)
            entry.atUnixMs = row["at_ms"]
            entry.dossierId = row["dossier_id"]
            entry.receiptCode = row["receipt_code"]
            entry.reader = row["reader"]
            entry.agencyCode = row["agency_code"]
            entry.apiKeyId = row["api_key_id"]
            entry.method = row["method"]
            entry.fileId = row["file_id"]
            entry.fileName = row["file_name"]
            return entry
        }
    }
}
