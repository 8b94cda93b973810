import DVCProto
import OneStop
import Foundation
import RPCCore
import Storage

extension DossierBook {
    /// Records that `reader` read `dossiers` (and `file`), before the answer leaves: a read the
    /// log could not record is refused rather than served unrecorded. Nothing to do for a nil
    /// reader (the citizen themself, the platform's services).
    func recordReads(_ dossiers: [DossierV1.Dossier], by reader: AccessReader?, file: DossierV1.File? = nil) async throws {
        guard let reader, !dossiers.isEmpty else { return }
        let now = UnixMillis.now()
        try await database.write { db in
            try AccessLog.record(reader, dossiers: dossiers, file: file, atMs: now, db)
        }
    }

    /// A citizen's own access log, newest first, a page at a time.
    func accessLog(_ request: DossierV1.ListAccessLogRequest, for actor: DossierActor) async throws -> DossierV1.ListAccessLogResponse {
        guard case .citizen(let applicant) = actor else {
            throw RPCError(.permissionDenied, "the access log is shown to the citizen whose data was read, not to \(actor)")
        }
        var before: Int64?
        if !request.pageToken.isEmpty {
            guard let sequence = Int64(request.pageToken), sequence > 0 else {
                throw RPCError.invalidArgument(field: "page_token", "not a token from a previous page")
            }
            before = sequence
        }
        let size = request.pageSize == 0 ? 50 : Int(min(request.pageSize, 200))
        let after = before
        let entries = try await database.read { db in
            try AccessLog.entries(applicant: applicant, before: after, limit: size + 1, db)
        }
        var response = DossierV1.ListAccessLogResponse()
        response.entries = Array(entries.prefix(size))
        if entries.count > size, let last = response.entries.last { response.nextPageToken = "\(last.sequence)" }
        return response
    }
}
