import DVCProto
import Foundation
import OneStop
import RPCCore
import Storage

extension DossierBook {
    /// The roles that may give a dossier to an officer: the agency's administrator, who runs
    /// the desk's work, and the approver (lãnh đạo), who answers for the agency's deadlines.
    /// A receiver or processor may not hand work to colleagues; a processor still takes a
    /// dossier for themselves by starting to process it.
    static let assigningRoles: Set<String> = ["admin", "approver"]

    /// Sets who handles the dossier (`assignee`, "" for nobody), recorded in the history as
    /// ACTION_ASSIGN with the state unchanged. The gateway has checked that the assignee is an
    /// active officer of the agency (it keeps the accounts); here only its form. No event
    /// goes out: it is the agency's internal organisation, nothing the applicant is told.
    func assign(_ request: DossierV1.AssignDossierRequest, identity: CallerIdentity,
                context: ServerContext) async throws -> DossierV1.Dossier {
        guard case .officer(_, let agency, let roles) = identity else {
            throw RPCError(.permissionDenied, "only an officer of the dossier's agency assigns dossiers")
        }
        guard !Self.assigningRoles.isDisjoint(with: roles) else {
            throw RPCError(.permissionDenied, "assigning a dossier needs the role admin or approver at \(agency)")
        }
        let apiKey = try ActingAPIKey.of(context)
        let actor = DossierActor(identity)
        let assignee = request.assignee.trimmingCharacters(in: .whitespaces)
        guard assignee.count <= 64, !assignee.contains(where: { $0.isWhitespace || $0.isNewline }),
              assignee.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F })
        else {
            throw RPCError.invalidArgument(field: "assignee", "an officer's sign-in name: at most 64 characters, no spaces")
        }
        guard request.note.count <= 1000 else { throw RPCError.invalidArgument(field: "note", "at most 1000 characters") }
        guard let row = try await database.read({ db in try DossierRow.fetch(id: request.dossierId, db) }),
              row.agencyCode == agency
        else {
            throw RPCError(.notFound, "dossier \(request.dossierId) does not exist or is not yours")
        }
        guard request.expectedVersion != 0 else {
            throw RPCError.invalidArgument(field: "expected_version",
                                           "required: the version of the dossier the decision was made on (now \(row.version))")
        }
        guard request.expectedVersion == row.version else {
            throw RPCError(.aborted,
                           "dossier \(row.id) changed since version \(request.expectedVersion) (now \(row.version)); reload it and decide again",
                           violations: [FieldViolation(field: "expected_version", description: "stale: the dossier is at \(row.version)")])
        }
        guard DossierStates.isOpen(row.state) else {
            throw RPCError(.failedPrecondition, "dossier \(row.id) is closed (state \(row.state.rawValue)); it is nobody's work any more")
        }
        if row.assignee == assignee { return try await dossier(row) }
        var next = row
        next.assignee = assignee
        let now = UnixMillis.now()
        let what = assignee.isEmpty ? "Thu hồi phân công (trước: \(row.assignee))"
            : row.assignee.isEmpty ? "Giao cho \(assignee)" : "Chuyển từ \(row.assignee) sang \(assignee)"
        let note = request.note.isEmpty ? what : "\(what): \(request.note)"
        let prepared = next
        let committed: DossierRow = try await database.write { db in
            var next = prepared
            guard try next.update(expectedVersion: row.version, db) else {
                throw RPCError(.aborted, "dossier \(row.id) was changed by someone else at the same moment; reload it and decide again")
            }
            try DossierQueries.appendHistory(row.id, actor: actor.historyName, apiKey: apiKey, atMs: now, from: row.state,
                                             to: row.state, action: .assign, note: note, db)
            next.version = row.version + 1
            return next
        }
        return try await dossier(committed)
    }
}
