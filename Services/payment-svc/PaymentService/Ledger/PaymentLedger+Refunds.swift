import DVCProto
import Foundation
import GRDB
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
        let row = try await database.sqliteRead { db in try PaymentRow.fetch(id: request.paymentId, db) }
        guard let row, row.payment.agencyCode == agency else {
            throw RPCError(.notFound, "payment \(request.paymentId) does not exist or is not your agency's")
        }
        let refundID = UUID().uuidString.lowercased()
        let now = UnixMillis.now()
        // What may still be refunded is decided in the transaction that records the request:
        // refunds already requested and not yet settled count against it, so two approvers
        // refunding at once cannot both pass the check (the second sees the first's row).
        let (payment, amount) = try await database.sqliteWrite { db -> (PaymentV1.Payment, Int64) in
            guard let current = try PaymentRow.fetch(id: request.paymentId, db) else {
                throw RPCError(.notFound, "payment \(request.paymentId) does not exist or is not your agency's")
            }
            let payment = current.payment
            guard [.paid, .partiallyRefunded, .refunded].contains(payment.state) else {
                throw RPCError(.failedPrecondition, "payment \(payment.id) was not paid (state \(payment.state.rawValue)): nothing to refund")
            }
            let pending = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(amount_vnd), 0) FROM refund WHERE payment_id = ? AND state = 'requested'",
                                             arguments: [payment.id]) ?? 0
            let remaining = payment.amountVnd - payment.refundedVnd - pending
            let amount = request.amountVnd == 0 ? remaining : request.amountVnd
            guard amount > 0, amount <= remaining else {
                throw RPCError(.failedPrecondition, "at most \(max(0, remaining)) đồng of payment \(payment.id) can still be refunded"
                                   + (pending > 0 ? " (\(pending) đồng are being refunded now)" : ""),
                               violations: [FieldViolation(field: "amount_vnd", description: "at most \(max(0, remaining))")])
            }
            try db.execute(sql: """
                INSERT INTO refund (id, payment_id, amount_vnd, reason, actor, api_key, requested_at_ms, state)
                VALUES (?, ?, ?, ?, ?, ?, ?, 'requested')
                """, arguments: [refundID, payment.id, amount, request.reason, "officer:\(officer)", apiKey, now])
            return (payment, amount)
        }
        let answer: ProviderRefund
        do {
            answer = try await refundAtProvider(payment, amount: amount, officer: officer)
        } catch {
            try await database.sqliteWrite { db in
                try db.execute(sql: "UPDATE refund SET state = 'failed', provider_message = ? WHERE id = ?",
                               arguments: ["\(error)", refundID])
            }
            throw RPCError(.unavailable, "the refund was not made: \(error); nothing changed, try again")
        }
        guard answer.succeeded else {
            try await database.sqliteWrite { db in
                try db.execute(sql: "UPDATE refund SET state = 'failed', provider_message = ? WHERE id = ?",
                               arguments: ["\(answer.responseCode) \(answer.message)", refundID])
            }
            throw RPCError(.failedPrecondition, "the provider refused the refund: \(answer.responseCode) \(answer.message)")
        }
        let traceparent = TraceContext.currentChildTraceparent
        return try await database.sqliteWrite { db in
            guard let current = try PaymentRow.fetch(id: payment.id, db) else { throw RPCError(.internalError, "payment vanished") }
            var next = current.payment
            next.refundedVnd += amount
            // Only the whole amount given back makes it "refunded"; a part leaves it partially
            // refunded, with the amount in refunded_vnd, and more can follow.
            next.state = next.refundedVnd >= next.amountVnd ? .refunded : .partiallyRefunded
            next.reason = request.reason
            guard try PaymentRow.update(next, from: current.payment.state, db) else { throw RPCError(.aborted, "changed meanwhile") }
            try db.execute(sql: "UPDATE refund SET state = 'done', provider_reference = ?, provider_message = ? WHERE id = ?",
                           arguments: [answer.refundTransactionID, answer.message, refundID])
            try Self.enqueue("payment.refunded", next, traceparent: traceparent, db)
            return next
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
        // One row by its key, read in place (a Row is not Sendable, so it does not cross threads).
        guard let row = try database.sqliteRead({ db in
            try Row.fetchOne(db, sql: "SELECT * FROM receipt WHERE number = ?", arguments: [payment.receiptNumber])
        }) else {
            throw RPCError(.internalError, "the receipt \(payment.receiptNumber) is missing")
        }
        var receipt = PaymentV1.Receipt()
        receipt.number = row["number"]
        receipt.paymentId = row["payment_id"]
        receipt.issuedAtUnixMs = row["issued_at_ms"]
        receipt.mediaType = ElectronicReceipt.mediaType
        receipt.content = row["content"]
        return receipt
    }
}
