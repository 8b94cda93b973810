import DVCProto
import Foundation
import GRDB
import Logging
import RPCCore
import Storage

/// Submits a dossier the portal delivered to dossier-svc, exactly once.
///
/// The idempotency key is derived from the portal's id (`dvcqg:<portal id>`), so a second
/// delivery of the same dossier, or a delivery repeated after this process stopped between
/// submitting and answering, gets the same dossier back from dossier-svc instead of a new one.
/// The portal's id and ours are recorded together (`inbound`), which is what lets the reports
/// go out: they wait until their dossier is known here.
struct InboundIntake: Sendable {
    let database: ServiceDatabase
    let dossiers: any RPCClientProtocol
    let wake: WakeUp
    let logger: Logger

    struct Accepted: Sendable {
        var dossier: DossierV1.Dossier
        var duplicate: Bool
    }

    static func idempotencyKey(portalID: String) -> String { "dvcqg:\(portalID)" }

    func accept(_ inbound: InboundDossier) async throws -> Accepted {
        let now = UnixMillis.now()
        let earlier = try await database.sqliteWrite { db -> String? in
            try db.execute(sql: """
                INSERT INTO inbound (portal_id, agency_code, procedure_code, first_delivered_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (portal_id) DO UPDATE SET deliveries = deliveries + 1
                """, arguments: [inbound.portalID, inbound.agencyCode, inbound.procedureCode, now])
            return try String.fetchOne(db, sql: "SELECT dossier_id FROM inbound WHERE portal_id = ?", arguments: [inbound.portalID])
        }
        var request = DossierV1.SubmitDossierRequest()
        request.agencyCode = inbound.agencyCode
        request.procedureCode = inbound.procedureCode
        request.channel = .nationalPortal
        request.formData = inbound.formData
        request.attachments = inbound.files.map { file in
            var upload = DossierV1.AttachmentUpload()
            upload.name = file.name
            upload.content = file.content
            upload.requiredDocument = file.requiredDocument
            return upload
        }
        var options = CallOptions(timeout: .seconds(30), idempotent: true)
        // The national portal identified the citizen (VNeID); the connector submits as them.
        options.metadata[CallerIdentity.metadataKey] = "citizen:\(inbound.applicantID)"
        options.metadata[MetadataKey.idempotencyKey] = Self.idempotencyKey(portalID: inbound.portalID)
        let response = try await dossiers.unary(DossierV1.DossierService.submitDossier, request, options: options)
        let dossier = response.dossier ?? DossierV1.Dossier()
        try await database.sqliteWrite { db in
            try db.execute(sql: "UPDATE inbound SET dossier_id = ?, submitted_at = COALESCE(submitted_at, ?) WHERE portal_id = ?",
                           arguments: [dossier.id, UnixMillis.now(), inbound.portalID])
        }
        wake.wake()
        logger.info("dossier from the national portal", metadata: ["portal_dossier": "\(inbound.portalID)", "dossier": "\(dossier.id)",
                                                                   "repeat": "\(earlier != nil)"])
        return Accepted(dossier: dossier, duplicate: earlier != nil)
    }
}
