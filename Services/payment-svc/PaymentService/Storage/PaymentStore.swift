import DVCProto
import Foundation
import RPCCore
import Storage

/// The ledger's transactions, each the body of one `ServiceDatabase.write` on either backend
/// (SQLite or PostgreSQL, docs/payment.md): the checks that decide and the rows they write
/// commit together with their outbox events, and writes run one at a time on both (SQLite's
/// single writer, PostgreSQL's write lock), so a check cannot be overtaken by another write
/// before its row is in. ``PaymentLedger`` does what comes before them (the dossier, the
/// catalog, the provider) and after them (logs).
enum PaymentStore {
    /// Stores a new online payment, unless the citizen's key already made one (that one is the
    /// answer, however often and however concurrently the key is sent), the fee is already
    /// settled (refused), or an attempt is still under way (that one is the answer).
    static func create(_ prepared: PaymentV1.Payment, idempotencyKey: String, expiresAtMs: Int64, nowMs: Int64,
                       traceparent: String = "", _ db: any SQLConnection) throws -> PaymentV1.Payment {
        if let existing = try PaymentRow.fetch(applicant: prepared.applicantId, idempotencyKey: idempotencyKey, db) {
            return existing.payment
        }
        for other in try PaymentRow.fetchAll(dossierID: prepared.dossierId, db) {
            switch other.payment.state {
            case .paid, .refunded, .partiallyRefunded, .exempt:
                throw RPCError(.failedPrecondition, "the fee of dossier \(prepared.dossierId) is already settled (payment \(other.payment.id))")
            case .pending where other.expiresAtMs > nowMs:
                // One attempt at a time: the one under way is the answer.
                return other.payment
            default:
                continue
            }
        }
        try PaymentRow(payment: prepared, idempotencyKey: idempotencyKey, expiresAtMs: expiresAtMs).insert(db)
        try enqueue("payment.created", prepared, traceparent: traceparent, db)
        return prepared
    }

    /// Stores a fee settled at the counter (paid, with its receipt, or exempt) under the
    /// officer's key (`officer:<id>:<key>`); the earlier record of the same key is the answer.
    /// Refused while the fee is settled or an online payment is under way.
    static func recordCounter(_ prepared: PaymentV1.Payment, storedKey: String, nowMs: Int64,
                              traceparent: String = "", _ db: any SQLConnection) throws -> PaymentV1.Payment {
        if let existing = try PaymentRow.fetch(idempotencyKey: storedKey, db) { return existing.payment }
        for other in try PaymentRow.fetchAll(dossierID: prepared.dossierId, db) {
            switch other.payment.state {
            case .paid, .refunded, .partiallyRefunded, .exempt:
                throw RPCError(.failedPrecondition, "the fee of dossier \(prepared.dossierId) is already settled (payment \(other.payment.id))")
            case .pending where other.expiresAtMs > nowMs:
                // The citizen is at the provider: taking money here too could charge twice.
                throw RPCError(.failedPrecondition, "an online payment of dossier \(prepared.dossierId) is under way (payment \(other.payment.id)); record at the counter once it has ended")
            default:
                continue
            }
        }
        var payment = prepared
        try PaymentRow(payment: payment, idempotencyKey: storedKey, expiresAtMs: nowMs).insert(db)
        if payment.state == .paid {
            // The receipt names the payment row, so it follows it, in the same transaction.
            payment.receiptNumber = try ElectronicReceipt.issue(for: payment, atMs: nowMs, db)
            guard try PaymentRow.update(payment, from: .paid, db) else { throw RPCError(.internalError, "payment \(payment.id) vanished") }
        }
        try enqueue(payment.state == .paid ? "payment.paid" : "payment.exempted", payment, traceparent: traceparent, db)
        return payment
    }

