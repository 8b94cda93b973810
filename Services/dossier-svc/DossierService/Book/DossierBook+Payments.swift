import DVCProto
import OneStop
import Foundation
import Logging
import RPCCore
import Storage

extension DossierBook {
    /// The history note of a settled fee: what was paid and how, or the exemption, with the
    /// category, its legal ground, the evidence and the officer who recorded it (the audit).
    static func paymentNote(_ payment: PaymentV1.Payment, exempted: Bool) -> String {
        var parts: [String] = []
        if exempted {
            parts.append("Miễn phí, lệ phí: \(payment.category)")
        } else if payment.provider == "counter" {
            parts.append("Đã thu \(payment.amountVnd) đồng tại quầy, biên lai \(payment.receiptNumber)")
        } else {
            parts.append("Đã thanh toán \(payment.amountVnd) đồng, biên lai \(payment.receiptNumber)")
        }
        if !exempted, !payment.category.isEmpty { parts.append("đối tượng: \(payment.category)") }
        if !payment.legalGround.isEmpty { parts.append("căn cứ: \(payment.legalGround)") }
        if !payment.evidence.isEmpty { parts.append("giấy tờ: \(payment.evidence)") }
        if !payment.recordedBy.isEmpty { parts.append("cán bộ ghi nhận: \(payment.recordedBy)") }
        return parts.joined(separator: "; ")
    }

    /// payment-svc's events. "payment.paid" (or "payment.exempted": an officer confirmed an
    /// exemption at the counter) settles the dossier's fee and, if the dossier waits
    /// for it (state 6), takes the CONFIRM_PAYMENT step as `system:payment-svc`: history,
    /// event and processing-control slip, in the same transaction that records the event id, so
    /// a repeated delivery changes nothing (exactly once). Other payment events need nothing of
    /// dossier-svc and are only recorded. Returns true for a repeat.
    func applyPaymentEvent(_ event: EventsV1.Event, options: CallOptions) async throws -> Bool {
        guard event.source == "payment-svc", event.type.hasPrefix("payment.") else {
            throw RPCError(.invalidArgument, "dossier-svc consumes payment-svc's payment events, not \(event.source) \(event.type)")
        }
        let body: PaymentV1.PaymentEvent
        do {
            body = try PaymentV1.PaymentEvent(protobuf: event.payload)
        } catch {
            throw RPCError.invalidArgument(field: "payload", "not a dvc.payment.v1.PaymentEvent: \(error)")
        }
        let payment = body.payment ?? PaymentV1.Payment()
        guard event.type == "payment.paid" || event.type == "payment.exempted" else {
            return try await database.write { db in !(try ProcessedEvents.processOnce(eventID: event.id, in: db)) }
        }
        guard let row = try await database.read({ db in try DossierRow.fetch(id: payment.dossierId, db) }) else {
            // Nothing to settle here; recorded so the outbox stops sending it, and logged.
            logger.error("a payment for an unknown dossier", metadata: ["dossier": "\(payment.dossierId)", "payment": "\(payment.id)"])
            return try await database.write { db in !(try ProcessedEvents.processOnce(eventID: event.id, in: db)) }
        }
        // The slip (05) shows the step: its names come from the catalog, before the transaction.
        let context = row.receiptCode == nil ? nil : try await documentContext(row, options: options)
        let note = Self.paymentNote(payment, exempted: event.type == "payment.exempted")
        let actor = DossierActor.system(service: "payment-svc")
        let now = UnixMillis.now()
        let traceparent = TraceContext.currentChildTraceparent
        return try await database.write { db in
            guard try ProcessedEvents.processOnce(eventID: event.id, in: db) else { return true }
            guard var current = try DossierRow.fetch(id: payment.dossierId, db) else { return false }
            let version = current.version
            current.feeSettled = true
            if current.state == .awaitingPayment {
                let subject = DossierWorkflow.Subject(state: current.state, ownerID: current.applicantID,
                                                      agencyCode: current.agencyCode, supplementRequestedFrom: current.supplementFrom)
                let transition = try DossierWorkflow.transition(
                    DossierWorkflow.Command(.confirmPayment, by: actor, feeSettled: true), for: subject)
                current.state = transition.to
                guard try current.update(expectedVersion: version, db) else {
                    throw RPCError(.aborted, "dossier \(current.id) changed meanwhile; the event will be delivered again")
                }
                current.version = version + 1
                try DossierQueries.appendHistory(current.id, actor: actor.historyName, atMs: now, from: transition.from,
                                                 to: transition.to, action: .confirmPayment, note: note, db)
                if let context { try self.refreshProcessingControl(row: current, context: context, atMs: now, db) }
                try self.enqueueEvent(type: "dossier.\(Self.eventName(.confirmPayment))", row: current,
                                      action: .confirmPayment, note: note, traceparent: traceparent, db)
            } else {
                // Paid before the officer asked (at submission, say): settled, no step.
                guard try current.update(expectedVersion: version, db) else {
                    throw RPCError(.aborted, "dossier \(current.id) changed meanwhile; the event will be delivered again")
                }
            }
            return false
        }
    }
}
