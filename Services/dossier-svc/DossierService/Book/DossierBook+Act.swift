import DVCProto
import OneStop
import Foundation
import RPCCore
import ServiceClients
import Storage

extension DossierBook {
    /// One action on a dossier, by one actor, on the version they saw.
    ///
    /// The workflow decides whether it is allowed; the catalog answers what the action needs
    /// (the appointment on receipt, the working minutes of a pause); then the row, its history
    /// entry and its event commit together, and only if nobody changed the dossier meanwhile
    /// (ABORTED otherwise: two officers acting on one version, one wins).
    ///
    /// With an `idempotency-key` (optional here), the same action sent again by the same actor
    /// — a client retrying after a timeout — changes nothing more and answers with the dossier
    /// as it stands, which is the first call's result unless someone acted since; the key reused
    /// for a different action is FAILED_PRECONDITION.
    func act(_ request: DossierV1.ActRequest, actor: DossierActor, context: ServerContext) async throws -> DossierV1.Dossier {
        let apiKey = try ActingAPIKey.of(context)
        let idempotencyKey = try Self.optionalIdempotencyKey(context)
        let fingerprint = ActRequests.fingerprint(request)
        guard let row = try await database.read({ db in try DossierRow.fetch(id: request.dossierId, db) }),
              Self.maySee(row, actor)
        else {
            throw RPCError(.notFound, "dossier \(request.dossierId) does not exist or is not yours")
        }
        // A retry carries the version the first call saw, now stale: recognised before that check.
        if let idempotencyKey, try await database.read({ db in
            try ActRequests.isRetry(dossier: row.id, actor: actor.historyName, key: idempotencyKey, fingerprint: fingerprint, db)
        }) {
            return try await dossier(row)
        }
        // Versions start at 1: a request without one did not say what its decision was based on.
        guard request.expectedVersion != 0 else {
            throw RPCError.invalidArgument(field: "expected_version",
                                           "required: the version of the dossier the decision was made on (now \(row.version))")
        }
        guard request.expectedVersion == row.version else {
            throw RPCError(.aborted,
                           "dossier \(row.id) changed since version \(request.expectedVersion) (now \(row.version)); reload it and decide again",
                           violations: [FieldViolation(field: "expected_version", description: "stale: the dossier is at \(row.version)")])
        }
        let options = context.downstreamOptions(CallOptions(idempotent: true))
        let feeSettled = try await feeSettled(row, options: options)
        let subject = DossierWorkflow.Subject(state: row.state, ownerID: row.applicantID, agencyCode: row.agencyCode,
                                              supplementRequestedFrom: row.supplementFrom, deskAgencies: row.deskAgencies,
                                              hasNextStep: row.details.groupSteps.count > Int(row.details.currentStep))
        let command = DossierWorkflow.Command(request.action, by: actor, reason: request.note,
                                              missingDocuments: request.missingDocuments, feeSettled: feeSettled,
                                              targetAgency: request.targetAgencyCode)
        let transition: DossierWorkflow.Transition
        do {
            transition = try DossierWorkflow.transition(command, for: subject)
        } catch {
            throw error.rpcError
        }
        if request.action == .approve, request.resultNote.trimmingCharacters(in: .whitespaces).isEmpty,
           request.resultDocument == nil {
            throw RPCError(.invalidArgument, "an approval carries its result: a note, a document or both",
                           violations: [FieldViolation(field: "result_note", description: "required without result_document")])
        }

        let now = UnixMillis.now()
        var next = row
        next.state = transition.to
        // What the action brings, prepared before the transaction (files, catalog answers).
        switch request.action {
        case .receive:
            next.receivedAtMs = now
            var appointment = CatalogV1.ComputeAppointmentRequest()
            appointment.agencyCode = row.agencyCode
            appointment.procedureCode = row.procedureCode
            appointment.receivedAtUnixMs = now
            next.appointmentAtMs = try await catalog.unary(CatalogV1.CatalogService.computeAppointment, appointment,
                                                           options: options).appointmentAtUnixMs
            next.startCurrentStep(atMs: now)
        case .transfer:
            // The competent agency must publish the procedure; the receipt code, the history and
            // the clock (received, appointment, paused minutes) stay as they are.
            let level = try await catalogCache.level(agency: request.targetAgencyCode, procedure: row.procedureCode, options: options)
            try ServiceLevel.information.require(of: level, agency: request.targetAgencyCode, procedure: row.procedureCode,
                                                 doing: "receiving the transferred dossier")
            next.handOver(to: request.targetAgencyCode, by: actor, action: .transfer, note: request.note, atMs: now)
        case .completeStep:
            let target = try await nextStepAgency(row, target: request.targetAgencyCode, options: options)
            next.completeCurrentStep(by: actor, atMs: now)
            next.handOver(to: target, by: actor, action: .completeStep, note: request.note, atMs: now)
            next.procedureCode = next.details.groupSteps[Int(next.details.currentStep) - 1].procedureCode
            // The next agency's own time limit starts now.
            var appointment = CatalogV1.ComputeAppointmentRequest()
            appointment.agencyCode = target
            appointment.procedureCode = next.procedureCode
            appointment.receivedAtUnixMs = now
            next.appointmentAtMs = try await catalog.unary(CatalogV1.CatalogService.computeAppointment, appointment,
                                                           options: options).appointmentAtUnixMs
            next.startCurrentStep(atMs: now)
        case .refuseReception, .refuse:
            next.details.reason = request.note
        case .startProcessing:
            if case .officer(let id, _, _) = actor { next.assignee = id }
        case .requestSupplement:
            next.details.missingDocuments = request.missingDocuments
            next.pausedSinceMs = now
            next.supplementFrom = transition.from
        case .resubmit:
            let existing = try await database.read { db in try Self.attachments(of: row.id, db) }
            let uploads = request.attachments
            // The form as it will stand is checked exactly as a submission's: only declared
            // fields, each of its type and size (before, anything could be merged in).
            var merged = row.details.formData
            merged.merge(request.formData) { $1 }
            if !request.formData.isEmpty {
                let procedure = try await catalogCache.procedure(row.procedureCode, options: options)
                merged = try FormDataValidator(procedure: procedure).validate(merged)
            }
            let added = try await storeDurably(uploads, existingSizes: existing.map(\.sizeBytes))
            next.details.formData = merged
            next.details.missingDocuments = []
            next.supplementFrom = nil
            if let since = row.pausedSinceMs {
                var count = CatalogV1.CountWorkingMinutesRequest()
                count.agencyCode = row.agencyCode
                count.fromUnixMs = since
                count.toUnixMs = now
                next.pausedMinutes += Int(try await catalog.unary(CatalogV1.CatalogService.countWorkingMinutes, count,
                                                                  options: options).minutes)
            }
            next.pausedSinceMs = nil
            if let received = row.receivedAtMs {
                // The appointment moves by every working minute spent waiting for supplements.
                var appointment = CatalogV1.ComputeAppointmentRequest()
                appointment.agencyCode = row.agencyCode
                appointment.procedureCode = row.procedureCode
                appointment.receivedAtUnixMs = received
                appointment.pausedWorkingMinutes = UInt32(next.pausedMinutes)
                next.appointmentAtMs = try await catalog.unary(CatalogV1.CatalogService.computeAppointment, appointment,
                                                               options: options).appointmentAtUnixMs
            }
            next.details.attachments = added.enumerated().map { index, file in
                var attachment = file.proto
                attachment.requiredDocument = uploads[index].requiredDocument
                return attachment
            }
        case .confirmPayment:
            // payment-svc's "paid": the fee is settled for good (approval checks this).
            next.feeSettled = true
        case .approve:
            next.completeCurrentStep(by: actor, atMs: now)
            next.details.resultNote = request.resultNote
            if let document = request.resultDocument {
                next.details.resultDocument = try await storeDurably([document], fieldPrefix: "result_document").first?.proto
            }
        case .withdraw:
            next.details.reason = request.note
        case .apologize:
            let current = row.appointmentAtMs ?? 0
            guard request.newAppointmentAtUnixMs > max(current, now) else {
                throw RPCError.invalidArgument(
                    field: "new_appointment_at_unix_ms",
                    "the new appointment must be later than now and than the current one")
            }
            next.details.reason = request.note
            next.appointmentAtMs = request.newAppointmentAtUnixMs
        default:
            break
        }
        if transition.isDecision { next.decidedAtMs = now }
        if transition.clock == .resume, row.pausedSinceMs != nil, request.action == .withdraw { next.pausedSinceMs = nil }
        let resubmitted = request.action == .resubmit ? next.details.attachments : []
        let issuesDocument: Set<DossierV1.Action> = [.receive, .requestSupplement, .refuseReception, .apologize]
        // After receipt every step also rewrites the processing-control slip (and a withdrawal
        // then issues the 2025 stop notice, 05).
        let needsDocuments = issuesDocument.contains(request.action) || row.receiptCode != nil
        // A desk step taken by the receiving centre is the centre's document, on its sequence.
        let issuer = actor.agencyCode.flatMap { $0 != row.agencyCode && row.deskAgencies.contains($0) ? $0 : nil }
        let documentContext = needsDocuments ? try await documentContext(row, issuer: issuer, options: options) : nil
        next.details.attachments = []
        // The result file as uploaded is signed by the competent agency, in the transaction.
        let resultToSign: (file: DossierV1.Attachment, bytes: Data)?
        if request.action == .approve, signatures != nil, let result = next.details.resultDocument {
            let sha = result.sha256Hex
            resultToSign = (result, try await storeFiles { store in try store.read(sha256: sha) })
        } else {
            resultToSign = nil
        }

        let prepared = next
        let traceparent = context.trace.child().traceparent
        let committed: DossierRow = try await database.write { db in
            // Two copies of one call racing: the second finds the first's record here.
            if let idempotencyKey, try ActRequests.isRetry(dossier: row.id, actor: actor.historyName, key: idempotencyKey,
                                                           fingerprint: fingerprint, db),
               let current = try DossierRow.fetch(id: row.id, db) {
                return current
            }
            var next = prepared
            guard try next.update(expectedVersion: row.version, db) else {
                throw RPCError(.aborted, "dossier \(row.id) was changed by someone else at the same moment; reload it and decide again")
            }
            // One receipt code for the dossier's whole life: a transfer or the next step of an
            // inter-agency dossier keeps it.
            if transition.to == .received, next.receiptCode == nil {
                try self.issueReceiptCode(&next, atMs: now, db)
            }
            if request.action == .apologize {
                // With a new date the dossier is on time again until that date passes.
                try db.execute(sql: "UPDATE dossier SET overdue = 0 WHERE id = ?", arguments: [row.id])
                next.overdue = false
            }
            let start = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attachment WHERE dossier_id = ?", arguments: [row.id]) ?? 0
            for (offset, file) in resubmitted.enumerated() {
                try Self.insertAttachment(file, dossier: row.id, position: start + offset, db)
            }
            var stored = next
            stored.version = row.version + 1
            if let documentContext {
                try self.issueDocument(for: request.action, row: stored, actor: actor, context: documentContext, atMs: now,
                                       previousAppointmentMs: row.appointmentAtMs, db)
            }
            try DossierQueries.appendHistory(row.id, actor: actor.historyName, apiKey: apiKey, atMs: now, from: transition.from,
                                             to: transition.to, action: request.action, note: request.note, db)
            if let documentContext {
                try self.refreshProcessingControl(row: stored, context: documentContext, atMs: now, db)
            }
            if let resultToSign, let signatures = self.signatures {
                let issuer = documentContext.map { DocumentSignatures.Issuer(code: $0.agency.code, name: $0.agency.name) }
                    ?? DocumentSignatures.Issuer(code: stored.agencyCode, name: stored.agencyCode)
                try signatures.signResult(resultToSign.bytes, file: resultToSign.file, dossierID: stored.id,
                                          receiptCode: stored.receiptCode ?? "", issuer: issuer, atMs: now, db)
            }
            try self.enqueueEvent(type: "dossier.\(Self.eventName(request.action))", row: stored, action: request.action,
                                  note: request.note, traceparent: traceparent, db)
            if let idempotencyKey {
                try ActRequests.record(dossier: row.id, actor: actor.historyName, key: idempotencyKey,
                                       fingerprint: fingerprint, version: stored.version, db)
            }
            return stored
        }
        return try await dossier(committed)
    }