    /// Applies one authentic callback of `provider`: a notification moves the payment to paid
    /// (with its receipt and event) or failed, once; a repeat, a replay, or a late failure
    /// after success changes nothing and answers "already confirmed". A return (the browser)
    /// changes nothing. An unknown order or another amount is refused.
    static func applyCallback(_ callback: ProviderCallback, provider: String, notification: Bool, nowMs: Int64,
                              traceparent: String = "", _ db: any SQLConnection) throws
        -> (outcome: CallbackOutcome, payment: PaymentV1.Payment?, why: String) {
        // An order of another provider is unknown to this one: its signature proves nothing about it.
        guard let row = try PaymentRow.fetch(orderID: callback.orderID, db), row.payment.provider == provider else {
            return (.orderNotFound, nil, "unknown order")
        }
        var payment = row.payment
        guard callback.amountVnd == payment.amountVnd else {
            return (.invalidAmount, payment, "amount \(callback.amountVnd) ≠ \(payment.amountVnd)")
        }
        guard notification else { return (.confirmed, payment, "browser return") }
        switch (payment.state, callback.succeeded) {
        case (.paid, _), (.refunded, _), (.partiallyRefunded, _), (.exempt, _):
            return (.alreadyConfirmed, payment, "already paid")
        case (.failed, false), (.expired, false):
            return (.alreadyConfirmed, payment, "already closed")
        case (_, true):
            // Pending, or failed/expired and then paid after all: the money was taken.
            let previous = payment.state
            payment.state = .paid
            payment.paidAtUnixMs = nowMs
            payment.providerTransactionId = callback.transactionID
            payment.receiptNumber = try ElectronicReceipt.issue(for: payment, atMs: nowMs, db)
            payment.reason = ""
            guard try PaymentRow.update(payment, from: previous, db) else { return (.failure, payment, "raced") }
            try enqueue("payment.paid", payment, traceparent: traceparent, db)
            return (.confirmed, payment, "paid")
        case (_, false):
            let previous = payment.state
            payment.state = .failed
            payment.providerTransactionId = callback.transactionID
            payment.reason = "Mã phản hồi \(callback.responseCode) từ \(provider)"
            guard try PaymentRow.update(payment, from: previous, db) else { return (.failure, payment, "raced") }
            try enqueue("payment.failed", payment, traceparent: traceparent, db)
            return (.confirmed, payment, "failed (\(callback.responseCode))")
        }
    }

