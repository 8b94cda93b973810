import DVCProto
import GRDB
import RPCCore
import Storage

/// The citizen's in-app inbox: every notification, newest first. Always asked for one
/// citizen, the caller: a message of someone else is NOT_FOUND, like one that does not exist,
/// so ids cannot be probed.
struct InboxStore: Sendable {
    let database: ServiceDatabase

    static let defaultPageSize = 20
    static let maxPageSize = 100

    func list(citizenID: String, _ request: NotifyV1.ListInboxRequest) async throws -> NotifyV1.ListInboxResponse {
        let size = request.pageSize == 0 ? Self.defaultPageSize : min(Int(request.pageSize), Self.maxPageSize)
        var after: (Int64, String)?
        if !request.pageToken.isEmpty {
            let parts = request.pageToken.split(separator: "_", maxSplits: 1)
            guard parts.count == 2, let at = Int64(parts[0]) else {
                throw RPCError.invalidArgument(field: "page_token", "not a token this service gave; start again without it")
            }
            after = (at, String(parts[1]))
        }
        let cursor = after
        return try await database.sqliteRead { db in
            var sql = "SELECT * FROM notification WHERE citizen_id = ?"
            var arguments: StatementArguments = [citizenID]
            var scope = ""
            var scopeArguments: StatementArguments = []
            if !request.agencyCode.isEmpty {
                scope = " AND dossier_id IN (SELECT dossier_id FROM dossier_contact WHERE agency_code = ?)"
                scopeArguments = [request.agencyCode]
                sql += scope
                arguments += scopeArguments
            }
            if request.unreadOnly { sql += " AND read_at IS NULL" }
            if let after = cursor {
                sql += " AND (created_at < ? OR (created_at = ? AND id < ?))"
                arguments += [after.0, after.0, after.1]
            }
            sql += " ORDER BY created_at DESC, id DESC LIMIT ?"
            arguments += [size + 1]
            var rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            var response = NotifyV1.ListInboxResponse()
            if rows.count > size {
                rows.removeLast()
                if let last = rows.last { response.nextPageToken = "\(last["created_at"] as Int64)_\(last["id"] as String)" }
            }
            response.messages = rows.map { row in
                var message = NotifyV1.InboxMessage()
                message.id = row["id"]
                message.subject = row["subject"]
                message.body = row["body"]
                message.createdAtUnixMs = row["created_at"]
                message.read = (row["read_at"] as Int64?) != nil
                message.dossierId = row["dossier_id"]
                message.kind = row["kind"]
                return message
            }
            response.unreadCount = UInt32(try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM notification WHERE citizen_id = ? AND read_at IS NULL" + scope,
                arguments: [citizenID] + scopeArguments) ?? 0)
            return response
        }
    }

    /// Marks the caller's message read (again is fine); another's or an unknown id: NOT_FOUND.
    func markRead(citizenID: String, messageID: String, agencyCode: String = "") async throws {
        guard !messageID.isEmpty else { throw RPCError.invalidArgument(field: "message_id", "is required") }
        let found = try await database.sqliteWrite { db -> Bool in
            var sql = "UPDATE notification SET read_at = COALESCE(read_at, ?) WHERE id = ? AND citizen_id = ?"
            var arguments: StatementArguments = [UnixMillis.now(), messageID, citizenID]
            if !agencyCode.isEmpty {
                sql += " AND dossier_id IN (SELECT dossier_id FROM dossier_contact WHERE agency_code = ?)"
                arguments += [agencyCode]
            }
            try db.execute(sql: sql, arguments: arguments)
            return db.changesCount > 0
        }
        guard found else { throw RPCError(.notFound, "no message \(messageID) in your inbox") }
    }
}
