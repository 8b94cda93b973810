import DVCProto
import Foundation
import RPCCore
import Storage

extension PaymentLedger {
    /// Gives money back, when the agency decides (an approver of the payment's agency): the
    /// whole remainder (`amount_vnd` 0) or part of it. A part leaves the payment PARTIALLY_REFUNDED
    /// with `refunded_vnd`; the whole amount, REFUNDED. A counter payment is given back at the
    /// counter (no provider call). The request is written first, then sent to
    /// the provider, then settled: a crash in between leaves a "requested" refund for the
    /// operator and the reconciliation to see, never money returned without a trace. `apiKey`:
    /// the agency system's key the approver was acted for through, recorded with them ("" when
    /// they acted themselves).
    func refund(_ request: PaymentV1.RefundRequest, identity: CallerIdentity, apiKey: String = "") async throws -> PaymentV1.Payment {
        guard case .officer(let officer, let agency, let roles) = identity, roles.contains("approver") else {
            throw RPCError(.permissionDenied, "a refund is decided by an approver (lãnh đạo) of the agency that collected the fee")
        }
        guard !request.reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw RPCError.invalidArgument(field: "reason", "required: why the money goes back")
        }
        guard request.amountVnd >= 0 else { throw RPCError.invalidArgument(field: "amount_vnd", "must not be negative") }
        let row = try await database.read { db in try PaymentRow.fetch(id: request.paymentId, db) }
        guard let row, row.payment.agencyCode == agency else {
            throw RPCError(.notFound, "payment \(request.paymentId) does not exist or is not your agency's")
        }
        let refundID = UUID().uuidString.lowercased()
        let now = UnixMillis.now()
        // What may still be refunded is decided in the transaction that records the request:
        // refunds already requested and not yet settled count against it, so two approvers
        // refunding at once cannot both pass the check (the second sees the first's row).
        let (payment, amount) = try await database.write { db in
            try PaymentStore.requestRefund(id: refundID, paymentID: request.paymentId, amountVnd: request.amountVnd,
                                           reason: request.reason, actor: "officer:\(officer)", apiKey: apiKey, nowMs: now, db)
        }
        let answer: ProviderRefund
        do {
            answer = try await refundAtProvider(payment, amount: amount, officer: officer)
        } catch {
            let message = "\(error)"
            try await database.write { db in try PaymentStore.failRefund(id: refundID, message: message, db) }
            throw RPCError(.unavailable, "the refund was not made: \(error); nothing changed, try again")
        }
        guard answer.succeeded else {
            let message = "\(answer.responseCode) \(answer.message)"
            try await database.write { db in try PaymentStore.failRefund(id: refundID, message: message, db) }
            throw RPCError(.failedPrecondition, "the provider refused the refund: \(answer.responseCode) \(answer.message)")
        }
        let traceparent = TraceContext.currentChildTraceparent
        let reason = request.reason
        return try await database.write { db in
            try PaymentStore.settleRefund(id: refundID, paymentID: payment.id, amountVnd: amount, reason: reason, answer: answer,
                                          traceparent: traceparent, db)
        }
    }

    /// Sends the refund to the provider that took the money. Money taken at the counter goes
    /// back at the counter: there is no provider to ask, the approver's decision is the record.
    private func refundAtProvider(_ payment: PaymentV1.Payment, amount: Int64, officer: String) async throws -> ProviderRefund {
        if payment.provider == Self.counterProvider {
            return ProviderRefund(succeeded: true, responseCode: "00", message: "hoàn trả tại quầy", refundTransactionID: "")
        }
        guard let provider = providers.named(payment.provider) else {
            throw RPCError(.failedPrecondition, "payment \(payment.id) was made through \(payment.provider), which is no longer configured")
        }
        return try await provider.refund(ProviderRefundRequest(
            orderID: payment.orderId, transactionID: payment.providerTransactionId, amountVnd: amount,
            fullRefund: amount == payment.amountVnd - payment.refundedVnd && payment.refundedVnd == 0,
            paidAt: Date(timeIntervalSince1970: Double(payment.paidAtUnixMs) / 1000),
            requestedBy: officer, clientAddress: "127.0.0.1"))
    }

    /// The electronic receipt of a paid fee, for whoever may see the payment.
    func receipt(paymentID: String, identity: CallerIdentity) async throws -> PaymentV1.Receipt {
        let payment = try await get(id: paymentID, identity: identity)
        guard !payment.receiptNumber.isEmpty else {
            throw RPCError(.failedPrecondition, "payment \(paymentID) is not paid: it has no receipt")
        }
        let number = payment.receiptNumber
        guard let receipt = try await database.read({ db in try PaymentStore.receipt(number: number, db) }) else {
            throw RPCError(.internalError, "the receipt \(number) is missing")
        }
        return receipt
    }
}