    /// One row of `callback_log`; for a refused callback, the oldest refused rows beyond
    /// `refusedKept` go (authentic ones are never removed here).
    static func logCallback(atMs: Int64, provider: String, kind: String, orderID: String, query: String, outcome: String,
                            refused: Bool, refusedKept: Int, _ db: any SQLConnection) throws {
        try db.execute(sql: """
            INSERT INTO callback_log (at_ms, provider, kind, order_id, query, outcome, refused) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [atMs, provider, kind, orderID, query, outcome, refused ? 1 : 0])
        guard refused else { return }
        try db.execute(sql: """
            DELETE FROM callback_log WHERE refused = 1 AND id <= (
                SELECT id FROM callback_log WHERE refused = 1 ORDER BY id DESC LIMIT 1 OFFSET ?)
            """, arguments: [refusedKept])
    }

    /// Pending payments whose time ran out at `nowMs` become expired, with their event; how many.
    static func expireDue(nowMs: Int64, _ db: any SQLConnection) throws -> Int {
        let rows = try PaymentRow.fetchAll(db, sql: "SELECT * FROM payment WHERE state = 1 AND expires_at_ms <= ?", arguments: [nowMs])
        var expired = 0
        for row in rows {
            var payment = row.payment
            payment.state = .expired
            payment.reason = "Hết thời gian thanh toán"
            if try PaymentRow.update(payment, from: .pending, db) {
                try enqueue("payment.expired", payment, db)
                expired += 1
            }
        }
        return expired
    }

    // MARK: - Refunds

    /// Records a refund request of `amountVnd` (0: the whole remainder) of a paid payment, as
    /// "requested"; returns the payment and the amount. What may still be refunded counts the
    /// requests not yet settled, so two approvers at once cannot both pass the check.
    static func requestRefund(id refundID: String, paymentID: String, amountVnd: Int64, reason: String, actor: String,
                              apiKey: String, nowMs: Int64, _ db: any SQLConnection) throws -> (PaymentV1.Payment, Int64) {
        guard let current = try PaymentRow.fetch(id: paymentID, db) else {
            throw RPCError(.notFound, "payment \(paymentID) does not exist or is not your agency's")
        }
        let payment = current.payment
        guard [.paid, .partiallyRefunded, .refunded].contains(payment.state) else {
            throw RPCError(.failedPrecondition, "payment \(payment.id) was not paid (state \(payment.state.rawValue)): nothing to refund")
        }
        let pending = try Int64.fetchOne(db, sql: "SELECT COALESCE(SUM(amount_vnd), 0) FROM refund WHERE payment_id = ? AND state = 'requested'",
                                         arguments: [payment.id]) ?? 0
        let remaining = payment.amountVnd - payment.refundedVnd - pending
        let amount = amountVnd == 0 ? remaining : amountVnd
        guard amount > 0, amount <= remaining else {
            throw RPCError(.failedPrecondition, "at most \(max(0, remaining)) đồng of payment \(payment.id) can still be refunded"
                               + (pending > 0 ? " (\(pending) đồng are being refunded now)" : ""),
                           violations: [FieldViolation(field: "amount_vnd", description: "at most \(max(0, remaining))")])
        }
        try db.execute(sql: """
            INSERT INTO refund (id, payment_id, amount_vnd, reason, actor, api_key, requested_at_ms, state)
            VALUES (?, ?, ?, ?, ?, ?, ?, 'requested')
            """, arguments: [refundID, payment.id, amount, reason, actor, apiKey, nowMs])
        return (payment, amount)
    }

    /// The provider did not make the refund: the request stays, failed, with what it said.
    static func failRefund(id refundID: String, message: String, _ db: any SQLConnection) throws {
        try db.execute(sql: "UPDATE refund SET state = 'failed', provider_message = ? WHERE id = ?", arguments: [message, refundID])
    }

    /// The provider made the refund: the payment's refunded amount and state, the request done,
    /// the event.
    static func settleRefund(id refundID: String, paymentID: String, amountVnd: Int64, reason: String, answer: ProviderRefund,
                             traceparent: String = "", _ db: any SQLConnection) throws -> PaymentV1.Payment {
        guard let current = try PaymentRow.fetch(id: paymentID, db) else { throw RPCError(.internalError, "payment vanished") }
        var next = current.payment
        next.refundedVnd += amountVnd
        // Only the whole amount given back makes it "refunded"; a part leaves it partially
        // refunded, with the amount in refunded_vnd, and more can follow.
        next.state = next.refundedVnd >= next.amountVnd ? .refunded : .partiallyRefunded
        next.reason = reason
        guard try PaymentRow.update(next, from: current.payment.state, db) else { throw RPCError(.aborted, "changed meanwhile") }
        try db.execute(sql: "UPDATE refund SET state = 'done', provider_reference = ?, provider_message = ? WHERE id = ?",
                       arguments: [answer.refundTransactionID, answer.message, refundID])
        try enqueue("payment.refunded", next, traceparent: traceparent, db)
        return next
    }

    // MARK: - Receipts and events

    /// The stored receipt numbered `number`, nil when there is none.
    static func receipt(number: String, _ db: any SQLConnection) throws -> PaymentV1.Receipt? {
        guard let row = try SQLRow.fetchOne(db, sql: "SELECT * FROM receipt WHERE number = ?", arguments: [number]) else { return nil }
        var receipt = PaymentV1.Receipt()
        receipt.number = row["number"]
        receipt.paymentId = row["payment_id"]
        receipt.issuedAtUnixMs = row["issued_at_ms"]
        receipt.mediaType = ElectronicReceipt.mediaType
        receipt.content = row["content"]
        return receipt
    }

    /// - Parameter traceparent: the trace of the call that caused the event (capture
    ///   `TraceContext.currentChildTraceparent` before the write: the transaction runs off the task).
    static func enqueue(_ type: String, _ payment: PaymentV1.Payment, traceparent: String = "", _ db: any SQLConnection) throws {
        var body = PaymentV1.PaymentEvent()
        body.payment = payment
        var event = EventsV1.Event()
        event.type = type
        event.aggregateId = payment.id
        event.source = "payment-svc"
        event.payload = body.protobufData
        event.traceparent = traceparent
        _ = try Outbox.enqueue(event, to: PaymentLedger.eventDestinations, in: db)
    }
}
