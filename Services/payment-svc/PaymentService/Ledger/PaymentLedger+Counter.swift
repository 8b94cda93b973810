import DVCProto
import Foundation
import Logging
import OneStop
import RPCCore
import ServiceClients
import Storage

extension PaymentLedger {
    /// The provider name of money taken at the agency's counter (cash, card at the counter).
    static let counterProvider = "counter"
    /// Longest evidence text kept: a document's name and number, not a scan.
    static let maximumEvidenceLength = 500

    /// An officer records the fee settled at the counter: paid there (a receipt is issued, event
    /// `payment.paid`), or not owed because the officer confirms an exemption (state EXEMPT,
    /// event `payment.exempted`). The category is the one the applicant claimed on the form,
    /// confirmed or changed by the officer, with the evidence they saw; the amount is what the
    /// catalog's schedule gives for that category and the quantities (the form's, or the
    /// officer's count), and the officer states it so the record cannot disagree with the money.
    /// dossier-svc settles the dossier's fee on either event, so approval proceeds.
    func recordCounterPayment(_ request: PaymentV1.RecordCounterPaymentRequest, identity: CallerIdentity,
                              context: ServerContext) async throws -> PaymentV1.Payment {
        guard case .officer(let officer, let agency, let roles) = identity, !roles.isDisjoint(with: ["receiver", "processor"]) else {
            throw RPCError(.permissionDenied, "a fee taken at the counter is recorded by a receiver or processor (cán bộ tiếp nhận, xử lý) of the dossier's agency")
        }
        let key = try IdempotencyKey.required(context, for: "record a counter payment")
        guard !request.dossierId.isEmpty else { throw RPCError.invalidArgument(field: "dossier_id", "required") }
        let evidence = request.evidence.trimmingCharacters(in: .whitespacesAndNewlines)
        guard evidence.unicodeScalars.count <= Self.maximumEvidenceLength else {
            throw RPCError.invalidArgument(field: "evidence", "at most \(Self.maximumEvidenceLength) characters")
        }
        if !request.category.isEmpty, evidence.isEmpty {
            throw RPCError.invalidArgument(field: "evidence",
                                           "required with a category: the document that proves it (thẻ sinh viên, giấy chứng nhận hộ nghèo, …)")
        }
        guard request.amountVnd >= 0 else { throw RPCError.invalidArgument(field: "amount_vnd", "must not be negative") }
        // One officer's retry: their key, not a citizen's, names it.
        let storedKey = "officer:\(officer):\(key)"
        if let existing = try await database.read({ db in try PaymentRow.fetch(idempotencyKey: storedKey, db) }) {
            return existing.payment
        }

        var options = context.downstreamOptions(CallOptions(idempotent: true))
        options.metadata[CallerIdentity.metadataKey] = identity.description
        var get = DossierV1.GetDossierRequest()
        get.id = request.dossierId
        let dossier = try await dossiers.unary(DossierV1.DossierService.getDossier, get, options: options)
        guard dossier.agencyCode == agency else {
            throw RPCError(.notFound, "dossier \(request.dossierId) does not exist or is not your agency's")
        }
        let open: Set<DossierV1.DossierState> = [.submitted, .received, .processing, .awaitingPayment, .supplementRequested]
        guard open.contains(dossier.state) else {
            throw RPCError(.failedPrecondition, "dossier \(dossier.id) is in state \(dossier.state.rawValue); its fee can no longer be recorded")
        }
        let procedure = try await catalogCache.procedure(dossier.procedureCode, options: options)
        let quantities = try FeeCalculator.quantities(for: procedure, formData: dossier.formData, overrides: request.quantities)
        let quote = try FeeCalculator.quote(procedure, category: request.category, quantities: quantities)
        guard quote.totalVnd > 0 || quote.isExemption else {
            throw RPCError(.failedPrecondition, "\"\(procedure.name)\" costs nothing at the standard rate: there is no fee to record")
        }
        guard request.amountVnd == quote.totalVnd else {
            throw RPCError(.invalidArgument,
                           "the schedule gives \(quote.totalVnd) đồng for this dossier (category \"\(quote.category)\", quantities \(quote.quantities.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", "))), not \(request.amountVnd)",
                           violations: [FieldViolation(field: "amount_vnd", description: "must be \(quote.totalVnd)")])
        }

        let now = Date()
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        var payment = PaymentV1.Payment()
        payment.id = UUID().uuidString.lowercased()
        payment.orderId = "QUAY" + Self.orderID(now: now).dropFirst(3)
        payment.dossierId = dossier.id
        payment.agencyCode = dossier.agencyCode
        payment.procedureCode = dossier.procedureCode
        payment.applicantId = dossier.applicantId
        payment.amountVnd = quote.totalVnd
        payment.feeLines = quote.lines
        payment.category = quote.category
        payment.legalGround = quote.category.isEmpty ? "" : quote.legalBasis.joined(separator: "; ")
        payment.evidence = evidence
        payment.quantities = quote.quantities
        payment.recordedBy = "officer:\(officer)"
        payment.provider = Self.counterProvider
        payment.createdAtUnixMs = nowMs
        payment.paidAtUnixMs = nowMs
        payment.state = quote.totalVnd > 0 ? .paid : .exempt
        let prepared = payment
        let traceparent = TraceContext.currentChildTraceparent
        let stored: PaymentV1.Payment = try await database.write { db in
            try PaymentStore.recordCounter(prepared, storedKey: storedKey, nowMs: nowMs, traceparent: traceparent, db)
        }
        logger.info("fee recorded at the counter", metadata: [
            "payment": "\(stored.id)", "dossier": "\(stored.dossierId)", "amount_vnd": "\(stored.amountVnd)",
            "category": "\(stored.category)", "officer": "\(officer)", "request_id": "\(context.requestID)"])
        return stored
    }
}
