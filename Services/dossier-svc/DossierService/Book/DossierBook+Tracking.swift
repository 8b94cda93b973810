import DVCProto
import Foundation
import RPCCore
import ServiceClients
import Storage

extension DossierBook {
    /// A stored PIN no dossier has: an unknown receipt code is checked against it, so it costs
    /// the same HMAC as a known code with a wrong PIN.
    private static let decoyPIN = TrackingPIN.generate().stored()

    /// Anyone holding the receipt code and its PIN sees where the dossier stands — and nothing
    /// about who submitted it (`TrackedDossier`). Failures are counted per code and per client
    /// address (`TrackingLockout`); an unknown code and a wrong PIN get the same NOT_FOUND.
    ///
    /// - Parameter clientAddress: the address the gateway served (nil for a platform service
    ///   calling directly: counted per code only).
    func track(receiptCode: String, pin: String, clientAddress: String?,
               options: CallOptions) async throws -> DossierV1.TrackedDossier {
        guard !receiptCode.isEmpty else { throw RPCError.invalidArgument(field: "receipt_code", "required") }
        guard receiptCode.utf8.count <= 64 else { throw RPCError.invalidArgument(field: "receipt_code", "at most 64 bytes") }
        let lockout = trackingLockout
        let now = UnixMillis.now()
        // Check, verify and count in one write transaction: concurrent guesses at one code are
        // counted one after another, so none slips past the limit.
        let found: DossierRow? = try await database.write { db in
            try lockout.check(code: receiptCode, address: clientAddress, nowMs: now, db)
            let row = try DossierRow.fetch(receiptCode: receiptCode, db)
            let stored = row.flatMap { TrackingPIN.Stored(salt: $0.pinSalt, digest: $0.pinHash) }
            let matches = (stored ?? Self.decoyPIN).verify(pin)
            guard let row, stored != nil, matches else {
                try lockout.recordFailure(code: receiptCode, address: clientAddress, nowMs: now, db)
                return nil
            }
            return row
        }
        guard let row = found else { throw RPCError(.notFound, "no dossier with this receipt code and PIN") }
        var tracked = DossierV1.TrackedDossier()
        tracked.receiptCode = row.receiptCode ?? ""
        tracked.agencyCode = row.agencyCode
        tracked.procedureCode = row.procedureCode
        tracked.state = row.state
        tracked.receivedAtUnixMs = row.receivedAtMs ?? 0
        tracked.appointmentAtUnixMs = row.appointmentAtMs ?? 0
        tracked.missingDocuments = row.state == .supplementRequested ? row.details.missingDocuments : []
        tracked.overdue = row.overdue
        // The name is a courtesy: the status is answered without it when catalog-svc is away.
        tracked.procedureName = (try? await catalogCache.procedure(row.procedureCode, options: options).name) ?? ""
        // Which agency holds it now: after a transfer, or at each step of an inter-agency dossier.
        tracked.agencyName = (try? await agency(row.agencyCode, options: options).name) ?? ""
        tracked.currentStep = row.details.currentStep
        tracked.stepCount = UInt32(row.details.groupSteps.count)
        return tracked
    }
}