    /// The call's `idempotency-key`, nil without one; INVALID_ARGUMENT naming it when too long.
    static func optionalIdempotencyKey(_ context: ServerContext) throws -> String? {
        guard let key = context.metadata[MetadataKey.idempotencyKey], !key.isEmpty else { return nil }
        guard key.utf8.count <= IdempotencyKey.maxBytes else {
            throw RPCError.invalidArgument(field: MetadataKey.idempotencyKey, "at most \(IdempotencyKey.maxBytes) bytes")
        }
        return key
    }

    /// The receipt code of a dossier being received, from the agency's sequence of the day.
    private func issueReceiptCode(_ row: inout DossierRow, atMs: Int64, _ db: any SQLConnection) throws {
        guard let day = ReceiptCode.Day(unixMs: atMs) else {
            throw RPCError(.internalError, "the receipt time is out of range")
        }
        let sequence = try Sequences.nextReceipt(agency: row.agencyCode, day: day.stamp, db)
        let code: ReceiptCode
        do {
            code = try ReceiptCode(agencyCode: row.agencyCode, day: day, sequence: sequence)
        } catch {
            throw error.rpcError
        }
        row.receiptCode = code.description
        try db.execute(sql: "UPDATE dossier SET receipt_code = ? WHERE id = ?", arguments: [code.description, row.id])
    }

    /// True unless the procedure is offered at level 4 here with a fee that is not yet paid.
    private func feeSettled(_ row: DossierRow, options: CallOptions) async throws -> Bool {
        if row.feeSettled { return true }
        guard try await catalogCache.level(agency: row.agencyCode, procedure: row.procedureCode, options: options).level >= 4 else {
            return true
        }
        // Any line that charges money (of any category) waits for payment-svc: a payment, or
        // an exemption or reduced rate an officer confirmed at the counter.
        return !FeeCalculator.charges(try await catalogCache.procedure(row.procedureCode, options: options))
    }

    static func eventName(_ action: DossierV1.Action) -> String {
        switch action {
        case .receive: "received"
        case .refuseReception: "not-received"
        case .startProcessing: "processing"
        case .requestSupplement: "supplement-requested"
        case .resubmit: "resubmitted"
        case .requestPayment: "awaiting-payment"
        case .confirmPayment: "paid"
        case .approve: "approved"
        case .refuse: "refused"
        case .returnResult: "result-returned"
        case .withdraw: "withdrawn"
        case .apologize: "apology"
        case .transfer: "transferred"
        case .completeStep: "step-completed"
        default: "changed"
        }
    }
}
