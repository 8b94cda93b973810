import DVCProto
import OneStop
import Foundation
import GRDB
import Logging
import RPCCore
import Storage

extension DossierBook {
    /// payment-svc's events. "payment.paid" settles the dossier's fee and, if the dossier waits
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
        guard event.type == "payment.paid" else {
            return try await database.write { db in !(try ProcessedEvents.processOnce(eventID: event.id, in: db)) }
        }
        guard let row = try await database.read({ db in try DossierRow.fetch(id: payment.dossierId, db) }) else {
            // Nothing to settle here; recorded so the outbox stops sending it, and logged.
            logger.error("a payment for an unknown dossier", metadata: ["dossier": "\(payment.dossierId)", "payment": "\(payment.id)"])
            return try await database.write { db in !(try ProcessedEvents.processOnce(eventID: event.id, in: db)) }
        }
        // The slip (05) shows the step: its names come from the catalog, before the transaction.
        let context = row.receiptCode == nil ? nil : try await documentContext(row, options: options)
        let note = "Đã thanh toán \(payment.amountVnd) đồng, biên lai \(payment.receiptNumber)"
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
